#include "sidecar/configuration_api.h"

#include <cstdio>
#include <random>
#include <shared_mutex>
#include <vector>

#include "dapr/json_view.h"
#include "sidecar/api_response.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {

struct ConfigurationApi::Deliveries {
  explicit Deliveries(const AppChannel& channel) : app(channel) {}

  const AppChannel& app;
  std::shared_mutex gate;  // shared while a delivery runs; exclusive to close
  bool open = true;
};

namespace {

using dapr::JsonView;

// The `key` parameters, in order (repeatable), and the metadata.* ones.
struct ConfigurationQuery {
  std::vector<std::string> keys;
  dapr::Metadata metadata;

  static ConfigurationQuery of(const http::Request& request) {
    ConfigurationQuery query;
    for (auto& [name, value] : http::parse_query(request.query)) {
      if (name == "key") query.keys.push_back(std::move(value));
    }
    query.metadata = RequestParams::of(request).metadata;
    return query;
  }
};

std::string items_json(const dapr::ConfigurationItems& items) {
  std::string body = "{";
  for (const auto& [key, item] : items) {
    if (body.size() > 1) body += ',';
    body += JsonView::quote(key);
    body += ":{\"value\":";
    body += JsonView::quote(item.value);
    body += ",\"version\":";
    body += JsonView::quote(item.version);
    body += ",\"metadata\":{";
    bool first = true;
    for (const auto& [name, value] : item.metadata) {
      if (!first) body += ',';
      first = false;
      body += JsonView::quote(name);
      body += ':';
      body += JsonView::quote(value);
    }
    body += "}}";
  }
  body += '}';
  return body;
}

// A random (version 4) UUID, the shape of the runtime's subscription ids.
std::string new_subscription_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  uint64_t high = random(), low = random();
  high = (high & ~0xf000ull) | 0x4000ull;                // version 4
  low = (low & ~(0xc000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffull));
  return text;
}

http::Response unsubscribe_failed(const std::string& message) {
  http::Response response = json_ok("{\"ok\":false,\"message\":" + JsonView::quote(message) + "}");
  response.status = 500;
  return response;
}

}  // namespace

ConfigurationApi::ConfigurationApi(const dapr::ComponentSet& components, const AppChannel& app)
    : components_(components), deliveries_(std::make_shared<Deliveries>(app)) {}

ConfigurationApi::~ConfigurationApi() {
  std::map<std::string, Subscription> open;
  {
    std::lock_guard lock(mutex_);
    open.swap(subscriptions_);
  }
  for (const auto& [id, subscription] : open) {
    if (auto* store = components_.configuration_store(subscription.store)) {
      (void)store->unsubscribe(subscription.component_id);
    }
  }
  std::unique_lock closing(deliveries_->gate);  // waits for deliveries in flight
  deliveries_->open = false;
}

Result<dapr::ConfigurationStore*, http::Response> ConfigurationApi::target(
    std::string_view store) const {
  if (components_.configurations.empty()) {
    return unexpected(api_error(500, "ERR_CONFIGURATION_STORE_NOT_CONFIGURED",
                                "configuration stores not configured"));
  }
  dapr::ConfigurationStore* found = components_.configuration_store(std::string(store));
  if (!found) {
    return unexpected(api_error(400, "ERR_CONFIGURATION_STORE_NOT_FOUND",
                                "configuration store " + std::string(store) + " not found"));
  }
  return found;
}

http::Response ConfigurationApi::get(std::string_view store, const http::Request& request) const {
  auto configuration = target(store);
  if (!configuration) return std::move(configuration.error());
  auto query = ConfigurationQuery::of(request);
  auto items = (*configuration)->get(query.keys, query.metadata);
  if (!items) {
    return api_error(500, "ERR_CONFIGURATION_GET",
                     "failed to get configuration from store " + std::string(store) + ": " +
                         items.error().message);
  }
  if (items->empty()) return no_content();
  return json_ok(items_json(*items));
}

http::Response ConfigurationApi::subscribe(std::string_view store, const http::Request& request) {
  auto configuration = target(store);
  if (!configuration) return std::move(configuration.error());
  auto query = ConfigurationQuery::of(request);
  std::string id = new_subscription_id();
  std::string path_prefix = "/configuration/" + std::string(store) + "/";

  auto deliver = [deliveries = deliveries_, id,
                  path_prefix](const dapr::ConfigurationItems& items) {
    std::shared_lock delivering(deliveries->gate);
    if (!deliveries->open) return;
    for (const auto& [key, item] : items) {
      dapr::ConfigurationItems one{{key, item}};
      std::string body = "{\"id\":" + JsonView::quote(id) + ",\"items\":" + items_json(one) + "}";
      (void)deliveries->app.call("POST", path_prefix + key, {{"content-type", "application/json"}},
                                 std::move(body));
    }
  };
  auto subscribed = (*configuration)->subscribe(query.keys, query.metadata, std::move(deliver));
  if (!subscribed) {
    return api_error(500, "ERR_CONFIGURATION_SUBSCRIBE",
                     "failed to subscribe to configuration store " + std::string(store) + ": " +
                         subscribed.error().message);
  }
  {
    std::lock_guard lock(mutex_);
    subscriptions_[id] = Subscription{std::string(store), std::move(*subscribed)};
  }
  return json_ok("{\"id\":" + JsonView::quote(id) + "}");
}

http::Response ConfigurationApi::unsubscribe(std::string_view store, std::string_view id) {
  auto configuration = target(store);
  if (!configuration) return std::move(configuration.error());
  Subscription subscription;
  {
    std::lock_guard lock(mutex_);
    auto it = subscriptions_.find(std::string(id));
    if (it == subscriptions_.end() || it->second.store != store) {
      return unsubscribe_failed("subscription " + std::string(id) + " not found in store " +
                                std::string(store));
    }
    subscription = std::move(it->second);
    subscriptions_.erase(it);
  }
  if (auto ended = (*configuration)->unsubscribe(subscription.component_id); !ended) {
    return unsubscribe_failed(ended.error().message);
  }
  return json_ok("{\"ok\":true}");
}

}  // namespace wasmdapr::sidecar
