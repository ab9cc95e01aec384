#pragma once
// What an app's guest gets beyond WASI: the built-in Dapr sidecar and the two guest ABIs over
// it (`wasi_experimental_http` through the allow list, and the direct `dapr` ABI). A plain WASI
// program that imports neither and asks for no sidecar gets none of it, and pays nothing.
//
// The sidecar's address for guests is http://127.0.0.1:<--dapr-http-port, default 3500>.
// Guest requests to it are answered in process, with no TCP, after the same allow-list check;
// the HTTP server listens for other processes only when --dapr-http-port is given.

#include <memory>
#include <string>
#include <vector>

#include "hostabi/dapr_abi.h"
#include "hostabi/http_abi.h"
#include "runtime/run_options.h"
#include "runtime/sidecar_host.h"
#include "wasm/linker.h"
#include "wasm/module.h"

namespace wasmdapr::runtime {

class AppServices {
 public:
  // Whether the module imports a guest ABI, or the options ask for the sidecar.
  static bool wanted(const RunOptions& options, const wasm::Module& module);
  // Errors name the bad allow-list entry, resource file or listen address.
  static Result<std::unique_ptr<AppServices>, std::string> start(const RunOptions& options);

  void add_to_linker(wasm::Linker& linker);
  // A guest's request to the sidecar's own address, answered as its HTTP server would answer
  // it over TCP (same status, headers, body, limits), without the network.
  http::OutboundResponse answer_in_process(const http::OutboundRequest& request);
  // What `dapr run` tells an app about its sidecar: APP_ID and DAPR_HTTP_PORT.
  std::vector<std::string> guest_environment() const;

  AppServices(std::unique_ptr<SidecarHost> sidecar, std::unique_ptr<hostabi::HttpAbi> http,
              std::string app_id, uint16_t dapr_port, size_t max_body);

 private:
  std::unique_ptr<SidecarHost> sidecar_;
  std::unique_ptr<hostabi::HttpAbi> http_;
  hostabi::DaprAbi dapr_;
  std::string app_id_;
  uint16_t dapr_port_;
  size_t max_body_;
};

}  // namespace wasmdapr::runtime
