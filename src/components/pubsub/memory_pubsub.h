#pragma once
// pubsub.in-memory: TODO describe the contract.

#include <memory>

#include "dapr/component.h"
#include "dapr/pubsub.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_memory_pubsub(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
