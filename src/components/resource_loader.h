#pragma once
// Reads Dapr resource YAML (`--resources-path`): every *.yaml / *.yml file of each directory,
// in name order, each possibly holding several `---` documents. `kind: Component` documents
// become ComponentSpecs and `kind: Subscription` ones SubscriptionSpecs; other kinds
// (Resiliency, ...) are left for the blocks that use them. Resources scoped to other app ids
// are skipped.
//
// A Subscription is dapr.io/v1alpha1 with spec.route, or dapr.io/v2alpha1 with spec.routes
// (rules [{match, path}] in order, and/or a default); spec.pubsubname and spec.topic are
// required, spec.deadLetterTopic and spec.metadata (a mapping of scalars) optional.
//
// Metadata values may be any YAML scalar (used as text), carry the template tags {appID} and
// {uuid}, or be a `secretKeyRef` resolved from the component's `auth.secretStore`, which must be
// a `secretstores.local.env` component of the same resources (the secret is the environment
// variable named by secretKeyRef.name).
//
// Every error names the file and the field: "res/redis.yaml: spec.metadata[1].name: missing".

#include <string>
#include <string_view>
#include <vector>

#include "dapr/component.h"
#include "base/result.h"

namespace wasmdapr::components {

Result<std::vector<dapr::ComponentSpec>, std::string> read_component_specs(
    const std::vector<std::string>& directories, std::string_view app_id);

Result<std::vector<dapr::SubscriptionSpec>, std::string> read_subscription_specs(
    const std::vector<std::string>& directories, std::string_view app_id);

// One file's text (for tests and for errors that point into a single document).
Result<std::vector<dapr::ComponentSpec>, std::string> parse_component_yaml(
    std::string_view text, const std::string& source, std::string_view app_id);
Result<std::vector<dapr::SubscriptionSpec>, std::string> parse_subscription_yaml(
    std::string_view text, const std::string& source, std::string_view app_id);

}  // namespace wasmdapr::components
