#include "components/resource_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace wasmdapr::components {
namespace {

namespace fs = std::filesystem;

// A metadata value whose secret is still to be looked up once all specs are known.
struct SecretRef {
  size_t spec_index;
  std::string field;  // "spec.metadata[2].secretKeyRef"
  std::string metadata_name;
  std::string secret_name;
};

struct Parsed {
  std::vector<dapr::ComponentSpec> specs;
  std::vector<dapr::SubscriptionSpec> subscriptions;
  std::vector<std::string> secret_stores;  // auth.secretStore per spec ("" when none)
  std::vector<SecretRef> secrets;
};

std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string out = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : out) {
    if (c == 'x' || c == 'y') {
      int v = hex(rd);
      if (c == 'y') v = 8 | (v & 3);
      c = "0123456789abcdef"[v];
    }
  }
  return out;
}

// A mapping's child, or a null node: yaml-cpp throws when indexing through a missing key.
YAML::Node child(const YAML::Node& node, const char* key) {
  if (node && node.IsMap()) {
    if (YAML::Node found = node[key]; found) return found;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string expand_tags(std::string value, std::string_view app_id) {
  auto replace_all = [&](std::string_view tag, auto make) {
    for (size_t at = value.find(tag); at != std::string::npos; at = value.find(tag, at)) {
      std::string with = make();
      value.replace(at, tag.size(), with);
      at += with.size();
    }
  };
  replace_all("{appID}", [&] { return std::string(app_id); });
  replace_all("{uuid}", [] { return random_uuid(); });
  return value;
}

class DocumentReader {
 public:
  DocumentReader(const std::string& source, std::string_view app_id, Parsed& out)
      : source_(source), app_id_(app_id), out_(out) {}

  // Empty string on success, else the error.
  std::string read(const YAML::Node& doc) {
    if (!doc || doc.IsNull()) return {};
    if (!doc.IsMap()) return fail("", "a resource must be a YAML mapping");
    std::string kind = scalar(child(doc, "kind"));
    if (kind.empty()) return fail("kind", "missing");
    if (kind == "Subscription") return read_subscription(doc);
    if (kind != "Component") return {};
    std::string api = scalar(child(doc, "apiVersion"));
    if (api != "dapr.io/v1alpha1") {
      return fail("apiVersion", "expected dapr.io/v1alpha1, got '" + api + "'");
    }
    dapr::ComponentSpec spec;
    spec.source = source_;
    spec.name = scalar(child(child(doc, "metadata"), "name"));
    if (spec.name.empty()) return fail("metadata.name", "missing");
    const YAML::Node& body = child(doc, "spec");
    if (!body.IsMap()) return fail("spec", "missing or not a mapping");
    spec.type = scalar(child(body, "type"));
    if (spec.type.empty()) return fail("spec.type", "missing");
    spec.version = scalar(child(body, "version"));
    if (spec.version.empty()) return fail("spec.version", "missing");
    if (auto error = read_scopes(child(doc, "scopes"), spec); !error.empty()) return error;
    if (!in_scope(spec)) return {};
    size_t index = out_.specs.size();
    if (auto error = read_metadata(child(body, "metadata"), spec, index); !error.empty())
      return error;
    out_.secret_stores.push_back(scalar(child(child(doc, "auth"), "secretStore")));
    out_.specs.push_back(std::move(spec));
    return {};
  }

 private:
  std::string read_subscription(const YAML::Node& doc) {
    std::string api = scalar(child(doc, "apiVersion"));
    bool v1 = api == "dapr.io/v1alpha1";
    if (!v1 && api != "dapr.io/v2alpha1") {
      return fail("apiVersion", "expected dapr.io/v1alpha1 or dapr.io/v2alpha1, got '" + api + "'");
    }
    dapr::SubscriptionSpec sub;
    sub.source = source_;
    sub.name = scalar(child(child(doc, "metadata"), "name"));
    if (sub.name.empty()) return fail("metadata.name", "missing");
    const YAML::Node& body = child(doc, "spec");
    if (!body.IsMap()) return fail("spec", "missing or not a mapping");
    sub.pubsub_name = scalar(child(body, "pubsubname"));
    if (sub.pubsub_name.empty()) return fail("spec.pubsubname", "missing");
    sub.topic = scalar(child(body, "topic"));
    if (sub.topic.empty()) return fail("spec.topic", "missing");
    if (v1) {
      sub.default_path = scalar(child(body, "route"));
      if (sub.default_path.empty()) return fail("spec.route", "missing");
    } else {
      const YAML::Node& routes = child(body, "routes");
      if (!routes.IsMap()) return fail("spec.routes", "missing or not a mapping");
      sub.default_path = scalar(child(routes, "default"));
      const YAML::Node& rules = child(routes, "rules");
      if (rules && !rules.IsNull()) {
        if (!rules.IsSequence())
          return fail("spec.routes.rules", "must be a list of {match, path}");
        for (size_t i = 0; i < rules.size(); ++i) {
          std::string field = "spec.routes.rules[" + std::to_string(i) + "]";
          if (!rules[i].IsMap()) return fail(field, "must be a mapping with match and path");
          dapr::SubscriptionRule rule{scalar(child(rules[i], "match")),
                                      scalar(child(rules[i], "path"))};
          if (rule.path.empty()) return fail(field + ".path", "missing");
          sub.rules.push_back(std::move(rule));
        }
      }
      if (sub.default_path.empty() && sub.rules.empty()) {
        return fail("spec.routes", "needs rules or a default");
      }
    }
    sub.dead_letter_topic = scalar(child(body, "deadLetterTopic"));
    const YAML::Node& metadata = child(body, "metadata");
    if (metadata && !metadata.IsNull()) {
      if (!metadata.IsMap()) return fail("spec.metadata", "must be a mapping of names to values");
      for (const auto& item : metadata) {
        std::string name = scalar(item.first);
        if (!item.second.IsScalar() && !item.second.IsNull()) {
          return fail("spec.metadata." + name, "must be a scalar");
        }
        sub.metadata[name] = scalar(item.second);
      }
    }
    const YAML::Node& scopes = child(doc, "scopes");
    if (scopes && !scopes.IsNull()) {
      if (!scopes.IsSequence()) return fail("scopes", "must be a list of app ids");
      for (const auto& s : scopes) sub.scopes.push_back(scalar(s));
    }
    if (!sub.scopes.empty() &&
        std::find(sub.scopes.begin(), sub.scopes.end(), app_id_) == sub.scopes.end()) {
      return {};
    }
    out_.subscriptions.push_back(std::move(sub));
    return {};
  }

  std::string fail(const std::string& field, const std::string& what) const {
    return source_ + (field.empty() ? "" : ": " + field) + ": " + what;
  }

  static std::string scalar(const YAML::Node& node) {
    return node && node.IsScalar() ? node.Scalar() : std::string();
  }

  std::string read_scopes(const YAML::Node& scopes, dapr::ComponentSpec& spec) const {
    if (!scopes || scopes.IsNull()) return {};
    if (!scopes.IsSequence()) return fail("scopes", "must be a list of app ids");
    for (const auto& s : scopes) spec.scopes.push_back(scalar(s));
    return {};
  }

  bool in_scope(const dapr::ComponentSpec& spec) const {
    return spec.scopes.empty() ||
           std::find(spec.scopes.begin(), spec.scopes.end(), app_id_) != spec.scopes.end();
  }

  std::string read_metadata(const YAML::Node& items, dapr::ComponentSpec& spec, size_t index) {
    if (!items || items.IsNull()) return {};
    if (!items.IsSequence()) return fail("spec.metadata", "must be a list of {name, value}");
    for (size_t i = 0; i < items.size(); ++i) {
      std::string field = "spec.metadata[" + std::to_string(i) + "]";
      const YAML::Node& item = items[i];
      if (!item.IsMap()) return fail(field, "must be a mapping with name and value");
      std::string name = scalar(child(item, "name"));
      if (name.empty()) return fail(field + ".name", "missing");
      if (const YAML::Node& ref = child(item, "secretKeyRef"); ref) {
        std::string secret = scalar(child(ref, "name"));
        if (secret.empty()) return fail(field + ".secretKeyRef.name", "missing");
        out_.secrets.push_back({index, field + ".secretKeyRef", name, secret});
        continue;
      }
      const YAML::Node& value = child(item, "value");
      if (value && !value.IsNull() && !value.IsScalar()) {
        return fail(field + ".value", "must be a scalar");
      }
      spec.metadata[name] = expand_tags(scalar(value), app_id_);
    }
    return {};
  }

  const std::string& source_;
  std::string_view app_id_;
  Parsed& out_;
};

std::string parse_into(std::string_view text, const std::string& source, std::string_view app_id,
                       Parsed& out) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return source + ": line " + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg;
  }
  DocumentReader reader(source, app_id, out);
  try {
    for (const auto& doc : docs) {
      if (auto error = reader.read(doc); !error.empty()) return error;
    }
  } catch (const YAML::Exception& e) {
    return source + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
  }
  return {};
}

std::string resolve_secrets(Parsed& parsed) {
  for (const auto& ref : parsed.secrets) {
    auto& spec = parsed.specs[ref.spec_index];
    const std::string& store_name = parsed.secret_stores[ref.spec_index];
    auto store = std::find_if(parsed.specs.begin(), parsed.specs.end(),
                              [&](const auto& s) { return s.name == store_name; });
    if (store_name.empty() || store == parsed.specs.end()) {
      return spec.source + ": " + ref.field + ": no secret store to resolve it from (set " +
             "auth.secretStore to a secretstores.local.env component)";
    }
    if (store->type != "secretstores.local.env") {
      return spec.source + ": auth.secretStore: '" + store_name + "' is a " + store->type +
             "; secretKeyRef resolves only from secretstores.local.env";
    }
    const char* value = std::getenv(ref.secret_name.c_str());
    if (!value) {
      return spec.source + ": " + ref.field + ": secret '" + ref.secret_name + "' is not set";
    }
    spec.metadata[ref.metadata_name] = value;
  }
  return {};
}

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<std::vector<dapr::ComponentSpec>, std::string> parse_component_yaml(
    std::string_view text, const std::string& source, std::string_view app_id) {
  Parsed parsed;
  if (auto error = parse_into(text, source, app_id, parsed); !error.empty()) {
    return unexpected(error);
  }
  if (auto error = resolve_secrets(parsed); !error.empty()) return unexpected(error);
  return std::move(parsed.specs);
}

std::string parse_directories(const std::vector<std::string>& directories, std::string_view app_id,
                              Parsed& parsed) {
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return dir + ": --resources-path: not a directory";
    for (const auto& file : yaml_files(dir)) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return file.string() + ": cannot be read";
      if (auto error = parse_into(text.str(), file.string(), app_id, parsed); !error.empty()) {
        return error;
      }
    }
  }
  return {};
}

Result<std::vector<dapr::ComponentSpec>, std::string> read_component_specs(
    const std::vector<std::string>& directories, std::string_view app_id) {
  Parsed parsed;
  if (auto error = parse_directories(directories, app_id, parsed); !error.empty()) {
    return unexpected(error);
  }
  if (auto error = resolve_secrets(parsed); !error.empty()) return unexpected(error);
  return std::move(parsed.specs);
}

Result<std::vector<dapr::SubscriptionSpec>, std::string> read_subscription_specs(
    const std::vector<std::string>& directories, std::string_view app_id) {
  Parsed parsed;
  if (auto error = parse_directories(directories, app_id, parsed); !error.empty()) {
    return unexpected(error);
  }
  return std::move(parsed.subscriptions);
}

Result<std::vector<dapr::SubscriptionSpec>, std::string> parse_subscription_yaml(
    std::string_view text, const std::string& source, std::string_view app_id) {
  Parsed parsed;
  if (auto error = parse_into(text, source, app_id, parsed); !error.empty()) {
    return unexpected(error);
  }
  return std::move(parsed.subscriptions);
}

}  // namespace wasmdapr::components
