#include "dapr/component.h"

namespace wasmdapr::dapr {

void ComponentRegistry::add_state(std::string type, StateFactory factory) {
  state_[std::move(type)] = std::move(factory);
}

void ComponentRegistry::add_secret_store(std::string type, SecretFactory factory) {
  secret_stores_[std::move(type)] = std::move(factory);
}

bool ComponentRegistry::knows(const std::string& type) const {
  return state_.contains(type) || secret_stores_.contains(type);
}

namespace {

std::string origin(const ComponentSpec& spec) {
  return spec.source.empty() ? "built-in component '" + spec.name + "'" : spec.source;
}

}  // namespace

Result<ComponentSet, std::string> ComponentRegistry::build(
    const std::vector<ComponentSpec>& specs) const {
  ComponentSet set;
  for (const auto& spec : specs) {
    if (set.state.contains(spec.name) || set.secret_stores.contains(spec.name)) {
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
      if (!store) {
        return unexpected(origin(spec) + ": spec.metadata: component '" + spec.name +
                          "' failed to start: " + store.error().message);
      }
      set.secret_stores.emplace(spec.name, spec);
      set.secrets.emplace(spec.name, std::move(*store));
      continue;
    }
    auto store = state_.at(spec.type)(spec);
    if (!store) {
      return unexpected(origin(spec) + ": spec.metadata: component '" + spec.name +
                        "' failed to start: " + store.error().message);
    }
    set.state.emplace(spec.name, ComponentSet::StateEntry{spec, std::move(*store)});
  }
  return set;
}

}  // namespace wasmdapr::dapr
