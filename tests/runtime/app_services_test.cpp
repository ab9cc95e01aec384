// The sidecar's in-process answers to guests: the same as its HTTP server gives over TCP.
#include "runtime/app_services.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "http/outbound_client.h"

namespace wasmdapr::runtime {
namespace {

class InProcessAnswers : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir_ = std::filesystem::temp_directory_path() /
                 ("wasmdapr-app-services-" + std::to_string(::getpid()));
    RunOptions options;
    options.app_id = "app";
    options.state_dir = state_dir_.string();
    options.dapr_http_port = 0;  // also listen, to compare with TCP
    options.max_request_body_bytes = 1024;
    auto started = AppServices::start(options);
    ASSERT_TRUE(started) << started.error();
    services_ = std::move(*started);
    port_ = std::stoi(services_->guest_environment()[1].substr(sizeof("DAPR_HTTP_PORT=") - 1));
  }
  void TearDown() override {
    services_.reset();
    std::filesystem::remove_all(state_dir_);
  }

  http::OutboundRequest request(std::string method, std::string path, std::string body = "") {
    return {
        std::move(method), "http://127.0.0.1:" + std::to_string(port_) + path, {}, std::move(body)};
  }
  static std::string header(const http::OutboundResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<none>";
  }

  std::filesystem::path state_dir_;
  std::unique_ptr<AppServices> services_;
  int port_ = 0;
};

TEST_F(InProcessAnswers, MatchTheServersAnswersOverTcp) {
  auto save = request("POST", "/v1.0/state/statestore", R"([{"key":"k","value":{"a":1}}])");
  EXPECT_EQ(services_->answer_in_process(save).status, 204);
  for (const auto& probe :
       {request("GET", "/v1.0/state/statestore/k"), request("GET", "/v1.0/state/nope/k"),
        request("GET", "/v1.0/state/statestore/missing")}) {
    auto local = services_->answer_in_process(probe);
    auto remote = http::perform(probe);
    ASSERT_TRUE(remote) << remote.error();
    EXPECT_EQ(local.status, remote->status) << probe.url;
    EXPECT_EQ(local.body, remote->body) << probe.url;
    EXPECT_EQ(header(local, "content-length"), header(*remote, "content-length")) << probe.url;
    EXPECT_EQ(header(local, "etag"), header(*remote, "etag")) << probe.url;
  }
}

TEST_F(InProcessAnswers, RefuseABodyOverTheLimitAsTheServerDoes) {
  auto big = request("POST", "/v1.0/state/statestore", std::string(2048, ' '));
  auto local = services_->answer_in_process(big);
  auto remote = http::perform(big);
  ASSERT_TRUE(remote) << remote.error();
  EXPECT_EQ(local.status, 413);
  EXPECT_EQ(remote->status, 413);
  EXPECT_EQ(local.body, remote->body);
}

TEST_F(InProcessAnswers, CarryNoBodyForHead) {
  auto head = services_->answer_in_process(request("HEAD", "/v1.0/metadata"));
  EXPECT_EQ(head.body, "");
  EXPECT_NE(header(head, "content-length"), "0");
}

}  // namespace
}  // namespace wasmdapr::runtime
