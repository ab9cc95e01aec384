// `wasmdapr run MODULE`: compile, link, instantiate (running the start section), then run
// `--invoke NAME` or `_start`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "runtime/app_services.h"
#include "runtime/run.h"
#include "wasi/wasi_context.h"
#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace wasmdapr::runtime {
namespace {

using namespace wasmdapr::wasm;

constexpr int kExitTrap = 1;
constexpr int kExitLoadError = 2;

std::optional<std::vector<uint8_t>> read_module(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

StoreConfig store_config(const RunOptions& o) {
  StoreConfig config;
  if (o.max_memory_bytes) {
    config.max_memory_pages =
        static_cast<uint32_t>(std::min<uint64_t>(*o.max_memory_bytes / kPageSize, kMaxPages));
  }
  if (o.max_stack) config.max_call_depth = *o.max_stack;
  return config;
}

CallLimits call_limits(const RunOptions& o) {
  CallLimits limits;
  limits.fuel = o.fuel;
  if (o.timeout) limits.deadline = std::chrono::steady_clock::now() + *o.timeout;
  return limits;
}

// A listening TCP socket on "HOST:PORT" (IPv4), owned by the returned descriptor holder.
struct Listener {
  int fd = -1;
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

Result<std::unique_ptr<Listener>, std::string> listen_on(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos) return unexpected("--listen " + spec + ": expected HOST:PORT");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, spec.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return unexpected("--listen " + spec + ": not an IPv4 address");
  }
  char* end = nullptr;
  unsigned long port = std::strtoul(spec.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port > 65535) return unexpected("--listen " + spec + ": bad port");
  addr.sin_port = htons(static_cast<uint16_t>(port));
  auto l = std::make_unique<Listener>();
  l->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (l->fd < 0 || ::bind(l->fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(l->fd, 128) != 0) {
    return unexpected("--listen " + spec + ": " + std::strerror(errno));
  }
  return l;
}

// What the guest sees: argv[0] is the module's file name; the environment holds only what
// --env and --env-inherit name; the preopens are the --dir directories.
wasi::WasiConfig wasi_config(const RunOptions& o) {
  wasi::WasiConfig config;
  std::string name = o.module_path.substr(o.module_path.find_last_of('/') + 1);
  config.args.push_back(name);
  config.args.insert(config.args.end(), o.args.begin(), o.args.end());
  config.env = o.env;
  for (const auto& key : o.env_inherit) {
    if (const char* value = std::getenv(key.c_str())) config.env.push_back(key + "=" + value);
  }
  for (const auto& d : o.dirs) config.preopens.push_back({d.host_path, d.guest_path, d.read_only});
  return config;
}

// Parses a command-line argument as a value of the parameter's type.
std::optional<Value> parse_arg(const std::string& text, ValType type) {
  char* end = nullptr;
  errno = 0;
  Value v;
  switch (type) {
    case ValType::I32:
    case ValType::I64: {
      bool negative = !text.empty() && text[0] == '-';
      uint64_t bits = negative ? static_cast<uint64_t>(std::strtoll(text.c_str(), &end, 0))
                               : std::strtoull(text.c_str(), &end, 0);
      v = type == ValType::I32 ? Value::i32(static_cast<int32_t>(bits))
                               : Value::i64(static_cast<int64_t>(bits));
      break;
    }
    case ValType::F32:
      v = Value::f32(std::strtof(text.c_str(), &end));
      break;
    case ValType::F64:
      v = Value::f64(std::strtod(text.c_str(), &end));
      break;
    default:
      return std::nullopt;
  }
  if (errno != 0 || end == text.c_str() || *end != '\0') return std::nullopt;
  return v;
}

void print_result(const Value& v) {
  switch (v.type) {
    case ValType::I32:
      std::printf("%" PRId32 "\n", v.as_i32());
      break;
    case ValType::I64:
      std::printf("%" PRId64 "\n", v.as_i64());
      break;
    case ValType::F32:
      std::printf("%.9g\n", static_cast<double>(v.as_f32()));
      break;
    case ValType::F64:
      std::printf("%.17g\n", v.as_f64());
      break;
    default:
      std::printf("%s\n", to_string(v).c_str());
      break;
  }
}

int report_trap(const Trap& trap) {
  std::fflush(stdout);
  if (trap.kind == Trap::Kind::Exit) return trap.exit_code;
  std::fprintf(stderr, "error: %s\n", trap.to_string().c_str());
  return kExitTrap;
}

int invoke_export(Instance& instance, const RunOptions& o, const CallLimits& limits) {
  auto e = instance.find_export(*o.invoke);
  if (!e || e->kind != ExternKind::Func) {
    std::fprintf(stderr, "error: the module exports no function named '%s'\n", o.invoke->c_str());
    return kExitLoadError;
  }
  const FuncType& type = *e->func->type;
  if (o.invoke_args.size() != type.params.size()) {
    std::fprintf(stderr, "error: %s takes %zu arguments %s, %zu given\n", o.invoke->c_str(),
                 type.params.size(), to_string(type).c_str(), o.invoke_args.size());
    return kExitLoadError;
  }
  std::vector<Value> args;
  for (size_t i = 0; i < type.params.size(); ++i) {
    auto v = parse_arg(o.invoke_args[i], type.params[i]);
    if (!v) {
      std::fprintf(stderr, "error: argument %zu ('%s') is not a valid %s\n", i + 1,
                   o.invoke_args[i].c_str(), to_string(type.params[i]));
      return kExitLoadError;
    }
    args.push_back(*v);
  }
  auto results = instance.call(*e->func, args, limits);
  if (!results) return report_trap(results.error());
  for (const auto& r : *results) print_result(r);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int run_module(const RunOptions& o) {
  auto bytes = read_module(o.module_path);
  if (!bytes) {
    std::fprintf(stderr, "error: cannot read %s\n", o.module_path.c_str());
    return kExitLoadError;
  }
  Engine engine;
  auto module = Module::compile(engine, *bytes);
  if (!module) {
    std::fprintf(stderr, "error: %s: %s\n", o.module_path.c_str(),
                 module.error().to_string().c_str());
    return kExitLoadError;
  }
  Linker linker;
  CallLimits limits = call_limits(o);
  std::vector<std::unique_ptr<Listener>> listeners;
  wasi::WasiConfig config = wasi_config(o);
  std::unique_ptr<AppServices> services;
  if (AppServices::wanted(o, **module)) {
    auto started = AppServices::start(o);
    if (!started) {
      std::fprintf(stderr, "error: %s\n", started.error().c_str());
      return kExitLoadError;
    }
    services = std::move(*started);
    auto extra = services->guest_environment();
    config.env.insert(config.env.begin(), extra.begin(), extra.end());
  }
  for (const auto& spec : o.listen) {
    auto l = listen_on(spec);
    if (!l) {
      std::fprintf(stderr, "error: %s\n", l.error().c_str());
      return kExitLoadError;
    }
    config.listen_sockets.push_back((*l)->fd);
    listeners.push_back(std::move(*l));
  }
  auto wasi = wasi::WasiContext::create(config);
  if (!wasi) {
    std::fprintf(stderr, "error: %s\n", wasi.error().c_str());
    return kExitLoadError;
  }
  // Declared after what its host functions use (the services, WASI), so it is dropped first.
  Store store(store_config(o));
  wasi::add_to_linker(linker);
  store.set_host_state(wasi->get());
  if (services) services->add_to_linker(linker);

  auto started = std::chrono::steady_clock::now();
  auto instance = linker.instantiate(store, *module, limits);
  auto elapsed = std::chrono::steady_clock::now() - started;
  if (o.report_timing) {
    std::fprintf(stderr, "module instantiated in %.1f us\n",
                 std::chrono::duration<double, std::micro>(elapsed).count());
  }
  if (!instance) {
    if (instance.error().kind == Trap::Kind::Link) {
      std::fprintf(stderr, "error: %s\n", instance.error().message.c_str());
      return kExitLoadError;
    }
    return report_trap(instance.error());
  }
  if (o.invoke) return invoke_export(**instance, o, limits);
  if (auto start = (*instance)->find_export("_start"); start && start->kind == ExternKind::Func) {
    auto done = (*instance)->call(*start->func, {}, limits);
    if (!done) return report_trap(done.error());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace wasmdapr::runtime
