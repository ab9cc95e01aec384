#include "sidecar/configuration_api.h"

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {

http::Response ConfigurationApi::get(std::string_view, const http::Request&) const {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "configuration is not built yet");
}

http::Response ConfigurationApi::subscribe(std::string_view, const http::Request&) {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "configuration is not built yet");
}

http::Response ConfigurationApi::unsubscribe(std::string_view, std::string_view) {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "configuration is not built yet");
}

}  // namespace wasmdapr::sidecar
