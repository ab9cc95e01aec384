#pragma once
// Components: Dapr resource specs, the registry of backends by type string, and the set of
// live components a sidecar serves.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dapr/binding.h"
#include "dapr/configuration_store.h"
#include "dapr/error.h"
#include "dapr/pubsub.h"
#include "dapr/secret_store.h"
#include "dapr/state_store.h"
#include "dapr/subscription.h"
#include "base/result.h"

namespace wasmdapr::dapr {

// One `kind: Component` resource, after secretKeyRef resolution.
struct ComponentSpec {
  std::string name;                             // metadata.name
  std::string type;                             // spec.type, e.g. "state.redis"
  std::string version = "v1";                   // spec.version
  std::map<std::string, std::string> metadata;  // spec.metadata name -> value
  std::vector<std::string> scopes;              // app ids allowed to use it; empty = all
  std::string source;                           // file it came from ("" for built-in defaults)
};

// Live components of one sidecar, by name.
struct ComponentSet {
  struct StateEntry {
    ComponentSpec spec;
    std::shared_ptr<StateStore> store;
  };
  std::map<std::string, StateEntry> state;
  // The spec of every secret store, by name (what the metadata API lists and the resource
  // loader resolves secretKeyRef against), and the live store built from it.
  std::map<std::string, ComponentSpec> secret_stores;
  std::map<std::string, std::shared_ptr<SecretStore>> secrets;

  template <typename T>
  struct Entry {
    ComponentSpec spec;
    std::shared_ptr<T> component;
  };
  std::map<std::string, Entry<PubSub>> pubsubs;
  std::map<std::string, Entry<OutputBinding>> bindings;
  std::map<std::string, Entry<ConfigurationStore>> configurations;
  // Declarative `kind: Subscription` resources scoped to this app.
  std::vector<SubscriptionSpec> subscriptions;

  StateStore* state_store(const std::string& name) const {
    auto it = state.find(name);
    return it == state.end() ? nullptr : it->second.store.get();
  }
  SecretStore* secret_store(const std::string& name) const {
    auto it = secrets.find(name);
    return it == secrets.end() ? nullptr : it->second.get();
  }
  PubSub* pubsub(const std::string& name) const { return find(pubsubs, name); }
  OutputBinding* binding(const std::string& name) const { return find(bindings, name); }
  ConfigurationStore* configuration_store(const std::string& name) const {
    return find(configurations, name);
  }
  // Whether any component, of any block, has this name.
  bool has(const std::string& name) const {
    return state.contains(name) || secret_stores.contains(name) || pubsubs.contains(name) ||
           bindings.contains(name) || configurations.contains(name);
  }

 private:
  template <typename T>
  static T* find(const std::map<std::string, Entry<T>>& entries, const std::string& name) {
    auto it = entries.find(name);
    return it == entries.end() ? nullptr : it->second.component.get();
  }
};

// Backend factories by Dapr type string. Adding a backend = one folder under components/
// and one registration line in components/registry.cpp.
class ComponentRegistry {
 public:
  using StateFactory =
      std::function<Result<std::unique_ptr<StateStore>, Error>(const ComponentSpec&)>;

  using SecretFactory =
      std::function<Result<std::unique_ptr<SecretStore>, Error>(const ComponentSpec&)>;

  template <typename T>
  using Factory = std::function<Result<std::unique_ptr<T>, Error>(const ComponentSpec&)>;

  void add_state(std::string type, StateFactory factory);
  void add_secret_store(std::string type, SecretFactory factory);
  void add_pubsub(std::string type, Factory<PubSub> factory);
  void add_binding(std::string type, Factory<OutputBinding> factory);
  void add_configuration(std::string type, Factory<ConfigurationStore> factory);
  bool knows(const std::string& type) const;

  // Builds every spec (failing with a message naming the spec's file and field).
  Result<ComponentSet, std::string> build(const std::vector<ComponentSpec>& specs) const;

 private:
  std::map<std::string, StateFactory> state_;
  std::map<std::string, SecretFactory> secret_stores_;
  std::map<std::string, Factory<PubSub>> pubsubs_;
  std::map<std::string, Factory<OutputBinding>> bindings_;
  std::map<std::string, Factory<ConfigurationStore>> configurations_;
};

}  // namespace wasmdapr::dapr
