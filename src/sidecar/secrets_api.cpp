#include "sidecar/secrets_api.h"

#include <string>

#include "sidecar/api_response.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {
namespace {

http::Response get_failed(std::string_view store, const dapr::Error& error) {
  return api_error(500, "ERR_SECRET_GET",
                   "failed getting secret from store " + std::string(store) + ": " + error.message);
}

}  // namespace

Result<const dapr::SecretStore*, http::Response> SecretsApi::target(std::string_view store) const {
  if (components_.secrets.empty()) {
    return unexpected(
        api_error(500, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured"));
  }
  const dapr::SecretStore* found = components_.secret_store(std::string(store));
  if (!found) {
    return unexpected(api_error(401, "ERR_SECRET_STORE_NOT_FOUND",
                                "failed finding secret store with key " + std::string(store)));
  }
  return found;
}

http::Response SecretsApi::get(std::string_view store, std::string_view name,
                               const http::Request& request) const {
  auto secrets = target(store);
  if (!secrets) return std::move(secrets.error());
  auto got = (*secrets)->get(std::string(name), RequestParams::of(request).metadata);
  if (!got) return get_failed(store, got.error());
  if (!*got || (*got)->empty()) return no_content();
  return json_ok(dapr::secret_json(**got));
}

http::Response SecretsApi::bulk(std::string_view store, const http::Request& request) const {
  auto secrets = target(store);
  if (!secrets) return std::move(secrets.error());
  auto got = (*secrets)->bulk_get(RequestParams::of(request).metadata);
  if (!got) return get_failed(store, got.error());
  std::string body = "{";
  for (const auto& [name, secret] : *got) {
    if (body.size() > 1) body += ',';
    body += dapr::JsonView::quote(name);
    body += ':';
    body += dapr::secret_json(secret);
  }
  body += '}';
  return json_ok(std::move(body));
}

}  // namespace wasmdapr::sidecar
