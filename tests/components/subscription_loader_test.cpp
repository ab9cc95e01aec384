// `kind: Subscription` resources: v1alpha1 and v2alpha1 routes, dead letters, metadata and
// scopes, next to Components in the same files, with errors naming the file and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "components/resource_loader.h"

namespace wasmdapr::components {
namespace {

namespace fs = std::filesystem;

Result<std::vector<dapr::SubscriptionSpec>, std::string> parse(const std::string& yaml) {
  return parse_subscription_yaml(yaml, "res/subs.yaml", "myapp");
}

std::string error_of(const std::string& yaml) {
  auto r = parse(yaml);
  EXPECT_FALSE(r) << "expected an error for:\n" << yaml;
  return r ? "" : r.error();
}

TEST(SubscriptionLoader, ReadsAV2SubscriptionWithEveryField) {
  auto subs = parse(R"(apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders-sub
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    rules:
    - match: event.type == "widget"
      path: /widgets
    - match: 'event.type == "gadget"'
      path: gadgets
    default: /orders
  deadLetterTopic: poison
  bulkSubscribe: {enabled: false}
  metadata:
    rawPayload: "true"
    retries: 3
scopes: [myapp, other]
)");
  ASSERT_TRUE(subs) << subs.error();
  ASSERT_EQ(subs->size(), 1u);
  const auto& s = (*subs)[0];
  EXPECT_EQ(s.name, "orders-sub");
  EXPECT_EQ(s.pubsub_name, "pubsub");
  EXPECT_EQ(s.topic, "orders");
  ASSERT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules[0].match, R"(event.type == "widget")");
  EXPECT_EQ(s.rules[0].path, "/widgets");
  EXPECT_EQ(s.rules[1].path, "gadgets");
  EXPECT_EQ(s.default_path, "/orders");
  EXPECT_EQ(s.dead_letter_topic, "poison");
  EXPECT_EQ(s.metadata.at("rawPayload"), "true");
  EXPECT_EQ(s.metadata.at("retries"), "3");
  EXPECT_EQ(s.scopes, (std::vector<std::string>{"myapp", "other"}));
  EXPECT_EQ(s.source, "res/subs.yaml");
}

TEST(SubscriptionLoader, AV1SubscriptionRoutesEverythingToItsRoute) {
  auto subs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: s1}
spec: {pubsubname: pubsub, topic: t, route: /t}
)");
  ASSERT_TRUE(subs) << subs.error();
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].default_path, "/t");
  EXPECT_TRUE((*subs)[0].rules.empty());
}

TEST(SubscriptionLoader, SubscriptionsScopedToOtherAppsAndOtherKindsAreSkipped) {
  auto subs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: theirs}
spec: {pubsubname: pubsub, topic: t, route: /t}
scopes: [someone-else]
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub}
spec: {type: pubsub.in-memory, version: v1}
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: mine}
spec: {pubsubname: pubsub, topic: u, route: /u}
)");
  ASSERT_TRUE(subs) << subs.error();
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].name, "mine");
}

TEST(SubscriptionLoader, ErrorsNameTheFileAndTheField) {
  EXPECT_EQ(error_of("apiVersion: dapr.io/v3\nkind: Subscription\n"),
            "res/subs.yaml: apiVersion: expected dapr.io/v1alpha1 or dapr.io/v2alpha1, got "
            "'dapr.io/v3'");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: s}\n"
                     "spec: {pubsubname: p, route: /r}\n"),
            "res/subs.yaml: spec.topic: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: s}\n"
                     "spec: {pubsubname: p, topic: t}\n"),
            "res/subs.yaml: spec.route: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: s}\n"
                     "spec: {pubsubname: p, topic: t, routes: {rules: [{match: x}]}}\n"),
            "res/subs.yaml: spec.routes.rules[0].path: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: s}\n"
                     "spec: {topic: t, routes: {default: /d}}\n"),
            "res/subs.yaml: spec.pubsubname: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: s}\n"
                     "spec: {pubsubname: p, topic: t, routes: {default: /d}, metadata: [a]}\n"),
            "res/subs.yaml: spec.metadata: must be a mapping of names to values");
}

TEST(SubscriptionLoader, ReadsEveryFileOfTheResourceDirectories) {
  fs::path dir = fs::temp_directory_path() / ("subs-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.yaml")
      << "apiVersion: dapr.io/v1alpha1\nkind: Subscription\n"
         "metadata: {name: a}\nspec: {pubsubname: p, topic: a, route: /a}\n";
  std::ofstream(dir / "b.yml")
      << "apiVersion: dapr.io/v1alpha1\nkind: Component\n"
         "metadata: {name: p}\nspec: {type: pubsub.in-memory, version: v1}\n";
  auto subs = read_subscription_specs({dir.string()}, "myapp");
  auto components = read_component_specs({dir.string()}, "myapp");
  fs::remove_all(dir);
  ASSERT_TRUE(subs) << subs.error();
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].topic, "a");
  EXPECT_EQ((*subs)[0].source, (dir / "a.yaml").string());
  ASSERT_TRUE(components) << components.error();
  EXPECT_EQ(components->size(), 1u);
}

}  // namespace
}  // namespace wasmdapr::components
