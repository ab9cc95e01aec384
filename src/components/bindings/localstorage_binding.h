#pragma once
// bindings.localstorage: TODO describe the contract.

#include <memory>

#include "dapr/binding.h"
#include "dapr/component.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_localstorage_binding(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
