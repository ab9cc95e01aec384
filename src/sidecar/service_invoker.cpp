#include "sidecar/service_invoker.h"

namespace wasmdapr::sidecar {

SidecarInvoker::SidecarInvoker(const AppChannel& app, const dapr::ComponentSet&,
                               const SidecarOptions& options)
    : app_(app), app_id_(options.app_id) {}

Result<dapr::InvokeResponse, dapr::Error> SidecarInvoker::invoke(const dapr::InvokeRequest&) {
  return unexpected(
      dapr::Error{dapr::Error::Code::NotSupported, "service invocation is not built yet"});
}

void SidecarInvoker::advertise(const std::string&, uint16_t) {}

}  // namespace wasmdapr::sidecar
