#pragma once
// The sidecar's service invocation. TODO: state how targets are resolved.

#include <cstdint>
#include <string>

#include "dapr/component.h"
#include "dapr/service_invocation.h"
#include "sidecar/app_channel.h"
#include "sidecar/sidecar_options.h"

namespace wasmdapr::sidecar {

class SidecarInvoker : public dapr::ServiceInvoker {
 public:
  // `app` and `components` must outlive this object.
  SidecarInvoker(const AppChannel& app, const dapr::ComponentSet& components,
                 const SidecarOptions& options);

  Result<dapr::InvokeResponse, dapr::Error> invoke(const dapr::InvokeRequest& request) override;

  // Where this sidecar's HTTP API listens, once it does, for other sidecars to find it.
  void advertise(const std::string& host, uint16_t port);

 private:
  const AppChannel& app_;
  std::string app_id_;
};

}  // namespace wasmdapr::sidecar
