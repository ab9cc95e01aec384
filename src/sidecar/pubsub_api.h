#pragma once
// The pub/sub routes of Dapr's HTTP API v1.0: publish and bulk publish, as an adapter over
// dapr::publish. TODO: state the status and error codes.

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
  const dapr::ComponentSet& components_;
  std::string app_id_;
};

}  // namespace wasmdapr::sidecar
