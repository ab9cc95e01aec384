#pragma once
// The service invocation routes of Dapr's HTTP API v1.0. TODO: state the contract.

#include "dapr/service_invocation.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

class InvokeApi {
 public:
  // `invoker` must outlive this object.
  explicit InvokeApi(dapr::ServiceInvoker& invoker) : invoker_(invoker) {}

  // ANY /v1.0/invoke/{appId}/method/{method...}
  http::Response invoke_path(const http::Request& request) const;
  // Any other path, with a `dapr-app-id` header (or Basic auth user dapr-app-id).
  http::Response invoke_header(const http::Request& request) const;
  // Whether the request names its target app by header instead of path.
  static bool has_app_id_header(const http::Request& request);

 private:
  dapr::ServiceInvoker& invoker_;
};

}  // namespace wasmdapr::sidecar
