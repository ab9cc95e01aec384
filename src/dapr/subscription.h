#pragma once
// A pub/sub subscription as Dapr declares it: a `kind: Subscription` resource, or one entry of
// the app's answer to GET /dapr/subscribe. Routes pick the app path a message is delivered to.

#include <optional>
#include <string>
#include <vector>

#include "dapr/state_store.h"

namespace wasmdapr::dapr {

struct SubscriptionRule {
  std::string match;  // a CEL expression over event.*; empty matches everything
  std::string path;
};

struct SubscriptionSpec {
  std::string name;  // metadata.name of a declarative subscription; empty for programmatic ones
  std::string pubsub_name;
  std::string topic;
  std::vector<SubscriptionRule> rules;  // in order
  std::string default_path;             // routes.default, or the v1 `route`
  std::string dead_letter_topic;
  Metadata metadata;
  std::vector<std::string> scopes;  // app ids it applies to; empty = all
  std::string source;               // file it came from; empty for programmatic ones
};

}  // namespace wasmdapr::dapr
