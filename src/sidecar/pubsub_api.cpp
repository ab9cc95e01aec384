#include "sidecar/pubsub_api.h"

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {

http::Response PubSubApi::publish(std::string_view, std::string_view, const http::Request&) const {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "publish is not built yet");
}

http::Response PubSubApi::bulk_publish(std::string_view, std::string_view,
                                       const http::Request&) const {
  return api_error(501, "ERR_API_UNIMPLEMENTED", "bulk publish is not built yet");
}

}  // namespace wasmdapr::sidecar
