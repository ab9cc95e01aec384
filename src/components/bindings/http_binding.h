#pragma once
// bindings.http: TODO describe the contract.

#include <memory>

#include "dapr/binding.h"
#include "dapr/component.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_http_binding(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
