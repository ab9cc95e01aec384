#pragma once
// The secrets building block as a C++ interface. Knows nothing of HTTP or WASM: the sidecar's
// HTTP API and the guest ABI are two adapters over these calls.
//
// A secret is a set of key/value pairs; name/value stores (env, file) give one pair whose key
// is the secret's own name.

#include <map>
#include <optional>
#include <string>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

using Secret = std::map<std::string, std::string>;

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // The named secret, or nullopt when the store has no such secret.
  virtual Result<std::optional<Secret>, Error> get(const std::string& name,
                                                   const Metadata& metadata) const = 0;
  // Every secret the store exposes, by name.
  virtual Result<std::map<std::string, Secret>, Error> bulk_get(const Metadata& metadata) const = 0;
};

// A secret as the HTTP API answers it and the guest ABI returns it: {"key":"value",...}.
std::string secret_json(const Secret& secret);

}  // namespace wasmdapr::dapr
