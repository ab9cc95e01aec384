#pragma once
// The output binding route of Dapr's HTTP API v1.0, as the Dapr runtime answers it.
//
// POST/PUT /v1.0/bindings/{name} with {"data": <any JSON>, "metadata": {string: string},
// "operation": "..."}. The data reaches the component re-marshalled as compact JSON (object keys
// sorted, as the runtime's re-encoding orders them; absent data is `null`). The answer is 200
// with the component's bytes as application/json, or 204 when it returned neither data nor
// metadata; each response metadata entry comes back as the header `metadata.<key>`.
// A body that is not that JSON object is 400 ERR_MALFORMED_REQUEST; an unknown binding, an
// operation the binding does not list, and every component failure are 500
// ERR_INVOKE_OUTPUT_BINDING "error invoking output binding <name>: <why>".

#include <string_view>

#include "dapr/component.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

class BindingsApi {
 public:
  // `components` must outlive this object.
  explicit BindingsApi(const dapr::ComponentSet& components) : components_(components) {}

  // POST/PUT /v1.0/bindings/{name}
  http::Response invoke(std::string_view name, const http::Request& request) const;

 private:
  const dapr::ComponentSet& components_;
};

}  // namespace wasmdapr::sidecar
