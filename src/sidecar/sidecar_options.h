#pragma once
// What a Sidecar is told about its app and its surroundings.

#include <optional>
#include <string>

#include "sidecar/app_channel.h"

namespace wasmdapr::sidecar {

struct SidecarOptions {
  std::string app_id{};
  std::optional<std::string> api_token{};  // DAPR_API_TOKEN
  std::string runtime_version{};
  AppChannelOptions app_channel{};  // --app-port
  std::string config_path{};        // --config: a Dapr `kind: Configuration` file, or empty
};

}  // namespace wasmdapr::sidecar
