#include "sidecar/metadata_api.h"

#include <algorithm>
#include <vector>

#include "dapr/json_view.h"
#include "sidecar/api_response.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::JsonView;

struct ComponentEntry {
  const dapr::ComponentSpec* spec;
  std::vector<std::string> capabilities;
};

std::string json_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += JsonView::quote(items[i]);
  }
  return out + "]";
}

}  // namespace

MetadataApi::MetadataApi(const dapr::ComponentSet& components, std::string app_id,
                         std::string runtime_version)
    : components_(components),
      app_id_(std::move(app_id)),
      runtime_version_(std::move(runtime_version)) {
  extended_["daprRuntimeVersion"] = runtime_version_;
}

std::string MetadataApi::components_json() const {
  std::vector<ComponentEntry> entries;
  for (const auto& [name, entry] : components_.state) {
    entries.push_back({&entry.spec, entry.store->features()});
  }
  for (const auto& [name, spec] : components_.secret_stores) entries.push_back({&spec, {}});
  for (const auto& [name, entry] : components_.pubsubs) {
    entries.push_back({&entry.spec, entry.component->features()});
  }
  for (const auto& [name, entry] : components_.bindings) entries.push_back({&entry.spec, {}});
  for (const auto& [name, entry] : components_.configurations) {
    entries.push_back({&entry.spec, {}});
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.spec->name < b.spec->name; });
  std::string out = "[";
  for (const auto& entry : entries) {
    if (out.size() > 1) out += ',';
    out += R"({"name":)" + JsonView::quote(entry.spec->name) + R"(,"type":)" +
           JsonView::quote(entry.spec->type) + R"(,"version":)" +
           JsonView::quote(entry.spec->version);
    if (!entry.capabilities.empty()) {
      out += R"(,"capabilities":)" + json_string_array(entry.capabilities);
    }
    out += '}';
  }
  return out + "]";
}

http::Response MetadataApi::get() const {
  std::string extended = "{";
  {
    std::lock_guard lock(extended_mutex_);
    for (const auto& [key, value] : extended_) {
      if (extended.size() > 1) extended += ',';
      extended += JsonView::quote(key) + ':' + JsonView::quote(value);
    }
  }
  extended += '}';
  return json_ok(R"({"id":)" + JsonView::quote(app_id_) + R"(,"runtimeVersion":)" +
                 JsonView::quote(runtime_version_) + R"(,"enabledFeatures":[],"actors":[])" +
                 R"(,"components":)" + components_json() + R"(,"extended":)" + extended +
                 R"(,"subscriptions":)" + (subscriptions_ ? subscriptions_() : "[]") +
                 R"(,"httpEndpoints":[]})");
}

http::Response MetadataApi::put_extended(std::string_view key, const http::Request& request) {
  std::lock_guard lock(extended_mutex_);
  extended_[std::string(key)] = request.body;
  return no_content();
}

http::Response MetadataApi::healthz(const http::Request& request) const {
  auto appid = RequestParams::of(request).get("appid");
  if (appid && *appid != app_id_) {
    return api_error(500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match");
  }
  return no_content();
}

http::Response MetadataApi::healthz_outbound() const {
  return no_content();
}

}  // namespace wasmdapr::sidecar
