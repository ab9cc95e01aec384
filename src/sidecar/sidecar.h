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
#include "sidecar/metadata_api.h"
#include "sidecar/secrets_api.h"
#include "sidecar/state_api.h"

namespace wasmdapr::sidecar {

struct SidecarOptions {
  std::string app_id;
  std::optional<std::string> api_token;  // DAPR_API_TOKEN
  std::string runtime_version;
};

class Sidecar {
 public:
  // `components` must outlive the sidecar.
  Sidecar(const dapr::ComponentSet& components, SidecarOptions options);

  http::Response handle(const http::Request& request);

  // Called once when a client asks for shutdown (POST /v1.0/shutdown), on the thread that
  // answers it: it must only signal, never wait for the server to stop.
  void on_shutdown(std::function<void()> callback) { shutdown_ = std::move(callback); }

 private:
  bool authorized(const http::Request& request) const;
  http::Response route(const http::Request& request, std::string_view path);
  http::Response shutdown();

  SidecarOptions options_;
  StateApi state_;
  SecretsApi secrets_;
  MetadataApi metadata_;
  std::function<void()> shutdown_;
  std::once_flag shutdown_once_;
};

}  // namespace wasmdapr::sidecar
