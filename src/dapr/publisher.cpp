#include "dapr/publisher.h"

#include "dapr/cloud_event.h"

namespace wasmdapr::dapr {

Result<void, Error> publish(PubSub& pubsub, const PublishRequest& request,
                            const std::string& source_app_id) {
  if (request.topic.empty()) {
    return unexpected(Error{Error::Code::InvalidArgument, "topic is empty"});
  }
  auto raw = raw_payload(request.metadata);
  if (!raw) return unexpected(std::move(raw.error()));

  PubSubMessage message;
  message.topic = request.topic;
  // The cloudevent.* keys shape the envelope; they mean nothing to the broker.
  for (const auto& [key, value] : request.metadata) {
    if (!key.starts_with("cloudevent.")) message.metadata[key] = value;
  }
  if (*raw) {
    message.data = request.data;
    message.content_type = request.content_type.empty() ? "text/plain" : request.content_type;
    return pubsub.publish(message);
  }
  EventContext context{request.pubsub_name, request.topic, source_app_id, request.metadata};
  auto event = is_cloud_event_content_type(request.content_type)
                   ? complete_cloud_event(request.data, context)
                   : new_cloud_event(request.data, request.content_type, context);
  if (!event) return unexpected(std::move(event.error()));
  message.data = std::move(*event);
  message.content_type = std::string(kCloudEventContentType);
  return pubsub.publish(message);
}

}  // namespace wasmdapr::dapr
