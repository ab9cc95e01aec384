#pragma once
// secretstores.local.env: the sidecar's environment variables as secrets, for development.
//
// Metadata: `prefix` (optional). With it, a secret NAME is the variable <prefix>NAME, and bulk
// lists only variables starting with the prefix, under their names without it.
//
// As Dapr's own component does, it never exposes APP_API_TOKEN or a variable whose name
// starts with DAPR_ (both compared case-insensitively, after the prefix is applied): such a
// secret reads as an empty value and bulk leaves it out. A variable that is not set also reads
// as an empty value, {"NAME":""}, which is what the Dapr runtime answers for it.

#include <memory>

#include "dapr/component.h"
#include "dapr/secret_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::SecretStore>, dapr::Error> make_env_secret_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
