// bindings.http against a real HTTP server on a loopback port: methods, the url and path,
// headers out and back, status handling (errorIfNot2XX), limits and the settings it refuses.
#include "components/bindings/http_binding.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "components/registry.h"
#include "http/server.h"

namespace wasmdapr::components {
namespace {

using Code = dapr::Error::Code;

// A server that records the requests it receives and answers with the reply set by the test.
class Peer {
 public:
  Peer() {
    auto started = http::Server::start({.address = "127.0.0.1", .port = 0, .threads = 2},
                                       [this](const http::Request& r) { return answer(r); });
    EXPECT_TRUE(started) << (started ? "" : started.error());
    if (started) server_ = std::move(*started);
  }
  ~Peer() {
    release();
    if (server_) server_->stop();
  }

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  void reply(http::Response response) {
    std::lock_guard lock(mutex_);
    reply_ = std::move(response);
  }
  // Requests wait until release() while held.
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    cv_.notify_all();
  }
  http::Request last() {
    std::lock_guard lock(mutex_);
    return requests_.empty() ? http::Request{} : requests_.back();
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  http::Response answer(const http::Request& request) {
    std::unique_lock lock(mutex_);
    requests_.push_back(request);
    cv_.wait(lock, [&] { return !held_; });
    return reply_;
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool held_ = false;
  http::Response reply_;
  std::vector<http::Request> requests_;
  std::unique_ptr<http::Server> server_;
};

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make(dapr::Metadata metadata) {
  dapr::ComponentSpec spec;
  spec.name = "web";
  spec.type = "bindings.http";
  spec.metadata = std::move(metadata);
  return make_http_binding(spec);
}

class HttpBindingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = make({{"url", peer_.url("/base/")}});
    ASSERT_TRUE(made) << made.error().message;
    binding_ = std::move(*made);
  }
  Result<dapr::BindingResponse, dapr::Error> call(std::string operation, std::string data = "",
                                                  dapr::Metadata metadata = {}) {
    return binding_->invoke({std::move(operation), std::move(data), std::move(metadata)});
  }

  Peer peer_;
  std::unique_ptr<dapr::OutputBinding> binding_;
};

TEST(HttpBindingSettings, UrlIsRequiredAndMustBeHttp) {
  EXPECT_TRUE(builtin_registry().knows("bindings.http"));
  auto none = make({});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Code::InvalidArgument);
  EXPECT_NE(none.error().message.find("url"), std::string::npos);
  auto ftp = make({{"url", "ftp://example.com"}});
  ASSERT_FALSE(ftp);
  EXPECT_EQ(ftp.error().code, Code::InvalidArgument);
  EXPECT_TRUE(make({{"url", "https://example.com/api"}}));
  EXPECT_TRUE(make({{"URL", "http://example.com"}})) << "names are case-insensitive";
}

TEST(HttpBindingSettings, TlsClientSettingsAreRefusedClearly) {
  for (const char* name : {"MTLSRootCA", "MTLSClientCert", "MTLSClientKey", "MTLSRenegotiation"}) {
    auto made = make({{"url", "https://example.com"}, {name, "/some/file.pem"}});
    ASSERT_FALSE(made) << name;
    EXPECT_EQ(made.error().code, Code::NotSupported);
    EXPECT_NE(made.error().message.find(name), std::string::npos);
  }
}

TEST(HttpBindingSettings, MalformedDurationsAndSizesAreRefused) {
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"responseTimeout", "ten seconds"},
                                                        {"responseTimeout", "10"},
                                                        {"maxResponseBodySize", "lots"},
                                                        {"maxResponseBodySize", "1Qi"}}) {
    auto made = make({{"url", "http://example.com"}, {name, value}});
    ASSERT_FALSE(made) << name << "=" << value;
    EXPECT_EQ(made.error().code, Code::InvalidArgument);
  }
  EXPECT_TRUE(make({{"url", "http://x"}, {"responseTimeout", "1m30.5s"}}));
  EXPECT_TRUE(make({{"url", "http://x"}, {"maxResponseBodySize", "100Mi"}}));
}

TEST_F(HttpBindingTest, ListsDaprsOperations) {
  EXPECT_EQ(binding_->operations(),
            (std::vector<std::string>{"create", "get", "head", "post", "put", "patch", "delete",
                                      "options", "trace"}));
  auto bad = call("frobnicate");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::InvalidArgument);
  EXPECT_EQ(peer_.count(), 0u);
}

TEST_F(HttpBindingTest, GetAppendsThePathAndReturnsBodyStatusAndHeaders) {
  http::Response reply;
  reply.body = R"({"id":1234})";
  reply.with_header("Content-Type", "application/json").with_header("x-reply-id", "r1");
  peer_.reply(reply);

  auto r = call("get", "", {{"path", "/things/1234?lastName=Jones"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->data, R"({"id":1234})");
  EXPECT_EQ(r->metadata.at("statusCode"), "200");
  EXPECT_EQ(r->metadata.at("status"), "200 OK");
  EXPECT_EQ(r->metadata.at("Content-Type"), "application/json");
  EXPECT_EQ(r->metadata.at("X-Reply-Id"), "r1");

  http::Request seen = peer_.last();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/base/things/1234");
  EXPECT_EQ(seen.query, "lastName=Jones");
  EXPECT_EQ(seen.body, "");
  EXPECT_EQ(seen.header("Accept"), "application/json; charset=utf-8");
}

TEST_F(HttpBindingTest, WithoutAPathTheBaseUrlIsRequested) {
  ASSERT_TRUE(call("get"));
  EXPECT_EQ(peer_.last().path, "/base/");
}

TEST_F(HttpBindingTest, PostSendsTheDataAsJsonAndCapitalisedMetadataAsHeaders) {
  peer_.reply(http::Response{.status = 201, .headers = {}, .body = "made"});
  auto r = call("post", R"({"name":"x"})",
                {{"path", "things"}, {"X-Tenant", "blue"}, {"lowercase", "not a header"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->data, "made");
  EXPECT_EQ(r->metadata.at("statusCode"), "201");
  EXPECT_EQ(r->metadata.at("status"), "201 Created");

  http::Request seen = peer_.last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/base/things");
  EXPECT_EQ(seen.body, R"({"name":"x"})");
  EXPECT_EQ(seen.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(seen.header("X-Tenant"), "blue");
  EXPECT_EQ(seen.header("lowercase"), "");
  EXPECT_EQ(seen.header("path"), "");
}

TEST_F(HttpBindingTest, ContentTypeCanBeOverridden) {
  ASSERT_TRUE(call("put", "plain words", {{"Content-Type", "text/plain"}}));
  EXPECT_EQ(peer_.last().method, "PUT");
  EXPECT_EQ(peer_.last().header("Content-Type"), "text/plain");
  EXPECT_EQ(peer_.last().body, "plain words");
}

TEST_F(HttpBindingTest, EveryOperationUsesItsMethodAndOnlyWritesSendABody) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"create", "POST"},     {"post", "POST"},   {"put", "PUT"},
      {"patch", "PATCH"},     {"get", "GET"},     {"delete", "DELETE"},
      {"options", "OPTIONS"}, {"trace", "TRACE"}, {"head", "HEAD"}};
  for (const auto& [operation, method] : cases) {
    auto r = call(operation, "payload");
    ASSERT_TRUE(r) << operation << ": " << r.error().message;
    http::Request seen = peer_.last();
    EXPECT_EQ(seen.method, method) << operation;
    bool writes = method == "POST" || method == "PUT" || method == "PATCH";
    EXPECT_EQ(seen.body, writes ? "payload" : "") << operation;
  }
}

TEST_F(HttpBindingTest, AFailingStatusIsAnErrorNamingIt) {
  peer_.reply(http::Response{.status = 404, .headers = {}, .body = "no such thing"});
  auto r = call("get", "", {{"path", "missing"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("404"), std::string::npos) << r.error().message;

  peer_.reply(http::Response{.status = 503, .headers = {}, .body = ""});
  auto unavailable = call("post", "{}");
  ASSERT_FALSE(unavailable);
  EXPECT_NE(unavailable.error().message.find("503"), std::string::npos);
}

TEST_F(HttpBindingTest, ErrorIfNot2XXFalseReturnsTheFailingResponse) {
  peer_.reply(http::Response{.status = 404, .headers = {}, .body = "no such thing"});
  auto per_call = call("get", "", {{"errorIfNot2XX", "false"}});
  ASSERT_TRUE(per_call) << per_call.error().message;
  EXPECT_EQ(per_call->metadata.at("statusCode"), "404");
  EXPECT_EQ(per_call->metadata.at("status"), "404 Not Found");
  EXPECT_EQ(per_call->data, "no such thing");

  auto lenient = make({{"url", peer_.url()}, {"errorIfNot2XX", "false"}});
  ASSERT_TRUE(lenient);
  auto r = (*lenient)->invoke({"get", "", {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metadata.at("statusCode"), "404");
  auto strict_again = (*lenient)->invoke({"get", "", {{"errorIfNot2XX", "true"}}});
  EXPECT_FALSE(strict_again);
}

TEST_F(HttpBindingTest, SecurityTokenIsSentInItsHeader) {
  auto made = make(
      {{"url", peer_.url()}, {"securityToken", "s3cret"}, {"securityTokenHeader", "X-Api-Key"}});
  ASSERT_TRUE(made);
  ASSERT_TRUE((*made)->invoke({"get", "", {}}));
  EXPECT_EQ(peer_.last().header("X-Api-Key"), "s3cret");
}

TEST_F(HttpBindingTest, TraceContextIsForwarded) {
  std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  ASSERT_TRUE(call("get", "", {{"traceparent", traceparent}}));
  EXPECT_EQ(peer_.last().header("traceparent"), traceparent);
}

TEST_F(HttpBindingTest, RepeatedResponseHeadersAreJoined) {
  http::Response reply;
  reply.with_header("X-Multi", "a").with_header("x-multi", "b");
  peer_.reply(reply);
  auto r = call("get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metadata.at("X-Multi"), "a, b");
}

TEST_F(HttpBindingTest, TheBodyIsCutAtMaxResponseBodySize) {
  peer_.reply(http::Response{.status = 200, .headers = {}, .body = "0123456789"});
  auto made = make({{"url", peer_.url()}, {"maxResponseBodySize", "4"}});
  ASSERT_TRUE(made);
  auto r = (*made)->invoke({"get", "", {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data, "0123");
}

TEST_F(HttpBindingTest, AnUnansweredRequestFailsAtResponseTimeout) {
  auto made = make({{"url", peer_.url()}, {"responseTimeout", "100ms"}});
  ASSERT_TRUE(made);
  peer_.hold();
  auto r = (*made)->invoke({"get", "", {}});
  peer_.release();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::Unavailable);
}

TEST(HttpBindingUnreachable, AServerThatIsNotThereIsUnavailable) {
  uint16_t port;
  {
    Peer gone;  // a port that was free a moment ago and is closed now
    port = static_cast<uint16_t>(std::stoi(gone.url().substr(gone.url().rfind(':') + 1)));
  }
  auto made = make({{"url", "http://127.0.0.1:" + std::to_string(port)}});
  ASSERT_TRUE(made);
  auto r = (*made)->invoke({"get", "", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::Unavailable);
}

}  // namespace
}  // namespace wasmdapr::components
