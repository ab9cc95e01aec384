#pragma once
// state.in-memory: a process-local store with etags, TTL and transactions. Nothing survives
// the process; use it for tests and for apps whose state is a cache.

#include <memory>

#include "dapr/component.h"
#include "dapr/state_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_memory_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
