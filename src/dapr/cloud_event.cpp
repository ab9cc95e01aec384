#include "dapr/cloud_event.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <random>
#include <utility>
#include <vector>

#include "dapr/state_rules.h"

namespace wasmdapr::dapr {
namespace {

constexpr std::string_view kEventType = "com.dapr.event.sent";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type without parameters, trimmed and lower-cased.
std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return lower(content_type);
}

std::string random_hex(size_t digits) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<int> hex(0, 15);
  std::string out(digits, '0');
  for (char& c : out) c = "0123456789abcdef"[hex(generator)];
  return out;
}

// A JSON object under construction: members in order, values as JSON text.
class ObjectWriter {
 public:
  void set(std::string_view name, std::string json_value) {
    for (auto& [n, v] : members_) {
      if (n == name) {
        v = std::move(json_value);
        return;
      }
    }
    members_.emplace_back(std::string(name), std::move(json_value));
  }
  void set_string(std::string_view name, std::string_view text) {
    set(name, JsonView::quote(text));
  }
  void set_default(std::string_view name, std::string_view text) {
    if (!has(name)) set_string(name, text);
  }
  bool has(std::string_view name) const {
    return std::any_of(members_.begin(), members_.end(),
                       [&](const auto& member) { return member.first == name; });
  }
  std::string text() const {
    std::string out = "{";
    for (const auto& [name, value] : members_) {
      if (out.size() > 1) out += ',';
      out += JsonView::quote(name) + ':' + value;
    }
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

std::optional<std::string> metadata_value(const Metadata& metadata, const std::string& key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return it->second;
}

// topic, pubsubname, trace fields and the cloudevent.* overrides, then expiration.
Result<void, Error> finish(ObjectWriter& event, const EventContext& context) {
  event.set_string("topic", context.topic);
  event.set_string("pubsubname", context.pubsub_name);
  auto traceparent = metadata_value(context.metadata, "cloudevent.traceparent");
  auto traceid = metadata_value(context.metadata, "cloudevent.traceid");
  std::string trace =
      traceparent.value_or(traceid.value_or("00-" + random_hex(32) + "-" + random_hex(16) + "-01"));
  event.set_string("traceid", traceid.value_or(trace));
  event.set_string("traceparent", trace);
  event.set_string("tracestate",
                   metadata_value(context.metadata, "cloudevent.tracestate").value_or(""));
  for (const char* field : {"id", "source", "type", "subject"}) {
    if (auto value = metadata_value(context.metadata, std::string("cloudevent.") + field)) {
      event.set_string(field, *value);
    }
  }
  auto ttl = parse_ttl(context.metadata);
  if (!ttl) return unexpected(std::move(ttl.error()));
  if (*ttl && ttl->value().count() > 0) {
    event.set_string("expiration", rfc3339(context.now + **ttl));
  }
  return {};
}

}  // namespace

bool is_cloud_event_content_type(std::string_view content_type) {
  return media_type(content_type) == kCloudEventContentType;
}

bool is_json_content_type(std::string_view content_type) {
  std::string type = media_type(content_type);
  return type == "application/json" || type == "text/json" || type.ends_with("+json");
}

bool is_binary_content_type(std::string_view content_type) {
  std::string type = media_type(content_type);
  return type == "application/octet-stream" || type == "application/x-protobuf" ||
         type == "application/protobuf";
}

const JsonView* find_member(const JsonView& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  if (const JsonView* exact = object.find(name)) return exact;
  std::string wanted = lower(name);
  for (const auto& [member, value] : object.members()) {
    if (lower(member) == wanted) return &value;
  }
  return nullptr;
}

std::string random_uuid() {
  std::string hex = random_hex(32);
  hex[12] = '4';
  hex[16] = "89ab"[std::string_view("0123456789abcdef").find(hex[16]) & 3];  // RFC 4122 variant
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  auto number = [&](size_t at, size_t digits) -> std::optional<int> {
    if (at + digits > text.size()) return std::nullopt;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, value);
    if (ec != std::errc() || end != text.data() + at + digits) return std::nullopt;
    return value;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text.size() < 20 ||
      text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (text[at] == '.') {
    int64_t scale = 100'000'000;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      fraction += std::chrono::nanoseconds((text[at] - '0') * scale);
      scale /= 10;
    }
  }
  std::chrono::minutes offset{0};
  bool utc = at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z');
  if (!utc) {
    if (at + 6 != text.size() || (text[at] != '+' && text[at] != '-') || text[at + 3] != ':') {
      return std::nullopt;
    }
    auto oh = number(at + 1, 2), om = number(at + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset = std::chrono::minutes((text[at] == '-' ? -1 : 1) * (*oh * 60 + *om));
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

Result<bool, Error> raw_payload(const Metadata& metadata) {
  auto it = metadata.find("rawPayload");
  if (it == metadata.end()) return false;
  const std::string& v = it->second;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return false;
  }
  return unexpected(Error{Error::Code::InvalidArgument,
                          "rawPayload value must be a valid boolean: actual is '" + v + "'"});
}

Result<std::string, Error> new_cloud_event(std::string_view data, std::string_view content_type,
                                           const EventContext& context) {
  std::string type = content_type.empty() ? "text/plain" : std::string(content_type);
  ObjectWriter event;
  event.set_string("id", random_uuid());
  event.set_string("source", context.source_app_id);
  event.set_string("type", kEventType);
  event.set_string("specversion", "1.0");
  event.set_string("datacontenttype", type);
  if (is_json_content_type(type)) {
    event.set("data", JsonView::valid(data) ? std::string(data) : JsonView::quote(data));
  } else if (is_binary_content_type(type)) {
    event.set_string("data_base64", base64_encode(data));
  } else {
    event.set_string("data", data);
  }
  event.set_string("time", rfc3339(context.now));
  if (auto finished = finish(event, context); !finished) return unexpected(finished.error());
  return event.text();
}

Result<std::string, Error> complete_cloud_event(std::string_view text,
                                                const EventContext& context) {
  auto json = JsonView::parse(text);
  if (!json || !json->is_object()) {
    return unexpected(Error{
        Error::Code::InvalidArgument,
        "the body is not a CloudEvent JSON object" + (json ? std::string() : ": " + json.error())});
  }
  ObjectWriter event;
  for (const auto& [name, value] : json->members()) event.set(name, std::string(value.raw()));
  event.set_default("id", random_uuid());
  event.set_default("source", "Dapr");
  event.set_default("type", kEventType);
  event.set_default("specversion", "1.0");
  event.set_default("time", rfc3339(context.now));
  if (auto finished = finish(event, context); !finished) return unexpected(finished.error());
  return event.text();
}

std::string raw_payload_event(std::string_view bytes, std::string_view topic,
                              std::string_view pubsub_name) {
  ObjectWriter event;
  event.set_string("id", random_uuid());
  event.set_string("source", "");
  event.set_string("type", kEventType);
  event.set_string("specversion", "1.0");
  event.set_string("datacontenttype", "application/octet-stream");
  event.set_string("data_base64", base64_encode(bytes));
  event.set_string("topic", topic);
  event.set_string("pubsubname", pubsub_name);
  return event.text();
}

Result<CloudEvent, std::string> CloudEvent::parse(std::string text) {
  auto owned = std::make_unique<const std::string>(std::move(text));
  auto json = JsonView::parse(*owned);
  if (!json) return unexpected("not JSON: " + json.error());
  if (!json->is_object()) return unexpected(std::string("not a JSON object"));
  JsonView view = std::move(*json);
  return CloudEvent(std::move(owned), std::move(view));
}

const JsonView* CloudEvent::field(std::string_view path) const {
  const JsonView* at = &json_;
  while (at) {
    size_t dot = path.find('.');
    if (!at->is_object()) return nullptr;
    at = at->find(path.substr(0, dot));
    if (dot == std::string_view::npos) return at;
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

bool CloudEvent::expired(std::chrono::system_clock::time_point now) const {
  const JsonView* expiration = json_.find("expiration");
  if (!expiration || !expiration->is_string()) return false;
  auto when = parse_rfc3339(expiration->string());
  return when && *when <= now;
}

}  // namespace wasmdapr::dapr
