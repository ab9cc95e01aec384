#pragma once
// The app's Dapr `kind: Configuration` file (--config), as far as this runtime acts on it:
// spec.nameResolution picks the name resolver that finds other apps' sidecars. Other spec
// fields (tracing, features, access control...) are accepted and ignored.
//
// With no spec.nameResolution there is no name resolution (daprd would fall back to mDNS,
// which this runtime does not provide): only the sidecar's own app and URLs can be invoked.

#include <memory>
#include <optional>
#include <string>

#include "dapr/name_resolution.h"
#include "base/result.h"

namespace wasmdapr::components {

struct AppConfiguration {
  std::string name;    // metadata.name
  std::string source;  // the file it came from
  std::optional<dapr::NameResolutionSpec> name_resolution;
};

// Reads one Configuration file. Errors name the file and the field: an unreadable file or
// YAML, a kind other than Configuration, a nameResolution without a component, or a
// configuration value that is not a scalar.
Result<AppConfiguration, std::string> load_app_configuration(const std::string& path);

// The resolver the configuration asks for, opened; null when it asks for none. An unknown
// component is an error naming the file and the components this binary has ("sqlite").
Result<std::unique_ptr<dapr::NameResolver>, std::string> build_name_resolver(
    const AppConfiguration& configuration);

// Whether the file at `path` is one build_name_resolver would accept (read, component known,
// settings valid), without opening anything; an empty path is fine. For refusing to start.
Result<void, std::string> check_app_configuration(const std::string& path);

}  // namespace wasmdapr::components
