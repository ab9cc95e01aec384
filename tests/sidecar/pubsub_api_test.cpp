// Pub/sub through the sidecar: publish and bulk publish with the runtime's codes, and
// deliveries to a real app server (programmatic and declarative subscriptions, CloudEvent
// envelopes, routing rules, the app's SUCCESS/RETRY/DROP answers and dead letters).
#include "sidecar/pubsub_api.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

#include "components/registry.h"
#include "dapr/json_view.h"
#include "sidecar/api_test_support.h"
#include "sidecar/sidecar.h"
#include "sidecar/subscriptions.h"
#include "support/redis_server.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

using dapr::JsonView;

http::Request post(std::string_view target, std::string body, std::string content_type = "") {
  http::Request r;
  r.method = "POST";
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  return r;
}

std::string text_of(const JsonView& event, std::string_view name) {
  const JsonView* member = event.find(name);
  if (!member) return "<missing>";
  return member->is_string() ? member->string() : std::string(member->raw());
}

// An app on a loopback port: answers /dapr/subscribe with `subscriptions`, records every
// delivery by path, and answers each with the next of the answers scripted for its path.
class App {
 public:
  struct Delivery {
    std::string path, content_type, body;
  };

  explicit App(std::string subscriptions) : subscriptions_(std::move(subscriptions)) {
    auto server = http::Server::start({}, [this](const http::Request& r) { return handle(r); });
    EXPECT_TRUE(server);
    server_ = std::move(*server);
  }
  ~App() { server_->stop(); }
  uint16_t port() const { return server_->port(); }

  void script(const std::string& path, std::vector<http::Response> answers) {
    std::lock_guard lock(mutex_);
    answers_[path] = std::move(answers);
  }
  // Waits until `path` has had `count` deliveries, and returns them.
  std::vector<Delivery> wait_for(const std::string& path, size_t count = 1) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return received_[path].size() >= count; });
    return received_[path];
  }
  size_t count(const std::string& path) {
    std::lock_guard lock(mutex_);
    return received_[path].size();
  }

 private:
  http::Response handle(const http::Request& r) {
    if (r.method == "GET" && r.path == "/dapr/subscribe") {
      if (subscriptions_.empty()) return http::Response{404, {}, ""};
      http::Response response{200, {}, subscriptions_};
      return response.with_header("Content-Type", "application/json");
    }
    std::lock_guard lock(mutex_);
    received_[r.path].push_back({r.path, std::string(r.header("Content-Type")), r.body});
    cv_.notify_all();
    auto& answers = answers_[r.path];
    if (answers.empty()) return http::Response{200, {}, ""};
    http::Response answer = answers.front();
    if (answers.size() > 1) answers.erase(answers.begin());
    return answer;
  }

  std::string subscriptions_;
  std::unique_ptr<http::Server> server_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Delivery>> received_;
  std::map<std::string, std::vector<http::Response>> answers_;
};

http::Response status_answer(std::string status) {
  return http::Response{
      200, {{"Content-Type", "application/json"}}, R"({"status":")" + status + R"("})"};
}

dapr::ComponentSet pubsub_components(std::vector<dapr::SubscriptionSpec> declared = {}) {
  dapr::ComponentSpec spec;
  spec.name = "pubsub";
  spec.type = "pubsub.in-memory";
  // One delivery thread, so that a message published later is handled later.
  spec.metadata = {{"retryInterval", "1ms"}, {"maxRetries", "5"}, {"concurrency", "1"}};
  auto built = components::builtin_registry().build({spec});
  EXPECT_TRUE(built) << (built ? "" : built.error());
  built->subscriptions = std::move(declared);
  return std::move(*built);
}

// Publishing, subscriptions and the app, torn down in the order the sidecar host uses.
class Delivering {
 public:
  Delivering(std::string programmatic, std::vector<dapr::SubscriptionSpec> declared = {})
      : app(std::move(programmatic)),
        components(pubsub_components(std::move(declared))),
        channel(AppChannelOptions{app.port()}),
        api(components, "publisher-app"),
        subscriptions(std::make_unique<Subscriptions>(components, channel, "publisher-app")) {
    subscriptions->start();
  }
  ~Delivering() {
    for (auto& [name, entry] : components.pubsubs) entry.component->close();
    subscriptions.reset();
  }
  // Waits until `n` subscriptions are active, and returns the metadata listing.
  std::string wait_active(size_t n) {
    for (;;) {
      std::string listing = subscriptions->metadata_json();
      auto json = JsonView::parse(listing);
      if (json && json->items().size() >= n) return listing;
      std::this_thread::yield();
    }
  }
  http::Response publish(std::string topic, std::string body, std::string content_type,
                         std::string query = "") {
    return api.publish(
        "pubsub", topic,
        post("/v1.0/publish/pubsub/" + topic + query, std::move(body), std::move(content_type)));
  }

  App app;
  dapr::ComponentSet components;
  AppChannel channel;
  PubSubApi api;
  std::unique_ptr<Subscriptions> subscriptions;
};

// A rule outside the supported expressions (never matches), rules tried in order, a default,
// a dead-letter topic the app also subscribes to, member names in other cases, and an entry
// for a pub/sub that does not exist (skipped).
constexpr const char* kOrders =
    R"js([{"pubsubname":"pubsub","topic":"orders","routes":{"rules":[)js"
    R"js({"match":"event.type.startsWith(\"x\")","path":"/never"},)js"
    R"js({"match":"event.type == \"special\" || event.data.kind == 'vip'","path":"/special"},)js"
    R"js({"match":"(event.data.tier == 'gold' || event.data.tier == \"silver\") && )js"
    R"js(event.source != 'blocked'","path":"/tiered"}],)js"
    R"js("default":"/orders"},"deadLetterTopic":"poison"},)js"
    R"js({"pubsubName":"pubsub","Topic":"poison","route":"dead"},)js"
    R"js({"pubsubname":"nosuch","topic":"x","route":"/x"}])js";

TEST(PubSubApi, PublishErrorsUseTheRuntimeCodes) {
  dapr::ComponentSet none;
  Sidecar empty(none, SidecarOptions{"app"});
  EXPECT_TRUE(IsApiError(empty.handle(post("/v1.0/publish/pubsub/t", "x")), 400,
                         "ERR_PUBSUB_NOT_CONFIGURED"));
  auto components = pubsub_components();
  Sidecar sidecar(components, SidecarOptions{"app"});
  EXPECT_TRUE(
      IsApiError(sidecar.handle(post("/v1.0/publish/nope/t", "x")), 404, "ERR_PUBSUB_NOT_FOUND"));
  EXPECT_TRUE(
      IsApiError(sidecar.handle(post("/v1.0/publish/pubsub/t?metadata.rawPayload=yes", "x")), 400,
                 "ERR_PUBSUB_REQUEST_METADATA"));
  EXPECT_TRUE(IsApiError(
      sidecar.handle(post("/v1.0/publish/pubsub/t", "not json", "application/cloudevents+json")),
      500, "ERR_PUBSUB_CLOUD_EVENTS_SER"));
  PubSubApi api(components, "app");
  EXPECT_TRUE(IsApiError(api.publish("pubsub", "", post("/", "x")), 404, "ERR_TOPIC_NAME_EMPTY"));
  EXPECT_EQ(sidecar.handle(post("/v1.0/publish/pubsub/t", "x")).status, 204);
  auto put = post("/v1.0/publish/pubsub/t", "x");
  put.method = "PUT";
  EXPECT_EQ(sidecar.handle(put).status, 204);
  EXPECT_TRUE(IsApiError(sidecar.handle(post("/v1.0-alpha1/publish/bulk/nope/t", "[]")), 400,
                         "ERR_PUBSUB_NOT_FOUND"));
  for (auto& [name, entry] : components.pubsubs) entry.component->close();
}

TEST(PubSubApi, JsonAndTextPayloadsArriveAsCloudEvents) {
  Delivering d(kOrders);
  d.wait_active(2);
  ASSERT_EQ(d.publish("orders", R"({"id":7})", "application/json").status, 204);
  ASSERT_EQ(d.publish("orders", "hello", "").status, 204);
  auto got = d.app.wait_for("/orders", 2);
  std::map<std::string, std::string> data;
  for (const auto& delivery : got) {
    EXPECT_EQ(delivery.content_type, "application/cloudevents+json");
    auto event = JsonView::parse(delivery.body);
    ASSERT_TRUE(event && event->is_object()) << delivery.body;
    EXPECT_EQ(text_of(*event, "specversion"), "1.0");
    EXPECT_EQ(text_of(*event, "type"), "com.dapr.event.sent");
    EXPECT_EQ(text_of(*event, "source"), "publisher-app");
    EXPECT_EQ(text_of(*event, "topic"), "orders");
    EXPECT_EQ(text_of(*event, "pubsubname"), "pubsub");
    EXPECT_EQ(text_of(*event, "id").size(), 36u);
    EXPECT_NE(text_of(*event, "traceparent"), "<missing>");
    EXPECT_NE(text_of(*event, "time"), "<missing>");
    data[text_of(*event, "datacontenttype")] = std::string(event->find("data")->raw());
  }
  EXPECT_EQ(data["application/json"], R"({"id":7})");
  EXPECT_EQ(data["text/plain"], R"("hello")");
}

TEST(PubSubApi, RulesPickThePathInOrderAndTheAppsOwnCloudEventKeepsItsFields) {
  Delivering d(kOrders);
  d.wait_active(2);
  ASSERT_EQ(d.publish("orders", R"({"kind":"vip"})", "application/json").status, 204);
  ASSERT_EQ(
      d.publish("orders", R"({"id":"e1","type":"special","source":"me","data":"x","extra":1})",
                "application/cloudevents+json")
          .status,
      204);
  auto got = d.app.wait_for("/special", 2);
  bool own_event_seen = false;
  for (const auto& delivery : got) {
    auto event = JsonView::parse(delivery.body);
    ASSERT_TRUE(event);
    if (text_of(*event, "id") != "e1") continue;
    own_event_seen = true;
    EXPECT_EQ(text_of(*event, "source"), "me");
    EXPECT_EQ(text_of(*event, "extra"), "1");
    EXPECT_EQ(text_of(*event, "topic"), "orders");
    EXPECT_EQ(text_of(*event, "specversion"), "1.0");
  }
  EXPECT_TRUE(own_event_seen);

  ASSERT_EQ(d.publish("orders", R"({"tier":"silver"})", "application/json").status, 204);
  ASSERT_EQ(
      d.publish("orders", R"({"id":"b","source":"blocked","type":"t","data":{"tier":"gold"}})",
                "application/cloudevents+json")
          .status,
      204);
  auto tiered = d.app.wait_for("/tiered");
  d.app.wait_for("/orders");             // the blocked source fell through to the default
  EXPECT_EQ(d.app.count("/never"), 0u);  // an expression outside the subset never matches
  auto silver = JsonView::parse(tiered[0].body);
  ASSERT_TRUE(silver);
  EXPECT_EQ(silver->find("data")->raw(), R"({"tier":"silver"})");
  auto listing = d.wait_active(2);
  EXPECT_NE(listing.find(R"("type":"PROGRAMMATIC")"), std::string::npos) << listing;
  EXPECT_NE(listing.find(R"("deadLetterTopic":"poison")"), std::string::npos) << listing;
  EXPECT_NE(listing.find(R"({"match":"","path":"/orders"})"), std::string::npos) << listing;
}

TEST(PubSubApi, RetryRedeliversAndDropAnd404GoToTheDeadLetterTopic) {
  Delivering d(kOrders);
  d.wait_active(2);
  d.app.script("/orders", {status_answer("RETRY"), status_answer("SUCCESS")});
  ASSERT_EQ(d.publish("orders", "again", "text/plain").status, 204);
  d.app.wait_for("/orders", 2);

  d.app.script("/orders", {status_answer("DROP")});
  ASSERT_EQ(d.publish("orders", "dropped", "text/plain").status, 204);
  auto dead = d.app.wait_for("/dead");
  auto event = JsonView::parse(dead[0].body);
  ASSERT_TRUE(event);
  EXPECT_EQ(text_of(*event, "data"), "dropped");
  EXPECT_EQ(d.app.count("/orders"), 3u);

  d.app.script("/orders", {http::Response{404, {}, ""}});
  ASSERT_EQ(d.publish("orders", "missing", "text/plain").status, 204);
  d.app.wait_for("/dead", 2);

  // An event whose expiration has passed is not delivered (nor, as a dead letter, to /dead: it
  // has expired there too). One delivery thread: the marker is handled after it.
  size_t orders_before = d.app.count("/orders");
  ASSERT_EQ(d.publish("orders", R"({"id":"old","expiration":"2000-01-01T00:00:00Z","data":"x"})",
                      "application/cloudevents+json")
                .status,
            204);
  ASSERT_EQ(d.publish("orders", "marker", "text/plain").status, 204);
  auto orders = d.app.wait_for("/orders", orders_before + 1);
  EXPECT_EQ(text_of(*JsonView::parse(orders.back().body), "data"), "marker");
}

TEST(PubSubApi, DeclarativeSubscriptionsWithRawPayload) {
  dapr::SubscriptionSpec raw;
  raw.name = "raw";
  raw.pubsub_name = "pubsub";
  raw.topic = "bytes";
  raw.default_path = "/raw";
  raw.metadata = {{"rawPayload", "true"}};
  Delivering d("", {raw});
  auto listing = d.wait_active(1);
  EXPECT_NE(listing.find(R"("type":"DECLARATIVE")"), std::string::npos) << listing;
  ASSERT_EQ(
      d.publish("bytes", "abc", "application/octet-stream", "?metadata.rawPayload=true").status,
      204);
  auto got = d.app.wait_for("/raw");
  auto event = JsonView::parse(got[0].body);
  ASSERT_TRUE(event) << got[0].body;
  EXPECT_EQ(text_of(*event, "data_base64"), "YWJj");
  EXPECT_EQ(text_of(*event, "datacontenttype"), "application/octet-stream");
}

TEST(PubSubApi, BulkPublishDeliversEveryEntryAndRefusesDuplicateIds) {
  Delivering d(kOrders);
  d.wait_active(2);
  auto duplicate =
      d.api.bulk_publish("pubsub", "orders",
                         post("/", R"([{"entryId":"1","event":"a","contentType":"text/plain"},)"
                                   R"({"entryId":"1","event":"b","contentType":"text/plain"}])"));
  EXPECT_TRUE(IsApiError(duplicate, 400, "ERR_PUBSUB_EVENTS_SER"));
  auto ok = d.api.bulk_publish(
      "pubsub", "orders",
      post("/", R"([{"entryId":"1","event":"a","contentType":"text/plain"},)"
                R"({"entryID":"2","event":{"n":2},"contentType":"application/json"}])"));
  EXPECT_EQ(ok.status, 204) << ok.body;
  auto got = d.app.wait_for("/orders", 2);
  std::set<std::string> data;
  for (const auto& delivery : got) {
    auto event = JsonView::parse(delivery.body);
    ASSERT_TRUE(event);
    data.insert(std::string(event->find("data")->raw()));
  }
  EXPECT_EQ(data, (std::set<std::string>{R"("a")", R"({"n":2})"}));
}

// One app's instance over a shared Redis: its own components, app server and subscriptions.
struct RedisSubscriber {
  RedisSubscriber(const std::string& redis_address, const std::string& app_id)
      : app(R"([{"pubsubname":"pubsub","topic":"orders","route":"/orders"}])"),
        channel(AppChannelOptions{app.port()}) {
    dapr::ComponentSpec spec;
    spec.name = "pubsub";
    spec.type = "pubsub.redis";
    spec.metadata = {{"redisHost", redis_address}};
    auto built = components::builtin_registry().build({spec});
    EXPECT_TRUE(built) << (built ? "" : built.error());
    components = std::move(*built);
    subscriptions = std::make_unique<Subscriptions>(components, channel, app_id);
    subscriptions->start();
    while (subscriptions->metadata_json() == "[]") std::this_thread::yield();
  }
  ~RedisSubscriber() {
    for (auto& [name, entry] : components.pubsubs) entry.component->close();
    subscriptions.reset();
  }

  App app;
  dapr::ComponentSet components;
  AppChannel channel;
  std::unique_ptr<Subscriptions> subscriptions;
};

TEST(PubSubApi, InstancesOfOneAppShareMessagesAndEveryAppGetsEachOne) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.running()) << redis.failure();
  RedisSubscriber alpha1(redis.address(), "alpha");
  RedisSubscriber alpha2(redis.address(), "alpha");
  RedisSubscriber beta(redis.address(), "beta");
  PubSubApi api(beta.components, "beta");
  for (int i = 0; i < 4; ++i) {
    auto target = "/v1.0/publish/pubsub/orders";
    ASSERT_EQ(api.publish("pubsub", "orders", post(target, std::to_string(i), "text/plain")).status,
              204);
  }
  beta.app.wait_for("/orders", 4);
  for (;;) {
    size_t alpha = alpha1.app.count("/orders") + alpha2.app.count("/orders");
    if (alpha >= 4) break;
    std::this_thread::yield();
  }
  // Each message once per app: the consumer group is the app id.
  EXPECT_EQ(alpha1.app.count("/orders") + alpha2.app.count("/orders"), 4u);
  EXPECT_EQ(beta.app.count("/orders"), 4u);
}

}  // namespace
}  // namespace wasmdapr::sidecar
