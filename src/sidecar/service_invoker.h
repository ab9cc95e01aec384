#pragma once
// The sidecar's service invocation: dapr::ServiceInvoker as `wasmdapr run` performs it, for
// the HTTP API and the guest ABI alike. A request's target is, in this order:
//   - an `http://` or `https://` URL: a non-Dapr endpoint, called directly at
//     <url>/<method>?<query>;
//   - this sidecar's own app id: its app, through the app channel (--app-port), at
//     /<method>?<query>; NotFound with no app port. The app sees `dapr-callee-app-id` (its own
//     id) and `dapr-caller-app-id` (the app of the sidecar that forwarded the call, else its
//     own: a caller id the app itself sends is replaced);
//   - any other app id: the sidecar that the name resolver of --config finds for it, through
//     its HTTP API at /v1.0/invoke/<id>/method/<method>, with `dapr-caller-app-id` set to this
//     sidecar's app id (and this sidecar's API token, so that sidecars sharing one token reach
//     each other). NotFound when the id resolves nowhere, or when there is no --config or it
//     names no resolver. A sidecar delivers such a forwarded call only to its own app: one for
//     another app id (a stale registration) fails with NotFound and goes no further.
// Real Dapr sidecars speak gRPC to each other, over mTLS; these speak plain HTTP, so they talk
// to each other and not to daprd, and the caller id one sends is taken on trust.
// App ids are compared whole: "app.namespace" forms are not split. The method is plain
// text: on the way out, characters other than unreserved ones and '/' are percent-encoded.
//
// Headers are forwarded minus the hop-by-hop ones, Host, Content-Length and dapr-api-token;
// the answer's status, headers (minus hop-by-hop ones and Content-Length) and body come back
// whatever the status. Unavailable when the target does not answer. Calls to another sidecar
// whose connection is refused, so that nothing was sent, are retried up to 3 times 1 s
// apart, resolving the id again each time (the instance may have moved or gone); no other
// failure is retried, as the call may have reached the target.
//
// The --config file is read when the invoker is built; a file that cannot be read, or that
// names an unknown resolver, is reported on stderr then and fails every call to another app
// with that message (components::check_app_configuration lets a host refuse to start instead).
// advertise() registers this sidecar with the resolver; the registration ends with the invoker.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "dapr/component.h"
#include "dapr/name_resolution.h"
#include "dapr/service_invocation.h"
#include "sidecar/app_channel.h"
#include "sidecar/sidecar_options.h"

namespace wasmdapr::sidecar {

class SidecarInvoker : public dapr::ServiceInvoker {
 public:
  // `app` and `components` must outlive this object.
  SidecarInvoker(const AppChannel& app, const dapr::ComponentSet& components,
                 const SidecarOptions& options);
  ~SidecarInvoker() override;

  Result<dapr::InvokeResponse, dapr::Error> invoke(const dapr::InvokeRequest& request) override;

  // Where this sidecar's HTTP API listens, once it does, for other sidecars to find it. An
  // unspecified address (0.0.0.0, ::, empty) is registered as the loopback one.
  void advertise(const std::string& host, uint16_t port);

 private:
  Result<dapr::InvokeResponse, dapr::Error> invoke_app(const dapr::InvokeRequest& request) const;
  Result<dapr::InvokeResponse, dapr::Error> invoke_url(const dapr::InvokeRequest& request) const;
  Result<dapr::InvokeResponse, dapr::Error> invoke_sidecar(const dapr::InvokeRequest& request);
  void warn_about_configuration() const;

  const AppChannel& app_;
  std::string app_id_;
  std::optional<std::string> api_token_;
  std::unique_ptr<dapr::NameResolver> resolver_;
  std::string configuration_error_;  // why --config gave no resolver, or empty
};

}  // namespace wasmdapr::sidecar
