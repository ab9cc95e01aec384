#include "dapr/component.h"

namespace wasmdapr::dapr {

void ComponentRegistry::add_state(std::string type, StateFactory factory) {
  state_[std::move(type)] = std::move(factory);
}

void ComponentRegistry::add_secret_store(std::string type, SecretFactory factory) {
  secret_stores_[std::move(type)] = std::move(factory);
}

void ComponentRegistry::add_pubsub(std::string type, Factory<PubSub> factory) {
  pubsubs_[std::move(type)] = std::move(factory);
}

void ComponentRegistry::add_binding(std::string type, Factory<OutputBinding> factory) {
  bindings_[std::move(type)] = std::move(factory);
}

void ComponentRegistry::add_configuration(std::string type, Factory<ConfigurationStore> factory) {
  configurations_[std::move(type)] = std::move(factory);
}

bool ComponentRegistry::knows(const std::string& type) const {
  return state_.contains(type) || secret_stores_.contains(type) || pubsubs_.contains(type) ||
         bindings_.contains(type) || configurations_.contains(type);
}

namespace {

std::string origin(const ComponentSpec& spec) {
  return spec.source.empty() ? "built-in component '" + spec.name + "'" : spec.source;
}

std::string start_failure(const ComponentSpec& spec, const Error& error) {
  return origin(spec) + ": spec.metadata: component '" + spec.name +
         "' failed to start: " + error.message;
}

// Builds `spec` with the factory registered for its type in `factories`, if any, into
// `entries`. Returns whether the type belongs to this block.
template <typename T>
bool build_with(const std::map<std::string, ComponentRegistry::Factory<T>>& factories,
                const ComponentSpec& spec, std::map<std::string, ComponentSet::Entry<T>>& entries,
                std::string& error) {
  auto factory = factories.find(spec.type);
  if (factory == factories.end()) return false;
  auto built = factory->second(spec);
  if (!built) {
    error = start_failure(spec, built.error());
  } else {
    entries.emplace(spec.name, ComponentSet::Entry<T>{spec, std::move(*built)});
  }
  return true;
}

}  // namespace

Result<ComponentSet, std::string> ComponentRegistry::build(
    const std::vector<ComponentSpec>& specs) const {
  ComponentSet set;
  for (const auto& spec : specs) {
    if (set.has(spec.name)) {
      return unexpected(origin(spec) + ": metadata.name: a component named '" + spec.name +
                        "' is already defined");
    }
    if (!knows(spec.type)) {
      return unexpected(origin(spec) + ": spec.type: unknown component type '" + spec.type + "'");
    }
    if (spec.version != "v1") {
      return unexpected(origin(spec) + ": spec.version: " + spec.type + " has no version '" +
                        spec.version + "' (only v1)");
    }
    if (auto secret_factory = secret_stores_.find(spec.type);
        secret_factory != secret_stores_.end()) {
      auto store = secret_factory->second(spec);
      if (!store) return unexpected(start_failure(spec, store.error()));
      set.secret_stores.emplace(spec.name, spec);
      set.secrets.emplace(spec.name, std::move(*store));
      continue;
    }
    std::string error;
    if (build_with(pubsubs_, spec, set.pubsubs, error) ||
        build_with(bindings_, spec, set.bindings, error) ||
        build_with(configurations_, spec, set.configurations, error)) {
      if (!error.empty()) return unexpected(std::move(error));
      continue;
    }
    auto store = state_.at(spec.type)(spec);
    if (!store) return unexpected(start_failure(spec, store.error()));
    set.state.emplace(spec.name, ComponentSet::StateEntry{spec, std::move(*store)});
  }
  return set;
}

}  // namespace wasmdapr::dapr
