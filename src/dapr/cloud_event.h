#pragma once
// CloudEvents 1.0 envelopes as Dapr's runtime writes and reads them (JSON event format).
//
// Writing (publish side):
// - new_cloud_event wraps a payload: id (random uuid), specversion 1.0, datacontenttype,
//   source (the publisher's app id), type com.dapr.event.sent, topic, pubsubname, traceid and
//   traceparent (one W3C value), tracestate, time (RFC 3339). The payload goes into `data` as
//   embedded JSON for JSON content types (as a string when it does not parse), base64 into
//   `data_base64` for binary content types, and as a string otherwise.
// - complete_cloud_event takes the app's own event (application/cloudevents+json): topic,
//   pubsubname and the trace fields are set, id, source ("Dapr"), type, specversion and time
//   filled in when missing; the app's other fields are kept as they are.
// - Both apply the `cloudevent.<field>` metadata overrides (id, source, type, subject, traceid,
//   traceparent, tracestate) and, for a ttlInSeconds, add `expiration` (RFC 3339).
//
// Reading (subscribe side): CloudEvent::parse gives a JSON view of an event's fields, for
// routing rules and expiry.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dapr/error.h"
#include "dapr/json_view.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

inline constexpr std::string_view kCloudEventContentType = "application/cloudevents+json";

struct EventContext {
  std::string pubsub_name;
  std::string topic;
  std::string source_app_id;
  Metadata metadata;  // cloudevent.* overrides, ttlInSeconds
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// InvalidArgument when ttlInSeconds is not an integer.
Result<std::string, Error> new_cloud_event(std::string_view data, std::string_view content_type,
                                           const EventContext& context);
// InvalidArgument when `event` is not a JSON object or ttlInSeconds is not an integer.
Result<std::string, Error> complete_cloud_event(std::string_view event,
                                                const EventContext& context);
// The event a rawPayload subscriber receives for bytes published raw: a random id,
// datacontenttype application/octet-stream and the bytes in data_base64.
std::string raw_payload_event(std::string_view bytes, std::string_view topic,
                              std::string_view pubsub_name);

// metadata.rawPayload as the runtime reads it (Go's ParseBool): absent means false;
// InvalidArgument for a value that is not a boolean.
Result<bool, Error> raw_payload(const Metadata& metadata);

// Whether a content type (parameters ignored, case-insensitive) is the CloudEvents JSON one,
// a JSON one (application/json, text/json, anything+json), or binary (octet-stream, protobuf).
bool is_cloud_event_content_type(std::string_view content_type);
bool is_json_content_type(std::string_view content_type);
bool is_binary_content_type(std::string_view content_type);

// An object's member as Go's encoding/json finds it, which is how the runtime reads the JSON it
// is sent (bulk publish entries, /dapr/subscribe, the app's delivery answers): the exact name
// first, else the first member whose name matches ignoring ASCII case ("entryID", "pubsubName").
const JsonView* find_member(const JsonView& object, std::string_view name);

std::string random_uuid();
std::string base64_encode(std::string_view bytes);
// RFC 3339 with an optional fraction and a Z or ±hh:mm offset; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// A parsed event. Owns its text; field() looks through nested objects ("data.kind").
class CloudEvent {
 public:
  static Result<CloudEvent, std::string> parse(std::string text);

  const JsonView& json() const { return json_; }
  // A member by dotted path, or nullptr.
  const JsonView* field(std::string_view path) const;
  // Whether it carries an `expiration` that is at or before `now`.
  bool expired(std::chrono::system_clock::time_point now) const;

 private:
  CloudEvent(std::unique_ptr<const std::string> text, JsonView json)
      : text_(std::move(text)), json_(std::move(json)) {}
  std::unique_ptr<const std::string> text_;  // on the heap: json_ points into it across moves
  JsonView json_;
};

}  // namespace wasmdapr::dapr
