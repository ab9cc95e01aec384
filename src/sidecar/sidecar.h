#pragma once
// The built-in Dapr sidecar: Dapr's HTTP API v1.0 over a set of live components. `handle` is
// the whole API as one thread-safe function, so the same sidecar answers its HTTP server and,
// in process, the guests' calls to its own address.
//
// Auth: with an API token set, every request but the two health checks must carry it in the
// `dapr-api-token` header, or gets 401 "invalid api token", as daprd answers.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dapr/component.h"
#include "http/server.h"
#include "sidecar/app_channel.h"
#include "sidecar/bindings_api.h"
#include "sidecar/configuration_api.h"
#include "sidecar/invoke_api.h"
#include "sidecar/metadata_api.h"
#include "sidecar/pubsub_api.h"
#include "sidecar/secrets_api.h"
#include "sidecar/service_invoker.h"
#include "sidecar/sidecar_options.h"
#include "sidecar/state_api.h"
#include "sidecar/subscriptions.h"

namespace wasmdapr::sidecar {

class Sidecar {
 public:
  // `components` must outlive the sidecar.
  Sidecar(const dapr::ComponentSet& components, SidecarOptions options);

  http::Response handle(const http::Request& request);

  // Starts pub/sub deliveries to the app (see Subscriptions::start); returns at once.
  void start_subscriptions() { subscriptions_.start(); }
  // Where the HTTP API listens, once it does, so that other sidecars can find this one.
  void advertise(const std::string& host, uint16_t port) { invoker_.advertise(host, port); }
  // Service invocation as this sidecar performs it, for the guest ABI.
  dapr::ServiceInvoker& invoker() { return invoker_; }

  // Called once when a client asks for shutdown (POST /v1.0/shutdown), on the thread that
  // answers it: it must only signal, never wait for the server to stop.
  void on_shutdown(std::function<void()> callback) { shutdown_ = std::move(callback); }

 private:
  bool authorized(const http::Request& request) const;
  http::Response route(const http::Request& request, std::string_view path);
  http::Response shutdown();

  SidecarOptions options_;
  AppChannel app_;
  SidecarInvoker invoker_;
  StateApi state_;
  SecretsApi secrets_;
  MetadataApi metadata_;
  PubSubApi pubsub_;
  InvokeApi invoke_;
  BindingsApi bindings_;
  ConfigurationApi configuration_;
  Subscriptions subscriptions_;
  std::function<void()> shutdown_;
  std::once_flag shutdown_once_;
};

}  // namespace wasmdapr::sidecar
