// What a guest pays to start and to reach Dapr state, on the embedding API as `wasmdapr run`
// wires it (AppServices: the built-in sidecar with an in-memory store, both guest ABIs):
//   - instantiation of a module compiled once (Store + WASI context + instance + drop), for a
//     guest whose start does nothing and for examples/state (its start not run), and the
//     example's whole run (instantiate + `_start`: the prototype's test);
//   - one state get per call over the direct `dapr` ABI, over `wasi_experimental_http` to the
//     in-process sidecar, and over real TCP to the sidecar's listening port, from the guest and
//     from the host (libcurl, no guest) as the baseline;
//   - one publish over the direct ABI and over HTTP in process.
//
//   bench_abi [--iterations N] [--reps N] ABI_GUEST.wasm EXAMPLE_STATE.wasm
//
// Instantiation rows are over N iterations (default 2000; the full run N/10); per-call rows
// time one guest call that loops over a state get, repeated --reps times (default 15); every
// row gives the median, 90th percentile and minimum in µs.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/outbound_client.h"
#include "runtime/app_services.h"
#include "wasi/wasi_context.h"
#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
namespace wasm = wasmdapr::wasm;
namespace wasi = wasmdapr::wasi;
namespace runtime = wasmdapr::runtime;

constexpr const char* kAppId = "bench";

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_abi: %s\n", message.c_str());
  std::exit(1);
}

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Stats {
  double median = 0, p90 = 0, min = 0;
};

Stats summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[static_cast<size_t>(q * (samples.size() - 1))]; };
  return {at(0.5), at(0.9), samples.front()};
}

void print_row(const std::string& what, const Stats& s) {
  std::printf("| %-72s | %10.2f | %10.2f | %10.2f |\n", what.c_str(), s.median, s.p90, s.min);
  std::fflush(stdout);
}

std::shared_ptr<const wasm::Module> compile(const wasm::Engine& engine, const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die(std::string("cannot read ") + path);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) die(std::string(path) + ": " + module.error().to_string());
  return *module;
}

// A loopback port that was free a moment ago, for the sidecar's listener.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    die("no free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A --resources-path with one in-memory store named "statestore" and an in-memory pub/sub
// named "pubsub" (with no subscriber: a publish costs the envelope and the hand-off).
class Resources {
 public:
  Resources() {
    std::string pattern = (fs::temp_directory_path() / "bench-abi-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) die("cannot create a temporary directory");
    dir_ = pattern;
    std::ofstream(dir_ / "statestore.yaml") << "apiVersion: dapr.io/v1alpha1\n"
                                               "kind: Component\n"
                                               "metadata:\n"
                                               "  name: statestore\n"
                                               "spec:\n"
                                               "  type: state.in-memory\n"
                                               "  version: v1\n"
                                               "  metadata: []\n";
    std::ofstream(dir_ / "pubsub.yaml") << "apiVersion: dapr.io/v1alpha1\n"
                                           "kind: Component\n"
                                           "metadata:\n"
                                           "  name: pubsub\n"
                                           "spec:\n"
                                           "  type: pubsub.in-memory\n"
                                           "  version: v1\n";
  }
  ~Resources() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

// The app as `wasmdapr run` builds it: the sidecar (listening on `port`) and the guest ABIs on
// one Linker shared by every instance.
class App {
 public:
  App(const Resources& resources, uint16_t port) {
    runtime::RunOptions options;
    options.app_id = kAppId;
    options.resources_paths = {resources.path()};
    options.dapr_http_port = port;
    std::string origin = ":" + std::to_string(port);
    // The second origin reaches the same listener over TCP: it is not the in-process address.
    options.allowed_hosts = {"http://127.0.0.1" + origin, "http://localhost" + origin};
    auto services = runtime::AppServices::start(options);
    if (!services) die(services.error());
    services_ = std::move(*services);
    wasi::add_to_linker(linker_);
    services_->add_to_linker(linker_);
    null_fd_ = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  }
  ~App() { ::close(null_fd_); }

  const wasm::Linker& linker() const { return linker_; }

  // A guest's WASI context: the sidecar's environment, its output thrown away.
  std::unique_ptr<wasi::WasiContext> wasi_context() const {
    wasi::WasiConfig config;
    config.args = {"guest.wasm"};
    config.env = services_->guest_environment();
    config.stdout_fd = null_fd_;
    auto context = wasi::WasiContext::create(config);
    if (!context) die(context.error());
    return std::move(*context);
  }

 private:
  std::unique_ptr<runtime::AppServices> services_;
  wasm::Linker linker_;
  int null_fd_ = -1;
};

// One live instance and what it needs.
struct Live {
  std::unique_ptr<wasi::WasiContext> wasi;
  std::unique_ptr<wasm::Store> store;
  wasm::Instance* instance = nullptr;

  Live(const App& app, std::shared_ptr<const wasm::Module> module) : wasi(app.wasi_context()) {
    store = std::make_unique<wasm::Store>();
    store->set_host_state(wasi.get());
    auto created = app.linker().instantiate(*store, std::move(module));
    if (!created) die("instantiate: " + created.error().to_string());
    instance = *created;
  }
  ~Live() { store.reset(); }

  int32_t call(const char* name, std::vector<int32_t> args = {}) {
    std::vector<wasm::Value> values;
    for (int32_t a : args) values.push_back(wasm::Value::i32(a));
    auto results = instance->call(name, values);
    if (!results) die(std::string(name) + ": " + results.error().to_string());
    return results->empty() ? 0 : (*results)[0].as_i32();
  }
};

// Store + WASI context + instance (+ `_start` when asked) + drop, `iterations` times.
Stats time_instances(const App& app, const std::shared_ptr<const wasm::Module>& module,
                     uint32_t iterations, bool run_start) {
  std::vector<double> samples;
  for (uint32_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    {
      Live live(app, module);
      if (run_start) live.call("_start");
    }
    samples.push_back(micros_since(start));
  }
  return summarize(samples);
}

// The WASI context alone (arguments, environment, stdio descriptors), made and dropped.
Stats time_wasi_contexts(const App& app, uint32_t iterations) {
  std::vector<double> samples;
  for (uint32_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    app.wasi_context().reset();
    samples.push_back(micros_since(start));
  }
  return summarize(samples);
}

// Per call: one guest call looping `calls` times, repeated `reps` times.
Stats time_loop(Live& guest, const char* name, std::vector<int32_t> extra, int32_t calls,
                uint32_t reps) {
  std::vector<int32_t> warm_args = {std::max(calls / 10, 1)};
  warm_args.insert(warm_args.end(), extra.begin(), extra.end());
  if (int32_t failed = guest.call(name, warm_args); failed != 0) {
    die(std::string(name) + " failed with " + std::to_string(failed));
  }
  std::vector<int32_t> args = {calls};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<double> samples;
  for (uint32_t r = 0; r < reps; ++r) {
    auto start = Clock::now();
    int32_t failed = guest.call(name, args);
    samples.push_back(micros_since(start) / calls);
    if (failed != 0) die(std::string(name) + " failed with " + std::to_string(failed));
  }
  return summarize(samples);
}

// The baseline: the host itself (libcurl, no guest) GETs the key from the listening sidecar.
Stats time_host_tcp(uint16_t port, int32_t calls, uint32_t reps) {
  wasmdapr::http::OutboundRequest request;
  request.method = "GET";
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/v1.0/state/statestore/planets";
  std::vector<double> samples;
  for (uint32_t r = 0; r <= reps; ++r) {
    auto start = Clock::now();
    for (int32_t i = 0; i < calls; ++i) {
      auto response = wasmdapr::http::perform(request);
      if (!response || response->status != 200) die("host GET over TCP failed");
    }
    if (r > 0) samples.push_back(micros_since(start) / calls);  // the first is the warm-up
  }
  return summarize(samples);
}

uint32_t parse_count(const char* text) {
  char* end = nullptr;
  unsigned long value = std::strtoul(text, &end, 10);
  if (*end != '\0' || value == 0 || value > 10'000'000) die(std::string("bad count ") + text);
  return static_cast<uint32_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t iterations = 2000, reps = 15;
  std::vector<const char*> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = parse_count(argv[++i]);
    } else if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = parse_count(argv[++i]);
    } else {
      paths.push_back(argv[i]);
    }
  }
  if (paths.size() != 2) {
    std::fprintf(
        stderr, "usage: bench_abi [--iterations N] [--reps N] ABI_GUEST.wasm EXAMPLE_STATE.wasm\n");
    return 2;
  }

  wasm::Engine engine;
  auto compile_start = Clock::now();
  auto guest_module = compile(engine, paths[0]);
  double guest_compile = micros_since(compile_start);
  compile_start = Clock::now();
  auto example_module = compile(engine, paths[1]);
  double example_compile = micros_since(compile_start);

  Resources resources;
  uint16_t port = free_port();
  App app(resources, port);

  std::printf("compiled once: %s in %.0f us, %s in %.0f us; in-memory state store\n\n",
              fs::path(paths[0]).filename().c_str(), guest_compile,
              fs::path(paths[1]).filename().c_str(), example_compile);
  std::printf("| %-72s | %10s | %10s | %10s |\n", "us (state gets: per call)", "median", "p90",
              "min");
  std::printf("|%s|%s|%s|%s|\n", std::string(74, '-').c_str(), std::string(12, '-').c_str(),
              std::string(12, '-').c_str(), std::string(12, '-').c_str());

  print_row("instantiate abi_guest (Store + WASI + instance + drop)",
            time_instances(app, guest_module, iterations, false));
  print_row("  of which the WASI context (args, env, stdio), made and dropped",
            time_wasi_contexts(app, iterations));
  print_row("instantiate abi_guest + its _start (which does nothing)",
            time_instances(app, guest_module, iterations, true));
  print_row("instantiate examples/state (its _start not run)",
            time_instances(app, example_module, iterations, false));
  print_row("examples/state whole run (instantiate + _start: the prototype's test)",
            time_instances(app, example_module, std::max(iterations / 10, 1u), true));

  Live guest(app, guest_module);
  guest.call("_start");
  if (int32_t failed = guest.call("setup"); failed != 0) die("setup failed");
  print_row("state get, direct dapr ABI, raw", time_loop(guest, "directRaw", {}, 20000, reps));
  print_row("state get, direct dapr ABI, SDK getState",
            time_loop(guest, "directSdk", {}, 20000, reps));
  print_row("state get, wasi_experimental_http in process, raw",
            time_loop(guest, "httpRaw", {0}, 5000, reps));
  print_row("state get, wasi_experimental_http in process, SDK getState",
            time_loop(guest, "httpSdk", {0}, 5000, reps));
  print_row("state get, wasi_experimental_http over TCP to the sidecar, raw",
            time_loop(guest, "httpRaw", {1}, 500, reps));
  print_row("state get, host libcurl over TCP to the sidecar, no guest",
            time_host_tcp(port, 500, reps));
  print_row("publish (CloudEvent, in-memory, no subscriber), direct dapr ABI, SDK",
            time_loop(guest, "publishSdk", {0}, 20000, reps));
  print_row("publish (CloudEvent, in-memory, no subscriber), HTTP in process, SDK",
            time_loop(guest, "publishSdk", {1}, 5000, reps));
  return 0;
}
