#pragma once
// The service invocation routes of Dapr's HTTP API v1.0, a thin adapter over a
// dapr::ServiceInvoker:
//   ANY /v1.0/invoke/{appId}/method/{method...}  the method may be a nested path; appId may be
//                                                a percent-encoded http(s) URL
//   ANY /{method...} with `dapr-app-id: <appId>`, or with HTTP Basic auth of user
//                                                `dapr-app-id` and password <appId>: the whole
//                                                path is the method
// The verb, query string, body and headers go to the target; the `dapr-app-id` header and
// that Basic auth are removed first (the invoker drops hop-by-hop headers and the API token).
// The target's answer comes back as it is: status, headers (minus hop-by-hop ones) and body.
// When the target cannot be resolved or reached: 500 ERR_DIRECT_INVOKE with the reason; with
// no app id at all: 404 ERR_DIRECT_INVOKE.

#include <optional>
#include <string>

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
  // The app id a request names by header or Basic auth, if any.
  static std::optional<std::string> app_id_from_headers(const http::Request& request);
  http::Response invoke(const http::Request& request, std::string app_id, std::string method) const;

  dapr::ServiceInvoker& invoker_;
};

}  // namespace wasmdapr::sidecar
