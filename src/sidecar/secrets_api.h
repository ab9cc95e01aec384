#pragma once
// The secrets routes of Dapr's HTTP API v1.0, as an adapter from HTTP requests to
// dapr::SecretStore calls. `metadata.*` query parameters go to the store.
//
// Status codes and error codes follow the Dapr runtime: 200 with {"key":"value"} for a secret,
// 204 when the store has no such secret, 200 with {"name":{"key":"value"},...} for bulk;
// 500 ERR_SECRET_STORES_NOT_CONFIGURED with no secret store at all, 401
// ERR_SECRET_STORE_NOT_FOUND for an unknown store (the runtime's status; its docs say 400),
// 500 ERR_SECRET_GET when the store fails.

#include <string_view>

#include "dapr/component.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

class SecretsApi {
 public:
  // `components` must outlive this object.
  explicit SecretsApi(const dapr::ComponentSet& components) : components_(components) {}

  http::Response get(std::string_view store, std::string_view name,
                     const http::Request& request) const;
  http::Response bulk(std::string_view store, const http::Request& request) const;

 private:
  // The named store, or the error response for a missing one.
  Result<const dapr::SecretStore*, http::Response> target(std::string_view store) const;

  const dapr::ComponentSet& components_;
};

}  // namespace wasmdapr::sidecar
