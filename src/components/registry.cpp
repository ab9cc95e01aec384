#include "components/registry.h"

#include <filesystem>

#include "components/bindings/http_binding.h"
#include "components/bindings/localstorage_binding.h"
#include "components/configuration/redis_configuration.h"
#include "components/pubsub/memory_pubsub.h"
#include "components/pubsub/redis_pubsub.h"
#include "components/resource_loader.h"
#include "components/secretstores/env_store.h"
#include "components/secretstores/file_store.h"
#include "components/state/memory_store.h"
#include "components/state/redis_store.h"
#include "components/state/sqlite_store.h"

namespace wasmdapr::components {

dapr::ComponentRegistry builtin_registry() {
  dapr::ComponentRegistry registry;
  registry.add_state("state.in-memory", make_memory_store);
  registry.add_state("state.sqlite", make_sqlite_store);
  registry.add_state("state.redis", make_redis_store);
  registry.add_secret_store("secretstores.local.env", make_env_secret_store);
  registry.add_secret_store("secretstores.local.file", make_file_secret_store);
  registry.add_pubsub("pubsub.in-memory", make_memory_pubsub);
  registry.add_pubsub("pubsub.redis", make_redis_pubsub);
  registry.add_binding("bindings.http", make_http_binding);
  registry.add_binding("bindings.localstorage", make_localstorage_binding);
  registry.add_configuration("configuration.redis", make_redis_configuration);
  return registry;
}

namespace {

dapr::ComponentSpec default_state_store(const std::string& state_dir) {
  dapr::ComponentSpec spec;
  spec.name = "statestore";
  spec.type = "state.sqlite";
  spec.metadata["connectionString"] = (std::filesystem::path(state_dir) / "state.db").string();
  return spec;
}

dapr::ComponentSpec default_pubsub() {
  dapr::ComponentSpec spec;
  spec.name = "pubsub";
  spec.type = "pubsub.in-memory";
  return spec;
}

}  // namespace

Result<dapr::ComponentSet, std::string> load_components(
    const std::vector<std::string>& resources_paths, const std::string& state_dir,
    std::string_view app_id) {
  std::vector<dapr::ComponentSpec> specs;
  std::vector<dapr::SubscriptionSpec> subscriptions;
  if (resources_paths.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec) return unexpected(state_dir + ": --state-dir: " + ec.message());
    specs.push_back(default_state_store(state_dir));
    specs.push_back(default_pubsub());
  } else {
    auto read = read_component_specs(resources_paths, app_id);
    if (!read) return unexpected(std::move(read.error()));
    specs = std::move(*read);
    auto declared = read_subscription_specs(resources_paths, app_id);
    if (!declared) return unexpected(std::move(declared.error()));
    subscriptions = std::move(*declared);
  }
  auto built = builtin_registry().build(specs);
  if (built) built->subscriptions = std::move(subscriptions);
  return built;
}

}  // namespace wasmdapr::components
