#pragma once
// GET /v1.0/metadata, PUT /v1.0/metadata/{key} and the health checks. The JS SDK polls
// /v1.0/metadata as its readiness probe, so it answers from memory, without touching a backend.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "dapr/component.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

class MetadataApi {
 public:
  // `components` must outlive this object.
  MetadataApi(const dapr::ComponentSet& components, std::string app_id,
              std::string runtime_version);

  http::Response get() const;
  // The value is the raw request body; it then appears under "extended".
  http::Response put_extended(std::string_view key, const http::Request& request);

  // 204 when ready (components load before the API listens, so it always is); with
  // `?appid=X` naming another app, 500 ERR_HEALTH_APPID_NOT_MATCH.
  http::Response healthz(const http::Request& request) const;
  http::Response healthz_outbound() const;

  // Where the "subscriptions" array comes from (a JSON array; "[]" until set). Set once,
  // before the API serves.
  void list_subscriptions_with(std::function<std::string()> source) {
    subscriptions_ = std::move(source);
  }

 private:
  std::string components_json() const;

  const dapr::ComponentSet& components_;
  std::string app_id_;
  std::string runtime_version_;
  mutable std::mutex extended_mutex_;
  std::map<std::string, std::string> extended_;
  std::function<std::string()> subscriptions_;
};

}  // namespace wasmdapr::sidecar
