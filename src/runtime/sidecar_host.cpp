#include "runtime/sidecar_host.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "components/app_configuration.h"
#include "components/registry.h"

namespace wasmdapr::runtime {

namespace {

std::optional<std::string> api_token_from_environment() {
  const char* token = std::getenv("DAPR_API_TOKEN");
  if (!token || !*token) return std::nullopt;
  return std::string(token);
}

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SidecarHost::SidecarHost(dapr::ComponentSet components) : components_(std::move(components)) {}

SidecarHost::~SidecarHost() {
  if (server_) server_->stop();
  // Deliveries call into the sidecar: they must end before it goes.
  for (auto& [name, entry] : components_.pubsubs) entry.component->close();
}

namespace {

sidecar::SidecarOptions sidecar_options(const RunOptions& options) {
  sidecar::SidecarOptions out;
  out.app_id = options.app_id;
  out.api_token = api_token_from_environment();
  out.runtime_version = WASMDAPR_VERSION;
  out.app_channel.port = options.app_port;
  out.app_channel.host = options.app_channel_address;
  out.config_path = options.config_path;
  return out;
}

}  // namespace

Result<std::unique_ptr<SidecarHost>, std::string> SidecarHost::start(const RunOptions& options,
                                                                     std::optional<uint16_t> port) {
  auto components =
      components::load_components(options.resources_paths, options.state_dir, options.app_id);
  if (!components) return unexpected(std::move(components.error()));
  if (auto config = components::check_app_configuration(options.config_path); !config) {
    return unexpected(std::move(config.error()));
  }
  auto host = std::make_unique<SidecarHost>(std::move(*components));
  host->sidecar_ = std::make_unique<sidecar::Sidecar>(host->components_, sidecar_options(options));
  host->sidecar_->on_shutdown([raw = host.get()] { raw->shutdown_requested_ = true; });
  host->sidecar_->start_subscriptions();
  if (!port) return host;

  http::ServerOptions server_options;
  server_options.address = options.dapr_listen_address;
  server_options.port = *port;
  server_options.max_body_bytes = options.max_request_body_bytes;
  // Store calls block their thread while a backend (Redis, a disk sync) answers, so the pool
  // is a few threads per core: with one per core, a handful of slow calls would stall the rest.
  server_options.threads = 4 * std::max(1u, std::thread::hardware_concurrency());
  auto server = http::Server::start(
      server_options,
      [api = host->sidecar_.get()](const http::Request& request) { return api->handle(request); });
  if (!server) return unexpected(std::move(server.error()));
  host->server_ = std::move(*server);
  host->sidecar_->advertise(options.dapr_listen_address, host->server_->port());
  return host;
}

void SidecarHost::block_termination_signals() {
  sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::optional<uint16_t> SidecarHost::port() const {
  if (!server_) return std::nullopt;
  return server_->port();
}

void SidecarHost::wait_for_shutdown() {
  sigset_t signals = termination_signals();
  timespec poll_interval{0, 100'000'000};
  while (!shutdown_requested_) {
    if (sigtimedwait(&signals, nullptr, &poll_interval) > 0) break;
  }
  if (server_) server_->stop();
}

}  // namespace wasmdapr::runtime
