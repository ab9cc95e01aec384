#include "runtime/state_backend.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace wasmdapr::testing {
namespace {

namespace fs = std::filesystem;

std::string component(std::string_view type, const std::string& metadata_name,
                      const std::string& metadata_value) {
  std::string yaml =
      "apiVersion: dapr.io/v1alpha1\n"
      "kind: Component\n"
      "metadata:\n"
      "  name: statestore\n"
      "spec:\n"
      "  type: " +
      std::string(type) +
      "\n"
      "  version: v1\n"
      "  metadata:\n";
  if (metadata_name.empty()) return yaml + "  []\n";
  return yaml + "  - name: " + metadata_name + "\n    value: \"" + metadata_value + "\"\n";
}

}  // namespace

std::string to_string(StoreKind kind) {
  switch (kind) {
    case StoreKind::Memory:
      return "memory";
    case StoreKind::Sqlite:
      return "sqlite";
    case StoreKind::Redis:
      return "redis";
  }
  return "unknown";
}

StateBackend::StateBackend(StoreKind kind) : kind_(kind) {
  std::string pattern = (fs::temp_directory_path() / "wasmdapr-runtime-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    failure_ = "cannot create a temporary directory";
    return;
  }
  dir_ = name.data();
  fs::create_directories(dir_ / "resources");
  fs::create_directories(dir_ / "scratch");

  std::string yaml;
  switch (kind) {
    case StoreKind::Memory:
      yaml = component("state.in-memory", "", "");
      break;
    case StoreKind::Sqlite:
      yaml = component("state.sqlite", "connectionString", (dir_ / "state.db").string());
      break;
    case StoreKind::Redis:
      redis_ = std::make_unique<RedisServer>();
      if (!redis_->running()) {
        failure_ = "redis-server: " + redis_->failure();
        return;
      }
      yaml = component("state.redis", "redisHost", redis_->address());
      break;
  }
  std::ofstream(dir_ / "resources" / "statestore.yaml") << yaml;
}

StateBackend::~StateBackend() {
  redis_.reset();
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

}  // namespace wasmdapr::testing
