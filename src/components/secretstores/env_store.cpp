#include "components/secretstores/env_store.h"

#include <cctype>
#include <cstdlib>
#include <string_view>

extern char** environ;  // POSIX: the process environment, for listing every variable

namespace wasmdapr::components {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// The variables Dapr keeps from apps: its own configuration and the app's API token.
bool exposable(std::string_view variable) {
  if (starts_with_ignoring_case(variable, "DAPR_")) return false;
  return !(variable.size() == 13 && starts_with_ignoring_case(variable, "APP_API_TOKEN"));
}

class EnvSecretStore final : public dapr::SecretStore {
 public:
  explicit EnvSecretStore(std::string prefix) : prefix_(std::move(prefix)) {}

  Result<std::optional<dapr::Secret>, dapr::Error> get(const std::string& name,
                                                       const dapr::Metadata&) const override {
    std::string variable = prefix_ + name;
    const char* value = exposable(variable) ? std::getenv(variable.c_str()) : nullptr;
    return std::optional<dapr::Secret>(dapr::Secret{{name, value ? value : ""}});
  }

  Result<std::map<std::string, dapr::Secret>, dapr::Error> bulk_get(
      const dapr::Metadata&) const override {
    std::map<std::string, dapr::Secret> all;
    for (char** entry = environ; entry && *entry; ++entry) {
      std::string_view text(*entry);
      size_t equals = text.find('=');
      if (equals == std::string_view::npos) continue;
      std::string_view variable = text.substr(0, equals);
      if (variable.size() <= prefix_.size() || !variable.starts_with(prefix_)) continue;
      if (!exposable(variable)) continue;
      std::string name(variable.substr(prefix_.size()));
      all[name] = dapr::Secret{{name, std::string(text.substr(equals + 1))}};
    }
    return all;
  }

 private:
  std::string prefix_;
};

}  // namespace

Result<std::unique_ptr<dapr::SecretStore>, dapr::Error> make_env_secret_store(
    const dapr::ComponentSpec& spec) {
  auto prefix = spec.metadata.find("prefix");
  std::unique_ptr<dapr::SecretStore> store =
      std::make_unique<EnvSecretStore>(prefix == spec.metadata.end() ? "" : prefix->second);
  return store;
}

}  // namespace wasmdapr::components
