// The configuration routes of the Dapr HTTP API as Sidecar::handle answers them over a real
// configuration.redis store: reads, the runtime's errors, and subscriptions whose changes the
// sidecar POSTs to an app (an http::Server on a loopback port).
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "components/configuration/redis_configuration.h"
#include "dapr/json_view.h"
#include "sidecar/api_test_support.h"
#include "sidecar/sidecar.h"
#include "support/redis_server.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

using dapr::JsonView;
using testing::RedisServer;

constexpr auto kPatience = std::chrono::seconds(20);  // a passing test never waits it out

http::Request get_request(std::string_view target) {
  http::Request r;
  r.method = "GET";
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  return r;
}

std::string string_at(const JsonView& object, std::string_view name) {
  const JsonView* found = object.is_object() ? object.find(name) : nullptr;
  return found && found->is_string() ? found->string() : "<absent>";
}

// Writes configuration items into Redis beside the component.
void redis_set(const RedisServer& server, const std::string& key, const std::string& value) {
  redisContext* context = redisConnect("127.0.0.1", server.port());
  ASSERT_TRUE(context && !context->err);
  auto* reply =
      static_cast<redisReply*>(redisCommand(context, "SET %s %s", key.c_str(), value.c_str()));
  ASSERT_NE(reply, nullptr);
  freeReplyObject(reply);
  redisFree(context);
}

// A configuration store whose every call fails, as a backend that cannot be reached would.
class BrokenStore final : public dapr::ConfigurationStore {
 public:
  Result<dapr::ConfigurationItems, dapr::Error> get(const std::vector<std::string>&,
                                                    const dapr::Metadata&) override {
    return unexpected(dapr::Error{dapr::Error::Code::Unavailable, "backend down"});
  }
  Result<std::string, dapr::Error> subscribe(const std::vector<std::string>&, const dapr::Metadata&,
                                             ChangeHandler) override {
    return unexpected(dapr::Error{dapr::Error::Code::Unavailable, "backend down"});
  }
  Result<void, dapr::Error> unsubscribe(const std::string&) override {
    return unexpected(dapr::Error{dapr::Error::Code::NotFound, "no such subscription"});
  }
};

// The app: records every POST it is sent.
class App {
 public:
  App() {
    auto started = http::Server::start({}, [this](const http::Request& request) {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
      arrived_.notify_all();
      return http::Response{};
    });
    EXPECT_TRUE(started) << started.error();
    if (started) server_ = std::move(*started);
  }
  uint16_t port() const { return server_->port(); }

  std::optional<http::Request> next() {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, kPatience, [&] { return !received_.empty(); })) return {};
    auto request = std::move(received_.front());
    received_.pop_front();
    return request;
  }
  size_t pending() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<http::Request> received_;
  std::unique_ptr<http::Server> server_;
};

class ConfigurationApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.running()) << redis_.failure();
    dapr::ComponentSpec spec;
    spec.name = "configstore";
    spec.type = "configuration.redis";
    spec.metadata["redisHost"] = redis_.address();
    auto store = components::make_redis_configuration(spec);
    ASSERT_TRUE(store) << store.error().message;
    components_.configurations["configstore"] = {spec, std::move(*store)};
    components_.configurations["broken"] = {dapr::ComponentSpec{}, std::make_shared<BrokenStore>()};
    SidecarOptions options;
    options.app_id = "configapp";
    options.app_channel.port = app_.port();
    sidecar_ = std::make_unique<Sidecar>(components_, options);
  }

  RedisServer redis_;
  App app_;
  dapr::ComponentSet components_;
  std::unique_ptr<Sidecar> sidecar_;
};

TEST_F(ConfigurationApiTest, GetAnswersTheItemsThatExistByKey) {
  redis_set(redis_, "color", "blue||3");
  redis_set(redis_, "size", "L");
  for (std::string_view version : {"v1.0", "v1.0-alpha1"}) {
    auto response = sidecar_->handle(get_request(
        "/" + std::string(version) + "/configuration/configstore?key=color&key=size&key=nope"));
    ASSERT_EQ(response.status, 200) << response.body;
    auto json = JsonView::parse(response.body);
    ASSERT_TRUE(json && json->is_object()) << response.body;
    EXPECT_EQ(json->members().size(), 2u);
    const JsonView* color = json->find("color");
    ASSERT_TRUE(color);
    EXPECT_EQ(string_at(*color, "value"), "blue");
    EXPECT_EQ(string_at(*color, "version"), "3");
    ASSERT_TRUE(color->find("metadata") && color->find("metadata")->is_object());
    EXPECT_EQ(string_at(*json->find("size"), "version"), "");
  }
}

TEST_F(ConfigurationApiTest, GetWithoutKeysAnswersEveryItemAndNoneIs204) {
  auto empty = sidecar_->handle(get_request("/v1.0/configuration/configstore"));
  EXPECT_EQ(empty.status, 204);
  EXPECT_TRUE(empty.body.empty());
  auto missing = sidecar_->handle(get_request("/v1.0/configuration/configstore?key=nope"));
  EXPECT_EQ(missing.status, 204);

  redis_set(redis_, "a", "1||1");
  redis_set(redis_, "b", "2||1");
  auto all = sidecar_->handle(get_request("/v1.0/configuration/configstore"));
  ASSERT_EQ(all.status, 200);
  auto json = JsonView::parse(all.body);
  ASSERT_TRUE(json && json->is_object());
  EXPECT_EQ(json->members().size(), 2u);
}

TEST_F(ConfigurationApiTest, ErrorsAreTheRuntimes) {
  EXPECT_TRUE(IsApiError(sidecar_->handle(get_request("/v1.0/configuration/unknown?key=a")), 400,
                         "ERR_CONFIGURATION_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(sidecar_->handle(get_request("/v1.0/configuration/broken?key=a")), 500,
                         "ERR_CONFIGURATION_GET"));
  EXPECT_TRUE(IsApiError(sidecar_->handle(get_request("/v1.0/configuration/broken/subscribe")), 500,
                         "ERR_CONFIGURATION_SUBSCRIBE"));
  EXPECT_TRUE(IsApiError(sidecar_->handle(get_request("/v1.0/configuration/unknown/subscribe")),
                         400, "ERR_CONFIGURATION_STORE_NOT_FOUND"));

  dapr::ComponentSet none;
  Sidecar bare(none, SidecarOptions{});
  EXPECT_TRUE(IsApiError(bare.handle(get_request("/v1.0/configuration/configstore?key=a")), 500,
                         "ERR_CONFIGURATION_STORE_NOT_CONFIGURED"));
}

TEST_F(ConfigurationApiTest, SubscriptionPostsEachChangeToTheApp) {
  auto subscribed =
      sidecar_->handle(get_request("/v1.0/configuration/configstore/subscribe?key=color"));
  ASSERT_EQ(subscribed.status, 200) << subscribed.body;
  auto json = JsonView::parse(subscribed.body);
  ASSERT_TRUE(json && json->is_object());
  std::string id = string_at(*json, "id");
  EXPECT_EQ(id.size(), 36u);  // a UUID, as the runtime gives

  redis_set(redis_, "other", "x");
  redis_set(redis_, "color", "green||4");
  auto posted = app_.next();
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->method, "POST");
  EXPECT_EQ(posted->path, "/configuration/configstore/color");
  auto event = JsonView::parse(posted->body);
  ASSERT_TRUE(event && event->is_object()) << posted->body;
  EXPECT_EQ(string_at(*event, "id"), id);
  const JsonView* items = event->find("items");
  ASSERT_TRUE(items && items->is_object()) << posted->body;
  ASSERT_TRUE(items->find("color"));
  EXPECT_EQ(string_at(*items->find("color"), "value"), "green");
  EXPECT_EQ(string_at(*items->find("color"), "version"), "4");
  EXPECT_EQ(app_.pending(), 0u);  // "other" is not subscribed

  auto ended =
      sidecar_->handle(get_request("/v1.0/configuration/configstore/" + id + "/unsubscribe"));
  EXPECT_EQ(ended.status, 200);
  EXPECT_EQ(ended.body, R"({"ok":true})");

  // A second subscription proves a change happened; the ended one posted nothing for it.
  auto again =
      sidecar_->handle(get_request("/v1.0-alpha1/configuration/configstore/subscribe?key=color"));
  ASSERT_EQ(again.status, 200);
  std::string second = string_at(*JsonView::parse(again.body), "id");
  redis_set(redis_, "color", "red||5");
  auto next = app_.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(string_at(*JsonView::parse(next->body), "id"), second);
  EXPECT_EQ(app_.pending(), 0u);
}

TEST_F(ConfigurationApiTest, UnsubscribingAnUnknownIdIsNotOk) {
  auto response = sidecar_->handle(get_request(
      "/v1.0/configuration/configstore/00000000-0000-4000-8000-000000000000/unsubscribe"));
  EXPECT_EQ(response.status, 500);
  auto json = JsonView::parse(response.body);
  ASSERT_TRUE(json && json->is_object()) << response.body;
  const JsonView* ok = json->find("ok");
  ASSERT_TRUE(ok && ok->kind() == JsonView::Kind::Bool);
  EXPECT_EQ(ok->raw(), "false");
  EXPECT_NE(string_at(*json, "message"), "<absent>");
}

TEST_F(ConfigurationApiTest, DestroyingTheSidecarEndsItsSubscriptions) {
  auto subscribed = sidecar_->handle(get_request("/v1.0/configuration/configstore/subscribe"));
  ASSERT_EQ(subscribed.status, 200);
  sidecar_.reset();
  redis_set(redis_, "color", "blue");
  // Another reader of the same store sees the change: it was published, and nobody posted it.
  auto store = components_.configuration_store("configstore");
  std::mutex mutex;
  std::condition_variable seen_cv;
  bool seen = false;
  auto id = store->subscribe({"color"}, {}, [&](const dapr::ConfigurationItems&) {
    std::lock_guard lock(mutex);
    seen = true;
    seen_cv.notify_all();
  });
  ASSERT_TRUE(id);
  redis_set(redis_, "color", "blue||2");
  std::unique_lock lock(mutex);
  ASSERT_TRUE(seen_cv.wait_for(lock, kPatience, [&] { return seen; }));
  EXPECT_EQ(app_.pending(), 0u);
}

}  // namespace
}  // namespace wasmdapr::sidecar
