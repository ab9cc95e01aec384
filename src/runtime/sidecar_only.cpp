#include <cstdio>

#include "runtime/run.h"
#include "runtime/sidecar_host.h"

namespace wasmdapr::runtime {

int run_sidecar_only(const RunOptions& options) {
  SidecarHost::block_termination_signals();
  auto host = SidecarHost::start(options, options.dapr_http_port.value_or(kDefaultDaprHttpPort));
  if (!host) {
    std::fprintf(stderr, "error: %s\n", host.error().c_str());
    return 2;
  }
  std::fprintf(stderr, "wasmdapr: app id '%s', Dapr HTTP API on http://%s:%u\n",
               options.app_id.c_str(), options.dapr_listen_address.c_str(),
               static_cast<unsigned>(*(*host)->port()));
  (*host)->wait_for_shutdown();
  std::fprintf(stderr, "wasmdapr: shut down\n");
  return 0;
}

}  // namespace wasmdapr::runtime
