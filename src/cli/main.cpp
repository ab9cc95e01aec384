// wasmdapr: the command line. Argument parsing only; the work is in runtime/.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/run.h"

namespace {

using wasmdapr::runtime::PreopenDir;
using wasmdapr::runtime::RunOptions;

// "HOST[::GUEST]" with an optional ":ro" suffix for a read-only preopen.
PreopenDir parse_dir(std::string spec) {
  PreopenDir dir;
  if (spec.size() > 3 && spec.ends_with(":ro")) {
    dir.read_only = true;
    spec.resize(spec.size() - 3);
  }
  auto sep = spec.find("::");
  dir.host_path = spec.substr(0, sep);
  dir.guest_path = sep == std::string::npos ? dir.host_path : spec.substr(sep + 2);
  return dir;
}

// Like `dapr run`, an app always has an id: the module's file name without `.wasm`, or
// "wasmdapr" for the sidecar alone.
std::string default_app_id(const std::string& module_path) {
  if (module_path.empty()) return "wasmdapr";
  std::string name = module_path.substr(module_path.find_last_of('/') + 1);
  if (name.ends_with(".wasm")) name.resize(name.size() - 5);
  return name.empty() ? "wasmdapr" : name;
}

void add_run_options(CLI::App& run, RunOptions& o, std::vector<std::string>& dirs,
                     uint64_t& timeout_ms, size_t& max_request_mb) {
  run.add_option("module", o.module_path, "The .wasm module (omit to run the sidecar alone)");
  run.add_option("args", o.args, "Arguments for the guest (after --)");
  run.add_option("--invoke", o.invoke, "Call this exported function instead of _start");
  run.add_option("--dir", dirs, "Preopen HOST[::GUEST][:ro] for the guest")
      ->allow_extra_args(false);
  run.add_option("--env", o.env, "Set K=V in the guest's environment")->allow_extra_args(false);
  run.add_option("--env-inherit", o.env_inherit, "Copy variable K from the host environment")
      ->allow_extra_args(false);
  run.add_option("--listen", o.listen, "Preopen a listening TCP socket HOST:PORT for the guest")
      ->allow_extra_args(false);
  run.add_option("--max-memory", o.max_memory_bytes, "Cap on each linear memory, in bytes");
  run.add_option("--timeout", timeout_ms, "Stop the guest after this many milliseconds");
  run.add_option("--max-stack", o.max_stack, "Maximum wasm call depth");
  run.add_option("--fuel", o.fuel, "Stop the guest after this much fuel");
  run.add_option("--allowed-host", o.allowed_hosts,
                 "Outbound HTTP destination scheme://host:port (or insecure:allow-all)")
      ->allow_extra_args(false);
  run.add_option("--max-http-requests", o.max_http_requests, "Open outbound HTTP handles at most");
  run.add_option("--app-id", o.app_id, "Dapr app id");
  run.add_option("--dapr-http-port", o.dapr_http_port, "Serve the Dapr HTTP API on this port");
  run.add_option("--dapr-listen-address", o.dapr_listen_address, "Address the sidecar binds");
  run.add_option("--app-port", o.app_port, "Port of the app the sidecar serves (another process)");
  run.add_option("--app-channel-address", o.app_channel_address, "Host of that app");
  run.add_option("--config", o.config_path, "Dapr Configuration file (name resolution)");
  run.add_option("--resources-path", o.resources_paths, "Directory of Dapr resource YAML files")
      ->allow_extra_args(false);
  run.add_option("--state-dir", o.state_dir, "Where the embedded state store keeps its data");
  run.add_option("--dapr-http-max-request-size", max_request_mb,
                 "Largest request body the Dapr HTTP API accepts, in MB (default 4)");
  run.add_flag("--report-timing", o.report_timing, "Print module instantiation time to stderr");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wasmdapr: WebAssembly microservices with the Dapr building blocks built in"};
  app.require_subcommand(1);

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("wasmdapr %s\n", WASMDAPR_VERSION); });

  RunOptions options;
  std::vector<std::string> dirs;
  uint64_t timeout_ms = 0;
  size_t max_request_mb = 4;
  auto* run = app.add_subcommand("run", "Run a WebAssembly module, the sidecar, or both");
  add_run_options(*run, options, dirs, timeout_ms, max_request_mb);
  run->allow_extras(false);
  run->positionals_at_end(true);

  CLI11_PARSE(app, argc, argv);
  if (!run->parsed()) return 0;

  for (auto& d : dirs) options.dirs.push_back(parse_dir(d));
  options.max_request_body_bytes = max_request_mb << 20;
  if (options.app_id.empty()) options.app_id = default_app_id(options.module_path);
  if (timeout_ms) options.timeout = std::chrono::milliseconds(timeout_ms);
  // CLI11 keeps the "--" that separates wasmdapr's options from the guest's arguments.
  if (!options.args.empty() && options.args.front() == "--")
    options.args.erase(options.args.begin());
  if (options.invoke) {
    options.invoke_args = std::move(options.args);
    options.args.clear();
  }
  return wasmdapr::runtime::run(options);
}
