#pragma once
// Name resolution as a C++ interface: how a sidecar finds the address of another app's
// sidecar by app id, and how it makes itself findable. Which resolver a sidecar uses, and its
// settings, come from the `spec.nameResolution` of its Dapr `kind: Configuration` file.

#include <map>
#include <string>

#include "dapr/error.h"
#include "base/result.h"

namespace wasmdapr::dapr {

// `spec.nameResolution` of a Configuration resource.
struct NameResolutionSpec {
  std::string component;                             // "sqlite", ...
  std::string version = "v1";                        // spec.nameResolution.version
  std::map<std::string, std::string> configuration;  // scalar fields, as text
  std::string source;                                // the file it came from
};

class NameResolver {
 public:
  virtual ~NameResolver() = default;

  // Makes this instance of `app_id` findable at `address` ("host:port" of its sidecar's API)
  // until the resolver is destroyed; a second call replaces the first registration.
  // Unavailable when the registry cannot be written.
  virtual Result<void, Error> register_instance(const std::string& app_id,
                                                const std::string& address) = 0;

  // The address of one live instance of `app_id` (any of them, when there are several).
  // NotFound when there is none; Unavailable when the registry cannot be read.
  virtual Result<std::string, Error> resolve(const std::string& app_id) = 0;
};

}  // namespace wasmdapr::dapr
