#include "components/secretstores/file_store.h"

#include <fstream>
#include <sstream>

#include "dapr/json_view.h"

namespace wasmdapr::components {
namespace {

using dapr::JsonView;

// Adds every leaf under `value` to `out`, named by its path from `path`.
void flatten(const JsonView& value, const std::string& path, const std::string& separator,
             dapr::Secret& out) {
  auto child = [&](const std::string& key) { return path.empty() ? key : path + separator + key; };
  if (value.is_object()) {
    for (const auto& [key, member] : value.members()) flatten(member, child(key), separator, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.items().size(); ++i) {
      flatten(value.items()[i], child(std::to_string(i)), separator, out);
    }
  } else if (value.is_string()) {
    out[path] = value.string();
  } else {
    out[path] = std::string(value.raw());
  }
}

class FileSecretStore final : public dapr::SecretStore {
 public:
  explicit FileSecretStore(std::map<std::string, dapr::Secret> secrets)
      : secrets_(std::move(secrets)) {}

  Result<std::optional<dapr::Secret>, dapr::Error> get(const std::string& name,
                                                       const dapr::Metadata&) const override {
    auto it = secrets_.find(name);
    if (it == secrets_.end()) {
      return unexpected(dapr::Error{dapr::Error::Code::Internal, "secret " + name + " not found"});
    }
    return std::optional<dapr::Secret>(it->second);
  }

  Result<std::map<std::string, dapr::Secret>, dapr::Error> bulk_get(
      const dapr::Metadata&) const override {
    return secrets_;
  }

 private:
  std::map<std::string, dapr::Secret> secrets_;
};

dapr::Error invalid(std::string message) {
  return dapr::Error{dapr::Error::Code::InvalidArgument, std::move(message)};
}

}  // namespace

Result<std::unique_ptr<dapr::SecretStore>, dapr::Error> make_file_secret_store(
    const dapr::ComponentSpec& spec) {
  auto field = [&](const char* name, std::string fallback) {
    auto it = spec.metadata.find(name);
    return it == spec.metadata.end() || it->second.empty() ? fallback : it->second;
  };
  std::string path = field("secretsFile", "");
  if (path.empty()) return unexpected(invalid("secretsFile is required"));
  std::string separator = field("nestedSeparator", ":");
  std::string multi_valued = field("multiValued", "false");
  if (multi_valued != "true" && multi_valued != "false") {
    return unexpected(invalid("multiValued must be true or false, not '" + multi_valued + "'"));
  }

  std::ifstream file(path, std::ios::binary);
  if (!file) return unexpected(invalid("secretsFile '" + path + "' cannot be read"));
  std::ostringstream text;
  text << file.rdbuf();
  std::string json = text.str();
  auto root = JsonView::parse(json);
  if (!root) return unexpected(invalid("secretsFile '" + path + "': " + root.error()));
  if (!root->is_object()) {
    return unexpected(invalid("secretsFile '" + path + "' is not a JSON object"));
  }

  std::map<std::string, dapr::Secret> secrets;
  if (multi_valued == "true") {
    for (const auto& [name, value] : root->members()) {
      if (value.is_string()) {
        secrets[name] = dapr::Secret{{name, value.string()}};
      } else if (value.is_object()) {
        flatten(value, "", separator, secrets[name]);
      }
    }
  } else {
    dapr::Secret leaves;
    flatten(*root, "", separator, leaves);
    for (auto& [name, value] : leaves) secrets[name] = dapr::Secret{{name, std::move(value)}};
  }
  std::unique_ptr<dapr::SecretStore> store = std::make_unique<FileSecretStore>(std::move(secrets));
  return store;
}

}  // namespace wasmdapr::components
