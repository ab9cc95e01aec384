#include "sidecar/pubsub_api.h"

#include <set>
#include <vector>

#include "dapr/cloud_event.h"
#include "dapr/json_view.h"
#include "dapr/publisher.h"
#include "sidecar/api_response.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::JsonView;

http::Response publish_error(const dapr::Error& error) {
  if (error.code == dapr::Error::Code::InvalidArgument) {
    return api_error(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", error.message);
  }
  return api_error(500, "ERR_PUBSUB_PUBLISH_MESSAGE", error.message);
}

http::Response events_error(std::string_view message) {
  return api_error(400, "ERR_PUBSUB_EVENTS_SER", message);
}

struct BulkEntry {
  std::string entry_id;
  dapr::PublishRequest request;
};

// The payload an entry's `event` stands for: a JSON string's text unless the content type
// says JSON, else the event's own JSON text.
std::string entry_payload(const JsonView& event, std::string_view content_type) {
  bool json =
      dapr::is_json_content_type(content_type) || dapr::is_cloud_event_content_type(content_type);
  if (event.is_string() && !json) return event.string();
  return std::string(event.raw());
}

}  // namespace

Result<dapr::PubSub*, http::Response> PubSubApi::resolve(std::string_view pubsub,
                                                         std::string_view topic,
                                                         int not_found_status) const {
  if (components_.pubsubs.empty()) {
    return unexpected(api_error(400, "ERR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured"));
  }
  if (pubsub.empty()) {
    return unexpected(api_error(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty"));
  }
  dapr::PubSub* found = components_.pubsub(std::string(pubsub));
  if (!found) {
    return unexpected(api_error(not_found_status, "ERR_PUBSUB_NOT_FOUND",
                                "pubsub " + std::string(pubsub) + " not found"));
  }
  if (topic.empty()) {
    return unexpected(
        api_error(404, "ERR_TOPIC_NAME_EMPTY", "topic is empty in pubsub " + std::string(pubsub)));
  }
  return found;
}

http::Response PubSubApi::publish(std::string_view pubsub, std::string_view topic,
                                  const http::Request& request) const {
  auto target = resolve(pubsub, topic, 404);
  if (!target) return std::move(target.error());
  auto params = RequestParams::of(request);
  if (auto raw = dapr::raw_payload(params.metadata); !raw) {
    return api_error(400, "ERR_PUBSUB_REQUEST_METADATA", raw.error().message);
  }
  dapr::PublishRequest publish{std::string(pubsub), std::string(topic), request.body,
                               std::string(request.header("Content-Type")),
                               std::move(params.metadata)};
  if (auto published = dapr::publish(**target, publish, app_id_); !published) {
    return publish_error(published.error());
  }
  return no_content();
}

http::Response PubSubApi::bulk_publish(std::string_view pubsub, std::string_view topic,
                                       const http::Request& request) const {
  auto target = resolve(pubsub, topic, 400);
  if (!target) return std::move(target.error());
  auto params = RequestParams::of(request);
  if (auto raw = dapr::raw_payload(params.metadata); !raw) {
    return api_error(400, "ERR_PUBSUB_REQUEST_METADATA", raw.error().message);
  }
  auto body = JsonView::parse(request.body);
  if (!body || !body->is_array()) {
    return events_error("the body must be a JSON array of entries" +
                        (body ? std::string() : ": " + body.error()));
  }
  std::vector<BulkEntry> entries;
  std::set<std::string> seen;
  for (const JsonView& item : body->items()) {
    if (!item.is_object()) return events_error("each entry must be a JSON object");
    const JsonView* id = dapr::find_member(item, "entryId");
    if (!id || !id->is_string() || id->string().empty() || !seen.insert(id->string()).second) {
      return events_error("entryId is duplicated or not present");
    }
    const JsonView* event = dapr::find_member(item, "event");
    if (!event) return events_error("entry " + id->string() + " has no event");
    const JsonView* content_type = dapr::find_member(item, "contentType");
    std::string type = content_type && content_type->is_string() ? content_type->string() : "";
    BulkEntry entry;
    entry.entry_id = id->string();
    if (const JsonView* metadata = dapr::find_member(item, "metadata")) {
      if (auto read = read_metadata_object(*metadata, entry.request.metadata); !read) {
        return events_error("entry " + entry.entry_id + ": " + read.error());
      }
    }
    overlay(entry.request.metadata, params.metadata);
    if (auto raw = dapr::raw_payload(entry.request.metadata); !raw) {
      return api_error(400, "ERR_PUBSUB_REQUEST_METADATA", raw.error().message);
    }
    if (type.empty()) type = event->is_string() ? "text/plain" : "application/json";
    entry.request.pubsub_name = std::string(pubsub);
    entry.request.topic = std::string(topic);
    entry.request.data = entry_payload(*event, type);
    entry.request.content_type = std::move(type);
    entries.push_back(std::move(entry));
  }
  std::string failed;
  for (const BulkEntry& entry : entries) {
    if (auto published = dapr::publish(**target, entry.request, app_id_); !published) {
      if (!failed.empty()) failed += ',';
      failed += R"({"entryId":)" + JsonView::quote(entry.entry_id) + R"(,"error":)" +
                JsonView::quote(published.error().message) + "}";
    }
  }
  if (failed.empty()) return no_content();
  http::Response response =
      json_ok(R"({"failedEntries":[)" + failed + R"(],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"})");
  response.status = 500;
  return response;
}

}  // namespace wasmdapr::sidecar
