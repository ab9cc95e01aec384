#pragma once
// Everything `wasmdapr run` can be told. Filled by cli/, read by runtime/.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmdapr::runtime {

struct PreopenDir {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;
};

struct RunOptions {
  // The module, or empty for sidecar-only mode.
  std::string module_path;
  std::vector<std::string> args;         // guest argv[1..]; argv[0] is the module's file name
  std::optional<std::string> invoke;     // call this export instead of _start
  std::vector<std::string> invoke_args;  // its arguments, parsed by the export's parameter types

  // Sandbox and limits.
  std::vector<PreopenDir> dirs;
  std::vector<std::string> env;          // "K=V"
  std::vector<std::string> env_inherit;  // names copied from the host environment
  std::vector<std::string> listen;       // "HOST:PORT" TCP sockets preopened for the guest
  std::optional<uint64_t> max_memory_bytes;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<uint32_t> max_stack;  // wasm call depth
  std::optional<uint64_t> fuel;

  // Outbound HTTP for guests.
  std::vector<std::string> allowed_hosts;
  std::optional<uint32_t> max_http_requests;

  // The built-in sidecar.
  std::string app_id;
  // The sidecar's HTTP server listens only when set (or in sidecar-only mode).
  std::optional<uint16_t> dapr_http_port;
  std::string dapr_listen_address = "127.0.0.1";
  std::vector<std::string> resources_paths;
  std::string config_path;  // a Dapr `kind: Configuration` file (name resolution, ...)
  // The app in another process that the sidecar serves: invocations of its own app id,
  // pub/sub deliveries and configuration changes go to <app_channel_address>:<app_port>.
  std::optional<uint16_t> app_port;
  std::string app_channel_address = "127.0.0.1";
  std::string state_dir = ".wasmdapr";
  size_t max_request_body_bytes = 4 << 20;  // Dapr's default --dapr-http-max-request-size
  bool report_timing = false;               // print instantiation time to stderr
};

}  // namespace wasmdapr::runtime
