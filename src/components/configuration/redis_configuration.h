#pragma once
// configuration.redis: TODO describe the contract.

#include <memory>

#include "dapr/component.h"
#include "dapr/configuration_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::ConfigurationStore>, dapr::Error> make_redis_configuration(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
