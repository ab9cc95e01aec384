#include "components/app_configuration.h"

#include <yaml-cpp/yaml.h>

#include "components/nameresolution/sqlite_resolver.h"

namespace wasmdapr::components {
namespace {

// A mapping's child, or an undefined node: yaml-cpp throws when indexing through a missing key.
YAML::Node child(const YAML::Node& node, const char* key) {
  if (node && node.IsMap()) {
    if (YAML::Node found = node[key]; found) return found;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string scalar(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

Result<AppConfiguration, std::string> parse(const YAML::Node& root, const std::string& path) {
  auto error = [&](const std::string& message) { return unexpected(path + ": " + message); };
  if (!root || !root.IsMap()) return error("not a Dapr resource (expected a YAML mapping)");
  std::string kind = scalar(child(root, "kind"));
  if (kind != "Configuration") {
    return error("kind is \"" + kind + "\", expected \"Configuration\"");
  }
  AppConfiguration out;
  out.source = path;
  out.name = scalar(child(child(root, "metadata"), "name"));
  YAML::Node spec = child(root, "spec");
  if (spec && !spec.IsNull() && !spec.IsMap()) return error("spec must be a mapping");
  YAML::Node resolution = child(spec, "nameResolution");
  if (!resolution || resolution.IsNull()) return out;
  if (!resolution.IsMap()) return error("spec.nameResolution must be a mapping");
  dapr::NameResolutionSpec name_resolution;
  name_resolution.source = path;
  name_resolution.component = scalar(child(resolution, "component"));
  if (name_resolution.component.empty()) {
    return error("spec.nameResolution.component is required (e.g. \"sqlite\")");
  }
  if (std::string version = scalar(child(resolution, "version")); !version.empty()) {
    name_resolution.version = version;
  }
  YAML::Node configuration = child(resolution, "configuration");
  if (configuration && !configuration.IsNull()) {
    if (!configuration.IsMap()) return error("spec.nameResolution.configuration must be a mapping");
    for (const auto& entry : configuration) {
      std::string key = entry.first.Scalar();
      if (!entry.second.IsScalar() && !entry.second.IsNull()) {
        return error("spec.nameResolution.configuration." + key + " must be a single value");
      }
      name_resolution.configuration[key] = scalar(entry.second);
    }
  }
  out.name_resolution = std::move(name_resolution);
  return out;
}

}  // namespace

Result<AppConfiguration, std::string> load_app_configuration(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return unexpected(path + ": cannot read the configuration file");
  } catch (const YAML::Exception& e) {
    return unexpected(path + ": invalid YAML: " + e.what());
  }
  try {
    return parse(root, path);
  } catch (const YAML::Exception& e) {
    return unexpected(path + ": " + e.what());
  }
}

namespace {

Result<void, std::string> known_component(const AppConfiguration& configuration) {
  const dapr::NameResolutionSpec& spec = *configuration.name_resolution;
  if (spec.component != "sqlite") {
    return unexpected(configuration.source + ": spec.nameResolution.component \"" + spec.component +
                      "\" is not supported (supported: sqlite)");
  }
  return {};
}

}  // namespace

Result<void, std::string> check_app_configuration(const std::string& path) {
  if (path.empty()) return {};
  auto configuration = load_app_configuration(path);
  if (!configuration) return unexpected(std::move(configuration.error()));
  if (!configuration->name_resolution) return {};
  if (auto known = known_component(*configuration); !known) return known;
  auto settings = SqliteResolver::settings(*configuration->name_resolution);
  if (!settings) return unexpected(std::move(settings.error().message));
  return {};
}

Result<std::unique_ptr<dapr::NameResolver>, std::string> build_name_resolver(
    const AppConfiguration& configuration) {
  if (!configuration.name_resolution) return std::unique_ptr<dapr::NameResolver>();
  const dapr::NameResolutionSpec& spec = *configuration.name_resolution;
  if (auto known = known_component(configuration); !known) return unexpected(known.error());
  auto resolver = make_sqlite_resolver(spec);
  if (!resolver) return unexpected(std::move(resolver.error().message));
  return std::move(*resolver);
}

}  // namespace wasmdapr::components
