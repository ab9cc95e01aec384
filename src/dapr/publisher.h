#pragma once
// Publishing as Dapr's runtime does it, shared by the HTTP API and the guest ABI: the payload
// is wrapped in a CloudEvents 1.0 envelope (or passed through with rawPayload=true, or taken
// as the app's own CloudEvent with content type application/cloudevents+json), then handed to
// the PubSub.

#include <string>

#include "dapr/error.h"
#include "dapr/pubsub.h"
#include "base/result.h"

namespace wasmdapr::dapr {

struct PublishRequest {
  std::string pubsub_name;
  std::string topic;
  std::string data;
  std::string content_type;  // empty means text/plain, as the runtime defaults
  Metadata metadata;         // rawPayload, ttlInSeconds, cloudevent.* overrides, broker keys
};

// InvalidArgument for an empty topic or a bad rawPayload value; the PubSub's error otherwise.
Result<void, Error> publish(PubSub& pubsub, const PublishRequest& request,
                            const std::string& source_app_id);

}  // namespace wasmdapr::dapr
