#include "sidecar/invoke_api.h"

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {

http::Response InvokeApi::invoke_path(const http::Request&) const {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "service invocation is not built yet");
}

http::Response InvokeApi::invoke_header(const http::Request& request) const {
  return invoke_path(request);
}

bool InvokeApi::has_app_id_header(const http::Request& request) {
  return !request.header("dapr-app-id").empty();
}

}  // namespace wasmdapr::sidecar
