#include "sidecar/bindings_api.h"

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {

http::Response BindingsApi::invoke(std::string_view, const http::Request&) const {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "bindings are not built yet");
}

}  // namespace wasmdapr::sidecar
