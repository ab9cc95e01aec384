#pragma once
// The built-in backends and the loader that turns Dapr resource directories into live
// components.

#include <string>
#include <string_view>
#include <vector>

#include "dapr/component.h"
#include "base/result.h"

namespace wasmdapr::components {

// Every backend compiled into this binary, by Dapr type string.
dapr::ComponentRegistry builtin_registry();

// Every `kind: Component` YAML in the directories (scoped to `app_id`); with no directory
// given, the embedded defaults: "statestore" = state.sqlite in <state_dir>/state.db, and
// "pubsub" = pubsub.in-memory. Errors name the file and field.
Result<dapr::ComponentSet, std::string> load_components(
    const std::vector<std::string>& resources_paths, const std::string& state_dir,
    std::string_view app_id = "");

}  // namespace wasmdapr::components
