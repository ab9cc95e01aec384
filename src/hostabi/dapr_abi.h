#pragma once
// The direct `dapr` guest ABI (docs/abi.md): building-block calls with no HTTP and no JSON
// envelope. A thin adapter over the same dapr/ interfaces the sidecar's HTTP API uses, with
// the same key prefixes, so the two paths always agree.

#include <cstdint>
#include <map>
#include <string>

#include "dapr/component.h"
#include "dapr/key_prefix.h"
#include "dapr/service_invocation.h"
#include "wasm/linker.h"

namespace wasmdapr::hostabi {

// The ABI's error codes (docs/abi.md).
enum class DaprAbiStatus : uint32_t {
  Ok = 0,
  NotFound = 1,
  MemoryNotFound = 2,
  MemoryAccessError = 3,
  BufferTooSmall = 4,
  ComponentNotFound = 5,
  EtagMismatch = 6,
  InvalidArgument = 7,
  NotSupported = 8,
  Unavailable = 9,
  Internal = 10,
};

class DaprAbi {
 public:
  // `components` and `invoker` must outlive this object, and this object every Store it is
  // linked into. Without an invoker, `invoke` answers component_not_found.
  DaprAbi(const dapr::ComponentSet& components, std::string app_id,
          dapr::ServiceInvoker* invoker = nullptr);

  // Defines every function of import module "dapr" on the linker.
  void add_to_linker(wasm::Linker& linker);

  struct StateTarget {
    dapr::StateStore* store = nullptr;
    dapr::KeyPrefix prefix;
  };
  const StateTarget* state_target(std::string_view name) const;
  const dapr::SecretStore* secret_store(std::string_view name) const;
  dapr::PubSub* pubsub(std::string_view name) const { return find(pubsubs_, name); }
  dapr::OutputBinding* binding(std::string_view name) const { return find(bindings_, name); }
  dapr::ConfigurationStore* configuration_store(std::string_view name) const {
    return find(configurations_, name);
  }
  dapr::ServiceInvoker* invoker() const { return invoker_; }
  const std::string& app_id() const { return app_id_; }

 private:
  template <typename T>
  using Index = std::map<std::string, T*, std::less<>>;
  template <typename T>
  static T* find(const Index<T>& index, std::string_view name) {
    auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
  }

  std::string app_id_;
  dapr::ServiceInvoker* invoker_;
  std::map<std::string, StateTarget, std::less<>> state_;
  std::map<std::string, const dapr::SecretStore*, std::less<>> secrets_;
  Index<dapr::PubSub> pubsubs_;
  Index<dapr::OutputBinding> bindings_;
  Index<dapr::ConfigurationStore> configurations_;
};

}  // namespace wasmdapr::hostabi
