#pragma once
// The output binding route of Dapr's HTTP API v1.0. TODO: state the contract.

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
