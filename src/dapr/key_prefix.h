#pragma once
// Dapr's state key scheme, shared by the HTTP API and the guest ABI so a key saved through
// one is found through the other: "<prefix>||<key>", where the component's `keyPrefix`
// metadata picks the prefix: "appid" (the default) → the app id, "name" → the component's
// name, "namespace" → "<$NAMESPACE>.<app id>" (the app id alone when NAMESPACE is unset),
// "none" → no prefix, anything else → that string itself. As in Dapr, the setting's name is
// matched case-insensitively and its value is lower-cased.

#include <optional>
#include <string>
#include <string_view>

#include "dapr/component.h"

namespace wasmdapr::dapr {

inline constexpr std::string_view kKeySeparator = "||";

class KeyPrefix {
 public:
  KeyPrefix(const ComponentSpec& spec, std::string_view app_id);

  // The store key for a user key, or nullopt when the user key is not allowed (it contains
  // the separator, or is empty).
  std::optional<std::string> apply(std::string_view user_key) const;
  // The user key of a store key (prefix removed).
  std::string_view strip(std::string_view store_key) const;
  // What every store key of this component starts with ("<app-id>||"), or empty.
  std::string_view prefix() const { return prefix_; }

 private:
  std::string prefix_;  // including the separator, or empty for "none"
};

}  // namespace wasmdapr::dapr
