#pragma once
// The direct `dapr` guest ABI (docs/abi.md): building-block calls with no HTTP and no JSON
// envelope. A thin adapter over the same dapr/ interfaces the sidecar's HTTP API uses, with
// the same key prefixes, so the two paths always agree.

#include <cstdint>
#include <map>
#include <string>

#include "dapr/component.h"
#include "dapr/key_prefix.h"
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
  // `components` must outlive this object, and this object every Store it is linked into.
  DaprAbi(const dapr::ComponentSet& components, std::string app_id);

  // Defines every function of import module "dapr" on the linker.
  void add_to_linker(wasm::Linker& linker);

  struct StateTarget {
    dapr::StateStore* store = nullptr;
    dapr::KeyPrefix prefix;
  };
  const StateTarget* state_target(std::string_view name) const;
  const dapr::SecretStore* secret_store(std::string_view name) const;

 private:
  std::map<std::string, StateTarget, std::less<>> state_;
  std::map<std::string, const dapr::SecretStore*, std::less<>> secrets_;
};

}  // namespace wasmdapr::hostabi
