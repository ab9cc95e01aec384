// CloudEvents as Dapr's runtime writes and reads them: the generated envelope and its data
// forms, the app's own events completed, overrides, expiry, raw payloads and base64.
#include "dapr/cloud_event.h"

#include <gtest/gtest.h>

#include "dapr/publisher.h"

namespace wasmdapr::dapr {
namespace {

using namespace std::chrono_literals;

EventContext context(Metadata metadata = {}) {
  EventContext c{"pubsub", "orders", "checkout", std::move(metadata)};
  c.now = std::chrono::system_clock::from_time_t(1'700'000'000);  // 2023-11-14T22:13:20Z
  return c;
}

std::string text(const JsonView& event, std::string_view name) {
  const JsonView* member = event.find(name);
  if (!member) return "<missing>";
  return member->is_string() ? member->string() : std::string(member->raw());
}

// Owns its text, which every JsonView taken from it points into.
CloudEvent parsed(const std::string& json) {
  auto event = CloudEvent::parse(json);
  EXPECT_TRUE(event) << json;
  if (!event) event = CloudEvent::parse("{}");
  return std::move(*event);
}

std::string text(const CloudEvent& event, std::string_view name) {
  return text(event.json(), name);
}

TEST(CloudEvent, NewEventCarriesEveryFieldDaprWrites) {
  auto json = new_cloud_event(R"({"a":1})", "application/json", context());
  ASSERT_TRUE(json) << json.error().message;
  CloudEvent event = parsed(*json);
  EXPECT_EQ(text(event, "id").size(), 36u);
  EXPECT_EQ(text(event, "id")[14], '4');
  EXPECT_EQ(text(event, "specversion"), "1.0");
  EXPECT_EQ(text(event, "datacontenttype"), "application/json");
  EXPECT_EQ(text(event, "source"), "checkout");
  EXPECT_EQ(text(event, "type"), "com.dapr.event.sent");
  EXPECT_EQ(text(event, "topic"), "orders");
  EXPECT_EQ(text(event, "pubsubname"), "pubsub");
  EXPECT_EQ(text(event, "time"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(text(event, "traceid"), text(event, "traceparent"));
  EXPECT_EQ(text(event, "traceparent").size(), 55u);
  EXPECT_EQ(text(event, "tracestate"), "");
  EXPECT_EQ(text(event, "data"), R"({"a":1})");
  EXPECT_EQ(text(event, "expiration"), "<missing>");
}

TEST(CloudEvent, DataIsEmbeddedJsonBase64OrAString) {
  auto json =
      parsed(*new_cloud_event("[1, 2]", "application/cloudevents-batch+json; x=y", context()));
  EXPECT_EQ(json.json().find("data")->raw(), "[1, 2]");
  auto broken = parsed(*new_cloud_event("{oops", "application/json", context()));
  EXPECT_EQ(broken.json().find("data")->string(), "{oops");
  auto binary =
      parsed(*new_cloud_event(std::string("\x00\xff", 2), "application/octet-stream", context()));
  EXPECT_EQ(text(binary, "data_base64"), "AP8=");
  EXPECT_EQ(binary.json().find("data"), nullptr);
  auto plain = parsed(*new_cloud_event("42", "", context()));
  EXPECT_EQ(text(plain, "datacontenttype"), "text/plain");
  EXPECT_TRUE(plain.json().find("data")->is_string());
  EXPECT_EQ(plain.json().find("data")->string(), "42");
}

TEST(CloudEvent, OverridesAndTtl) {
  auto json = new_cloud_event("x", "text/plain",
                              context({{"cloudevent.id", "my-id"},
                                       {"cloudevent.source", "elsewhere"},
                                       {"cloudevent.type", "t"},
                                       {"cloudevent.subject", "s"},
                                       {"cloudevent.traceparent", "00-abc-def-01"},
                                       {"ttlInSeconds", "60"}}));
  ASSERT_TRUE(json);
  CloudEvent event = parsed(*json);
  EXPECT_EQ(text(event, "id"), "my-id");
  EXPECT_EQ(text(event, "source"), "elsewhere");
  EXPECT_EQ(text(event, "type"), "t");
  EXPECT_EQ(text(event, "subject"), "s");
  EXPECT_EQ(text(event, "traceparent"), "00-abc-def-01");
  EXPECT_EQ(text(event, "traceid"), "00-abc-def-01");
  EXPECT_EQ(text(event, "expiration"), "2023-11-14T22:14:20Z");
  auto bad = new_cloud_event("x", "text/plain", context({{"ttlInSeconds", "soon"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Error::Code::InvalidArgument);
}

TEST(CloudEvent, TheAppsOwnEventKeepsItsFieldsAndGetsDefaults) {
  auto json =
      complete_cloud_event(R"({"id":"e1","data":{"k":"v"},"topic":"wrong","x":true})", context());
  ASSERT_TRUE(json) << json.error().message;
  CloudEvent event = parsed(*json);
  EXPECT_EQ(text(event, "id"), "e1");
  EXPECT_EQ(text(event, "data"), R"({"k":"v"})");
  EXPECT_EQ(text(event, "x"), "true");
  EXPECT_EQ(text(event, "topic"), "orders");
  EXPECT_EQ(text(event, "pubsubname"), "pubsub");
  EXPECT_EQ(text(event, "source"), "Dapr");
  EXPECT_EQ(text(event, "type"), "com.dapr.event.sent");
  EXPECT_EQ(text(event, "specversion"), "1.0");
  EXPECT_EQ(text(event, "time"), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(complete_cloud_event("[1]", context()));
  EXPECT_FALSE(complete_cloud_event("not json", context()));
}

TEST(CloudEvent, RawPayloadIsReadAsGoReadsBooleans) {
  EXPECT_FALSE(*raw_payload({}));
  EXPECT_TRUE(*raw_payload({{"rawPayload", "true"}}));
  EXPECT_TRUE(*raw_payload({{"rawPayload", "1"}}));
  EXPECT_FALSE(*raw_payload({{"rawPayload", "False"}}));
  auto bad = raw_payload({{"rawPayload", "yes"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'yes'"), std::string::npos);
  CloudEvent raw = parsed(raw_payload_event("hi", "t", "p"));
  EXPECT_EQ(text(raw, "data_base64"), "aGk=");
  EXPECT_EQ(text(raw, "datacontenttype"), "application/octet-stream");
}

TEST(CloudEvent, ReadingFieldsAndExpiry) {
  auto event = CloudEvent::parse(
      R"({"type":"t","data":{"kind":"vip","n":1},"expiration":"2023-11-14T23:13:20+01:00"})");
  ASSERT_TRUE(event) << event.error();
  ASSERT_NE(event->field("data.kind"), nullptr);
  EXPECT_EQ(event->field("data.kind")->string(), "vip");
  EXPECT_EQ(event->field("data.missing"), nullptr);
  EXPECT_EQ(event->field("type.deeper"), nullptr);
  auto at = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_TRUE(event->expired(at));
  EXPECT_FALSE(event->expired(at - 1s));
  EXPECT_FALSE(CloudEvent::parse("[1]"));
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.5Z").value() - at, 500ms);
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13:20Z"));
}

TEST(CloudEvent, ContentTypesAndMemberNames) {
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(is_json_content_type("text/json"));
  EXPECT_TRUE(is_cloud_event_content_type("application/cloudevents+json;charset=utf-8"));
  EXPECT_TRUE(is_binary_content_type("application/octet-stream"));
  EXPECT_FALSE(is_binary_content_type("text/plain"));
  CloudEvent object = parsed(R"({"entryID":"a","entryId":"b","Other":1})");
  EXPECT_EQ(find_member(object.json(), "entryId")->string(), "b");
  EXPECT_EQ(find_member(object.json(), "OTHER")->raw(), "1");
  EXPECT_EQ(find_member(object.json(), "none"), nullptr);
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_EQ(base64_encode("abc"), "YWJj");
}

// dapr::publish hands the broker the envelope, or the bytes with rawPayload, and strips the
// envelope-only cloudevent.* keys from the message metadata.
class CapturingPubSub final : public PubSub {
 public:
  Result<void, Error> publish(const PubSubMessage& message) override {
    last = message;
    return {};
  }
  Result<void, Error> subscribe(const std::string&, const Metadata&, MessageHandler) override {
    return {};
  }
  void close() override {}
  PubSubMessage last;
};

TEST(Publisher, WrapsOrPassesThroughAndValidates) {
  CapturingPubSub broker;
  ASSERT_TRUE(publish(broker,
                      {"pubsub", "t", "hello", "", {{"cloudevent.id", "i"}, {"partitionKey", "k"}}},
                      "app"));
  EXPECT_EQ(broker.last.topic, "t");
  EXPECT_EQ(broker.last.content_type, "application/cloudevents+json");
  EXPECT_EQ(broker.last.metadata, (Metadata{{"partitionKey", "k"}}));
  EXPECT_EQ(text(parsed(broker.last.data), "id"), "i");
  ASSERT_TRUE(publish(broker, {"pubsub", "t", "raw bytes", "", {{"rawPayload", "true"}}}, "app"));
  EXPECT_EQ(broker.last.data, "raw bytes");
  EXPECT_FALSE(publish(broker, {"pubsub", "", "x", "", {}}, "app"));
  EXPECT_FALSE(publish(broker, {"pubsub", "t", "x", "", {{"rawPayload", "maybe"}}}, "app"));
}

}  // namespace
}  // namespace wasmdapr::dapr
