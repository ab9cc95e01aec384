#pragma once
// The built-in sidecar as `wasmdapr run` hosts it: the components loaded from
// --resources-path (or the embedded defaults), the Dapr API over them, and, when asked for,
// its HTTP server on --dapr-listen-address:--dapr-http-port.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "dapr/component.h"
#include "http/server.h"
#include "runtime/run_options.h"
#include "sidecar/sidecar.h"
#include "base/result.h"

namespace wasmdapr::runtime {

inline constexpr uint16_t kDefaultDaprHttpPort = 3500;

class SidecarHost {
 public:
  // Loads the components and builds the API; listens when `port` is set (0: any free port).
  // Errors name the resource file and field, or the address that could not be bound.
  static Result<std::unique_ptr<SidecarHost>, std::string> start(const RunOptions& options,
                                                                 std::optional<uint16_t> port);
  ~SidecarHost();

  sidecar::Sidecar& api() { return *sidecar_; }
  const dapr::ComponentSet& components() const { return components_; }
  // The port the HTTP API listens on, when it listens.
  std::optional<uint16_t> port() const;

  // For wait_for_shutdown(): call before start(), so that the server threads inherit the mask
  // and only wait_for_shutdown() sees the signals.
  static void block_termination_signals();
  // Blocks until SIGINT or SIGTERM arrives or a client calls POST /v1.0/shutdown.
  void wait_for_shutdown();

  explicit SidecarHost(dapr::ComponentSet components);

 private:
  dapr::ComponentSet components_;
  std::unique_ptr<sidecar::Sidecar> sidecar_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> shutdown_requested_{false};
};

}  // namespace wasmdapr::runtime
