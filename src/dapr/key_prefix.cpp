#include "dapr/key_prefix.h"

#include <cctype>
#include <cstdlib>

namespace wasmdapr::dapr {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The `keyPrefix` setting, its name matched case-insensitively like every component setting;
// Dapr lower-cases the value, custom prefixes included.
std::string prefix_mode(const ComponentSpec& spec) {
  for (const auto& [name, value] : spec.metadata) {
    if (lower(name) == "keyprefix" && !value.empty()) return lower(value);
  }
  return "appid";
}

}  // namespace

KeyPrefix::KeyPrefix(const ComponentSpec& spec, std::string_view app_id) {
  std::string mode = prefix_mode(spec);
  std::string base;
  if (mode == "appid") {
    base = app_id;
  } else if (mode == "name") {
    base = spec.name;
  } else if (mode == "namespace") {
    const char* ns = std::getenv("NAMESPACE");
    base = ns && *ns ? std::string(ns) + "." + std::string(app_id) : std::string(app_id);
  } else if (mode != "none") {
    base = mode;
  }
  if (!base.empty()) prefix_ = base + std::string(kKeySeparator);
}

std::optional<std::string> KeyPrefix::apply(std::string_view user_key) const {
  if (user_key.empty() || user_key.find(kKeySeparator) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string key;
  key.reserve(prefix_.size() + user_key.size());
  key.append(prefix_).append(user_key);
  return key;
}

std::string_view KeyPrefix::strip(std::string_view store_key) const {
  if (store_key.starts_with(prefix_)) store_key.remove_prefix(prefix_.size());
  return store_key;
}

}  // namespace wasmdapr::dapr
