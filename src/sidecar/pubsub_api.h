#pragma once
// The pub/sub routes of Dapr's HTTP API v1.0, as an adapter over dapr::publish, answering with
// the runtime's statuses and codes:
//
// publish (POST/PUT /v1.0/publish/{pubsub}/{topic}[?metadata.*]): the body is the payload and
// its Content-Type header the event's datacontenttype (text/plain when missing).
// - 204 when the broker accepted it.
// - 400 ERR_PUBSUB_NOT_CONFIGURED when the sidecar has no pub/sub at all; 404
//   ERR_PUBSUB_EMPTY / ERR_PUBSUB_NOT_FOUND for a missing or unknown pub/sub name; 404
//   ERR_TOPIC_NAME_EMPTY; 400 ERR_PUBSUB_REQUEST_METADATA for a rawPayload that is not a
//   boolean; 500 ERR_PUBSUB_CLOUD_EVENTS_SER when the app's own CloudEvent is not a JSON
//   object or ttlInSeconds is not an integer; 500 ERR_PUBSUB_PUBLISH_MESSAGE when the broker
//   refuses.
//
// bulk publish (/v1.0-alpha1/publish/bulk/... and /v1.0/publish/bulk/...): the body is
// [{"entryId","event","contentType","metadata"}]; the query's metadata.* apply to every entry
// and win over an entry's own. Each entry is published as a single publish would be (the
// event's JSON text for JSON and CloudEvent content types, a JSON string's text otherwise).
// - 204 when every entry was accepted; 500 {"failedEntries":[{"entryId","error"}],
//   "errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"} listing those that were not.
// - 400 ERR_PUBSUB_EVENTS_SER for a body that is not such an array, and for a missing or
//   repeated entryId (nothing is published then); 400 ERR_PUBSUB_NOT_FOUND for an unknown
//   pub/sub, and the publish errors above for the rest.

#include <string>
#include <string_view>

#include "dapr/component.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

class PubSubApi {
 public:
  // `components` must outlive this object.
  PubSubApi(const dapr::ComponentSet& components, std::string app_id)
      : components_(components), app_id_(std::move(app_id)) {}

  http::Response publish(std::string_view pubsub, std::string_view topic,
                         const http::Request& request) const;
  http::Response bulk_publish(std::string_view pubsub, std::string_view topic,
                              const http::Request& request) const;

 private:
  // The pub/sub to publish on, or the error answer (`not_found_status` for an unknown name).
  Result<dapr::PubSub*, http::Response> resolve(std::string_view pubsub, std::string_view topic,
                                                int not_found_status) const;

  const dapr::ComponentSet& components_;
  std::string app_id_;
};

}  // namespace wasmdapr::sidecar
