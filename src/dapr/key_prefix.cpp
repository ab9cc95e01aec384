#include "dapr/key_prefix.h"

namespace wasmdapr::dapr {

KeyPrefix::KeyPrefix(const ComponentSpec& spec, std::string_view app_id) {
  auto it = spec.metadata.find("keyPrefix");
  std::string mode = it == spec.metadata.end() ? "appid" : it->second;
  std::string base;
  if (mode == "appid") {
    base = app_id;
  } else if (mode == "name") {
    base = spec.name;
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
