// Publish, service invocation, output bindings, configuration and secrets from an
// AssemblyScript guest run by the real `wasmdapr run`, over both guest ABIs. The app behind
// --app-port is an HTTP server in this test: it subscribes to "orders", records deliveries,
// and answers the methods the guest invokes. Configuration lives in a real redis-server.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dapr/json_view.h"
#include "http/server.h"
#include "runtime/state_backend.h"
#include "runtime/wasmdapr_process.h"

namespace wasmdapr::testing {
namespace {

// The app in another process, as far as the sidecar can tell.
class App {
 public:
  App() {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    auto server =
        http::Server::start(options, [this](const http::Request& r) { return handle(r); });
    if (server) server_ = std::move(*server);
  }
  ~App() {
    if (server_) server_->stop();
  }
  bool running() const { return server_ != nullptr; }
  uint16_t port() const { return server_->port(); }
  std::string deliveries() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  static http::Response text(int status, std::string body) {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    response.with_header("Content-Type", "text/plain");
    return response;
  }

  http::Response handle(const http::Request& request) {
    const std::string& path = request.path;
    if (path == "/dapr/subscribe") {
      http::Response response =
          text(200, R"([{"pubsubname":"pubsub","topic":"orders","route":"/orders"}])");
      response.headers.clear();
      response.with_header("Content-Type", "application/json");
      return response;
    }
    if (path == "/orders") {
      std::lock_guard lock(mutex_);
      received_ += request.body + "\n";
      return text(200, "");
    }
    if (path == "/received") return text(200, deliveries());
    if (path == "/big") {
      ++big_calls_;
      std::string body(100000, 'a');
      for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
      return text(200, std::move(body));
    }
    if (path == "/calls/big") return text(200, std::to_string(big_calls_.load()));
    if (path == "/echo" || path.ends_with("/echo")) {
      std::string query = request.query.empty() ? "" : request.query + " ";
      return text(200, request.method + " " + query + request.body);
    }
    return text(404, "no such method");
  }

  std::unique_ptr<http::Server> server_;
  mutable std::mutex mutex_;
  std::string received_;
  std::atomic<int> big_calls_{0};
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

class BlocksGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(backend_.ready()) << backend_.failure();
    ASSERT_TRUE(app_.running());
    const std::string dir = backend_.resources();
    const std::string redis = backend_.redis()->address();
    write_file(dir + "/pubsub.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub}
spec: {type: pubsub.in-memory, version: v1}
)");
    write_file(dir + "/files.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: files}
spec:
  type: bindings.localstorage
  version: v1
  metadata: [{name: rootPath, value: ")" +
                                        backend_.scratch() + R"(/files"}]
)");
    write_file(dir + "/web.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: web}
spec:
  type: bindings.http
  version: v1
  metadata: [{name: url, value: "http://127.0.0.1:)" +
                                      std::to_string(app_.port()) + R"("}]
)");
    write_file(dir + "/config.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: config}
spec:
  type: configuration.redis
  version: v1
  metadata: [{name: redisHost, value: ")" +
                                         redis + R"("}]
)");
    write_file(dir + "/env.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: env}
spec: {type: secretstores.local.env, version: v1}
)");
    std::string set = "redis-cli -p " + std::to_string(backend_.redis()->port()) +
                      " SET greeting 'hello||1' > /dev/null";
    ASSERT_EQ(std::system(set.c_str()), 0);
    ::setenv("BLOCKS_SECRET", "s3cret", 1);
  }

  Outcome run(const std::string& group) {
    return run_wasmdapr(
        WASMDAPR_BIN,
        {"--app-id", "blocks", "--app-port", std::to_string(app_.port()), "--resources-path",
         backend_.resources(), "--allowed-host", "http://127.0.0.1:3500",
         std::string(GUEST_DIR) + "/blocks_guest.wasm", "--", group});
  }

  StateBackend backend_{StoreKind::Redis};
  App app_;
};

TEST_F(BlocksGuest, PublishedEventsReachTheAppAsCloudEvents) {
  expect_passed(run("publish"), "publish");
  std::string deliveries = app_.deliveries();
  EXPECT_NE(deliveries.find(R"("marker":"order-direct")"), std::string::npos) << deliveries;
  EXPECT_NE(deliveries.find(R"("marker":"order-http")"), std::string::npos) << deliveries;
  EXPECT_NE(deliveries.find(R"("source":"blocks")"), std::string::npos) << deliveries;
  EXPECT_NE(deliveries.find(R"("type":"com.dapr.event.sent")"), std::string::npos) << deliveries;
}

TEST_F(BlocksGuest, PublishErrorCodes) {
  expect_passed(run("publish_errors"), "publish_errors");
}

TEST_F(BlocksGuest, InvokeReachesTheAppBehindAppPort) {
  expect_passed(run("invoke"), "invoke");
}

TEST_F(BlocksGuest, OutputBindings) {
  expect_passed(run("binding"), "binding");
}

TEST_F(BlocksGuest, ConfigurationAndSecrets) {
  expect_passed(run("config"), "config");
}

}  // namespace
}  // namespace wasmdapr::testing
