#pragma once
// The configuration routes of Dapr's HTTP API v1.0 (also served under v1.0-alpha1), over the
// configuration stores of a ComponentSet.
//
// get: `?key=a&key=b` (repeatable; none means every item) and `metadata.*` parameters. 200
// {"a":{"value":"..","version":"..","metadata":{..}}} with the items that exist, 204 when none
// does.
// subscribe: the same parameters; 200 {"id":"<uuid>"}. From then on, each change of a key is
// POSTed to the app through the AppChannel at /configuration/{store}/{key} with the body
// {"id":"<uuid>","items":{"<key>":{"value","version","metadata"}}} (a deleted item has an
// empty value). The app's answer is not checked, and a change the app misses is not resent.
// unsubscribe: 200 {"ok":true}; 500 {"ok":false,"message":".."} for an id this API did not
// give out for that store, or one the store refuses to end.
//
// Errors, as the runtime answers: no configuration store at all is 500
// ERR_CONFIGURATION_STORE_NOT_CONFIGURED, an unknown store 400
// ERR_CONFIGURATION_STORE_NOT_FOUND, a failed read 500 ERR_CONFIGURATION_GET, a failed
// subscription 500 ERR_CONFIGURATION_SUBSCRIBE.
//
// The destructor ends every subscription still open and waits for deliveries in flight, so no
// change reaches the app channel after it returns.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "dapr/component.h"
#include "http/server.h"
#include "sidecar/app_channel.h"

namespace wasmdapr::sidecar {

class ConfigurationApi {
 public:
  // `components` and `app` must outlive this object.
  ConfigurationApi(const dapr::ComponentSet& components, const AppChannel& app);
  ~ConfigurationApi();
  ConfigurationApi(const ConfigurationApi&) = delete;
  ConfigurationApi& operator=(const ConfigurationApi&) = delete;

  // GET /v1.0/configuration/{store}?key=a&key=b
  http::Response get(std::string_view store, const http::Request& request) const;
  // GET /v1.0/configuration/{store}/subscribe?key=a
  http::Response subscribe(std::string_view store, const http::Request& request);
  // GET /v1.0/configuration/{store}/{id}/unsubscribe
  http::Response unsubscribe(std::string_view store, std::string_view id);

 private:
  // What deliveries share with this object: closed once it goes, so late ones stop.
  struct Deliveries;
  struct Subscription {
    std::string store;
    std::string component_id;  // the store's own id for it
  };

  Result<dapr::ConfigurationStore*, http::Response> target(std::string_view store) const;

  const dapr::ComponentSet& components_;
  std::shared_ptr<Deliveries> deliveries_;
  std::mutex mutex_;
  std::map<std::string, Subscription> subscriptions_;  // by the id given to the caller
};

}  // namespace wasmdapr::sidecar
