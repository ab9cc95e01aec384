// The service invocation routes as Sidecar::handle answers them: the sidecar's own app over
// the app channel (an http::Server on a loopback port), a non-Dapr URL, and another sidecar
// found through sqlite name resolution, with the runtime's error codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "components/nameresolution/sqlite_resolver.h"
#include "dapr/json_view.h"
#include "http/server.h"
#include "sidecar/api_test_support.h"
#include "sidecar/sidecar.h"
#include "support/scratch_dir.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

namespace fs = std::filesystem;
using dapr::JsonView;

std::string header(const std::vector<std::pair<std::string, std::string>>& headers,
                   std::string_view name) {
  http::Request r;
  r.headers = headers;
  return std::string(r.header(name));
}

// An app on a loopback port: it records each request and answers with the status the path's
// last segment names when it is a number ("/status/418"), echoing the body with a header.
class App {
 public:
  App() {
    auto server = http::Server::start({}, [this](const http::Request& r) {
      std::lock_guard lock(mutex_);
      requests_.push_back(r);
      http::Response response;
      std::string_view path = r.path;
      std::string last(path.substr(path.rfind('/') + 1));
      if (!last.empty() && last.find_first_not_of("0123456789") == std::string::npos) {
        response.status = std::stoi(last);
      }
      response.body = "echo:" + r.body;
      response.with_header("Content-Type", "text/x-echo").with_header("X-App", name_);
      return response;
    });
    EXPECT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }
  uint16_t port() const { return server_->port(); }
  void name(std::string name) { name_ = std::move(name); }
  http::Request last() {
    std::lock_guard lock(mutex_);
    EXPECT_FALSE(requests_.empty());
    return requests_.empty() ? http::Request{} : requests_.back();
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<http::Request> requests_;
  std::string name_ = "app";
  std::unique_ptr<http::Server> server_;
};

SidecarOptions options_for(std::string app_id, std::optional<uint16_t> app_port,
                           std::string config = "") {
  SidecarOptions options;
  options.app_id = std::move(app_id);
  options.app_channel.port = app_port;
  options.config_path = std::move(config);
  return options;
}

class InvokeApiTest : public ::testing::Test {
 protected:
  // A Configuration file with sqlite name resolution in this test's directory.
  std::string sqlite_config() const {
    fs::path path = dir_ / "config.yaml";
    std::ofstream(path) << "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n"
                           "  name: appconfig\nspec:\n  nameResolution:\n    component: sqlite\n"
                           "    configuration:\n      connectionString: \""
                        << (dir_ / "nr.db").string() << "\"\n";
    return path.string();
  }

  dapr::ComponentSet components_;
  wasmdapr::testing::ScratchDir scratch_{"invoke-api"};
  const fs::path& dir_ = scratch_.path();
};

TEST_F(InvokeApiTest, PathRouteReachesTheOwnAppWithVerbNestedMethodQueryHeadersAndBody) {
  App app;
  Sidecar sidecar(components_, options_for("app-a", app.port()));
  auto response =
      sidecar.handle(make_request("PUT", "/v1.0/invoke/app-a/method/api/v1/add?x=1&y=two",
                                  {{"Content-Type", "application/json"},
                                   {"x-foo", "bar"},
                                   {"Connection", "keep-alive"},
                                   {"dapr-caller-app-id", "someone-else"}},
                                  R"({"a":1})"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"(echo:{"a":1})");
  EXPECT_EQ(header(response.headers, "content-type"), "text/x-echo");
  EXPECT_EQ(header(response.headers, "x-app"), "app");

  http::Request seen = app.last();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.path, "/api/v1/add");
  EXPECT_EQ(seen.query, "x=1&y=two");
  EXPECT_EQ(seen.body, R"({"a":1})");
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("x-foo"), "bar");
  EXPECT_EQ(seen.header("dapr-callee-app-id"), "app-a");
  EXPECT_EQ(seen.header("dapr-caller-app-id"), "app-a");
}

TEST_F(InvokeApiTest, TheAppsStatusComesBackAsItIs) {
  App app;
  Sidecar sidecar(components_, options_for("app-a", app.port()));
  for (int status : {201, 404, 418, 500, 503}) {
    auto response = sidecar.handle(
        make_request("GET", "/v1.0/invoke/app-a/method/status/" + std::to_string(status)));
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(response.body, "echo:");
  }
}

TEST_F(InvokeApiTest, DaprAppIdHeaderMakesTheWholePathTheMethodAndIsNotForwarded) {
  App app;
  Sidecar sidecar(components_, options_for("app-a", app.port()));
  auto response = sidecar.handle(make_request("POST", "/orders/seven?verbose=1",
                                              {{"dapr-app-id", "app-a"}, {"x-foo", "1"}}, "hi"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "echo:hi");
  http::Request seen = app.last();
  EXPECT_EQ(seen.path, "/orders/seven");
  EXPECT_EQ(seen.query, "verbose=1");
  EXPECT_EQ(seen.header("dapr-app-id"), "");
  EXPECT_EQ(seen.header("x-foo"), "1");
}

TEST_F(InvokeApiTest, BasicAuthWithUserDaprAppIdNamesTheApp) {
  App app;
  Sidecar sidecar(components_, options_for("app-a", app.port()));
  // base64("dapr-app-id:app-a")
  http::Request call =
      make_request("GET", "/hello", {{"Authorization", "Basic ZGFwci1hcHAtaWQ6YXBwLWE="}});
  EXPECT_TRUE(InvokeApi::has_app_id_header(call));
  auto response = sidecar.handle(call);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(app.last().path, "/hello");
  EXPECT_EQ(app.last().header("authorization"), "");

  // Another user, or a bearer token, names no app.
  EXPECT_FALSE(InvokeApi::has_app_id_header(
      make_request("GET", "/hello", {{"Authorization", "Basic dXNlcjpwYXNz"}})));  // user:pass
  EXPECT_FALSE(InvokeApi::has_app_id_header(
      make_request("GET", "/hello", {{"Authorization", "Bearer ZGFwci1hcHAtaWQ6YXBwLWE="}})));
  EXPECT_TRUE(IsApiError(sidecar.handle(make_request("GET", "/hello")), 404, "ERR_DIRECT_INVOKE"));
}

TEST_F(InvokeApiTest, TheApiTokenStaysWithTheSidecar) {
  App app;
  SidecarOptions options = options_for("app-a", app.port());
  options.api_token = "s3cret";
  Sidecar sidecar(components_, options);
  auto response = sidecar.handle(
      make_request("GET", "/v1.0/invoke/app-a/method/m", {{"dapr-api-token", "s3cret"}}));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(app.last().header("dapr-api-token"), "");
}

TEST_F(InvokeApiTest, NoAppPortOrUnknownAppIsErrDirectInvoke) {
  Sidecar without_app(components_, options_for("app-a", std::nullopt));
  auto response = without_app.handle(make_request("POST", "/v1.0/invoke/app-a/method/m"));
  EXPECT_TRUE(IsApiError(response, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(response.body.find("app-port"), std::string::npos) << response.body;

  auto unknown = without_app.handle(make_request("POST", "/v1.0/invoke/app-z/method/m"));
  EXPECT_TRUE(IsApiError(unknown, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(unknown.body.find("app-z"), std::string::npos) << unknown.body;
}

TEST_F(InvokeApiTest, AnEncodedUrlIsCalledDirectly) {
  App app;
  Sidecar sidecar(components_, options_for("app-a", std::nullopt));
  std::string target = "/v1.0/invoke/http%3A%2F%2F127.0.0.1%3A" + std::to_string(app.port()) +
                       "/method/api/status/202?q=1";
  auto response = sidecar.handle(make_request("POST", target, {{"x-foo", "bar"}}, "payload"));
  EXPECT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(response.body, "echo:payload");
  http::Request seen = app.last();
  EXPECT_EQ(seen.path, "/api/status/202");
  EXPECT_EQ(seen.query, "q=1");
  EXPECT_EQ(seen.header("x-foo"), "bar");
  EXPECT_EQ(seen.header("dapr-callee-app-id"), "");

  // Nothing listening there: the call fails, as a transport failure does.
  std::string closed = "/v1.0/invoke/http%3A%2F%2F127.0.0.1%3A1/method/x";
  EXPECT_TRUE(IsApiError(sidecar.handle(make_request("GET", closed)), 500, "ERR_DIRECT_INVOKE"));
}

TEST_F(InvokeApiTest, AnotherAppIsFoundThroughSqliteNameResolution) {
  std::string config = sqlite_config();
  App app_b;
  app_b.name("b");
  Sidecar sidecar_b(components_, options_for("app-b", app_b.port(), config));
  auto server_b =
      http::Server::start({}, [&](const http::Request& r) { return sidecar_b.handle(r); });
  ASSERT_TRUE(server_b) << server_b.error();
  sidecar_b.advertise("0.0.0.0", (*server_b)->port());

  Sidecar sidecar_a(components_, options_for("app-a", std::nullopt, config));
  auto response =
      sidecar_a.handle(make_request("POST", "/v1.0/invoke/app-b/method/deep/path/201?k=v",
                                    {{"x-foo", "bar"}, {"content-type", "text/plain"}}, "from a"));
  EXPECT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.body, "echo:from a");
  EXPECT_EQ(header(response.headers, "x-app"), "b");
  http::Request seen = app_b.last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/deep/path/201");
  EXPECT_EQ(seen.query, "k=v");
  EXPECT_EQ(seen.header("x-foo"), "bar");
  EXPECT_EQ(seen.header("content-type"), "text/plain");
  EXPECT_EQ(seen.header("dapr-caller-app-id"), "app-a");
  EXPECT_EQ(seen.header("dapr-callee-app-id"), "app-b");
  EXPECT_EQ(seen.header("wasmdapr-forwarded"), "");

  // The header route reaches it the same way.
  auto by_header = sidecar_a.handle(make_request("GET", "/x/200", {{"dapr-app-id", "app-b"}}));
  EXPECT_EQ(by_header.status, 200) << by_header.body;
  EXPECT_EQ(app_b.last().path, "/x/200");

  // Once B is gone (a clean shutdown), A no longer finds it.
  (*server_b)->stop();
  size_t calls = app_b.count();
  {
    Sidecar leaving(components_, options_for("app-c", std::nullopt, config));
    leaving.advertise("127.0.0.1", 1);
  }
  auto gone = sidecar_a.handle(make_request("GET", "/v1.0/invoke/app-c/method/m"));
  EXPECT_TRUE(IsApiError(gone, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(gone.body.find("app-c"), std::string::npos) << gone.body;
  EXPECT_EQ(app_b.count(), calls);
}

TEST_F(InvokeApiTest, AResolvedSidecarThatDoesNotAnswerIsErrDirectInvoke) {
  std::string config = sqlite_config();
  // A registration whose sidecar listens nowhere (a crash left it, still within its heartbeat).
  dapr::NameResolutionSpec spec;
  spec.component = "sqlite";
  spec.configuration["connectionString"] = (dir_ / "nr.db").string();
  auto ghost = components::make_sqlite_resolver(spec);
  ASSERT_TRUE(ghost) << ghost.error().message;
  ASSERT_TRUE((*ghost)->register_instance("app-ghost", "127.0.0.1:1"));

  Sidecar sidecar(components_, options_for("app-a", std::nullopt, config));
  auto response = sidecar.handle(make_request("GET", "/v1.0/invoke/app-ghost/method/m"));
  EXPECT_TRUE(IsApiError(response, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(response.body.find("127.0.0.1:1"), std::string::npos) << response.body;
}

TEST_F(InvokeApiTest, ASidecarNeverForwardsACallMeantForAnotherApp) {
  std::string config = sqlite_config();
  App app_b;
  Sidecar sidecar_b(components_, options_for("app-b", app_b.port(), config));
  auto server_b =
      http::Server::start({}, [&](const http::Request& r) { return sidecar_b.handle(r); });
  ASSERT_TRUE(server_b) << server_b.error();
  // A stale entry: app-x at the address B now listens on, which B itself would resolve too.
  dapr::NameResolutionSpec spec;
  spec.component = "sqlite";
  spec.configuration["connectionString"] = (dir_ / "nr.db").string();
  auto stale = components::make_sqlite_resolver(spec);
  ASSERT_TRUE(stale) << stale.error().message;
  ASSERT_TRUE(
      (*stale)->register_instance("app-x", "127.0.0.1:" + std::to_string((*server_b)->port())));

  Sidecar sidecar_a(components_, options_for("app-a", std::nullopt, config));
  auto response = sidecar_a.handle(make_request("GET", "/v1.0/invoke/app-x/method/m"));
  EXPECT_TRUE(IsApiError(response, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(response.body.find("stale"), std::string::npos) << response.body;
  EXPECT_EQ(app_b.count(), 0u);
}

TEST_F(InvokeApiTest, AnUnknownResolverFailsCallsToOtherAppsWithTheFileNamed) {
  fs::path config = dir_ / "mdns.yaml";
  std::ofstream(config) << "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nspec:\n"
                           "  nameResolution:\n    component: mdns\n";
  App app;
  Sidecar sidecar(components_, options_for("app-a", app.port(), config.string()));
  auto response = sidecar.handle(make_request("GET", "/v1.0/invoke/app-b/method/m"));
  EXPECT_TRUE(IsApiError(response, 500, "ERR_DIRECT_INVOKE"));
  EXPECT_NE(response.body.find("mdns.yaml"), std::string::npos) << response.body;
  // Its own app is still reachable.
  EXPECT_EQ(sidecar.handle(make_request("GET", "/v1.0/invoke/app-a/method/m")).status, 200);
}

}  // namespace
}  // namespace wasmdapr::sidecar
