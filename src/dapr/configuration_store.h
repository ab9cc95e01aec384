#pragma once
// The configuration building block as a C++ interface: read-only, versioned items, and
// subscriptions to their changes. Knows nothing of HTTP or WASM.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

struct ConfigurationItem {
  std::string value;
  std::string version;
  Metadata metadata;
};

using ConfigurationItems = std::map<std::string, ConfigurationItem>;

class ConfigurationStore {
 public:
  using ChangeHandler = std::function<void(const ConfigurationItems& changed)>;

  virtual ~ConfigurationStore() = default;

  // The items of `keys` that exist (every item when `keys` is empty).
  virtual Result<ConfigurationItems, Error> get(const std::vector<std::string>& keys,
                                                const Metadata& metadata) = 0;

  // Calls `handler` from the component's own thread with each change to `keys` (to any item
  // when empty); returns the subscription's id. A deleted item arrives with an empty value.
  virtual Result<std::string, Error> subscribe(const std::vector<std::string>& keys,
                                               const Metadata& metadata, ChangeHandler handler) = 0;
  // NotFound for an unknown id.
  virtual Result<void, Error> unsubscribe(const std::string& id) = 0;
};

}  // namespace wasmdapr::dapr
