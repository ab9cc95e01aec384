#pragma once
// The configuration routes of Dapr's HTTP API v1.0 (also served under v1.0-alpha1). TODO:
// state the contract.

#include <string_view>

#include "dapr/component.h"
#include "http/server.h"
#include "sidecar/app_channel.h"

namespace wasmdapr::sidecar {

class ConfigurationApi {
 public:
  // `components` and `app` must outlive this object.
  ConfigurationApi(const dapr::ComponentSet& components, const AppChannel& app)
      : components_(components), app_(app) {}

  // GET /v1.0/configuration/{store}?key=a&key=b
  http::Response get(std::string_view store, const http::Request& request) const;
  // GET /v1.0/configuration/{store}/subscribe?key=a
  http::Response subscribe(std::string_view store, const http::Request& request);
  // GET /v1.0/configuration/{store}/{id}/unsubscribe
  http::Response unsubscribe(std::string_view store, std::string_view id);

 private:
  const dapr::ComponentSet& components_;
  const AppChannel& app_;
};

}  // namespace wasmdapr::sidecar
