#pragma once
// secretstores.local.file: secrets from a JSON file read once when the component starts, for
// development.
//
// Metadata: `secretsFile` (required; relative paths are from the sidecar's working directory),
// `nestedSeparator` (default ":"), `multiValued` (default false).
//
// Single-valued, every leaf of the JSON is one secret named by its path, nested keys joined by
// the separator and array elements by their index ({"db":{"user":"u"}} -> secret "db:user"
// = {"db:user":"u"}). Multi-valued, each top-level string is a secret of one key and each
// top-level object a secret whose keys are its flattened leaves. Numbers and booleans are kept
// as their JSON text. Asking for a name the file does not hold is an error, as in Dapr, which
// the HTTP API reports as 500 ERR_SECRET_GET.

#include <memory>

#include "dapr/component.h"
#include "dapr/secret_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::SecretStore>, dapr::Error> make_file_secret_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
