// Instantiation cost on the wasmdapr engine: each module is compiled once, then every
// iteration creates a Store, instantiates the module into it with a shared Linker and drops
// both — the per-request path of a server that runs each request in a fresh instance.
//   bench_instantiate [--iterations N] [--call EXPORT] MODULE.wasm...
// prints one line per module: compile time, then median / 90th percentile / minimum µs per
// instance. With --call, each iteration also calls EXPORT once (with zero arguments of its
// parameter types) before the drop, which adds the cost of a store's first call.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace wasm = wasmdapr::wasm;

bool read_file(const char* path, std::vector<uint8_t>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

double micros_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::micro>(end - start).count();
}

// Calls `export_name` with a zero of each parameter type; false (after printing why) on failure.
bool call_with_zeros(wasm::Instance& instance, const char* path, const std::string& export_name) {
  auto target = instance.find_export(export_name);
  if (!target || target->kind != wasm::ExternKind::Func) {
    std::fprintf(stderr, "bench_instantiate: %s exports no function '%s'\n", path,
                 export_name.c_str());
    return false;
  }
  std::vector<wasm::Value> args;
  for (wasm::ValType type : target->func->type->params) args.push_back(wasm::Value{type, 0});
  auto results = instance.call(*target->func, args);
  if (!results) {
    std::fprintf(stderr, "bench_instantiate: %s: %s trapped: %s\n", path, export_name.c_str(),
                 results.error().to_string().c_str());
    return false;
  }
  return true;
}

// Returns false (after printing why) when the module cannot be compiled or instantiated.
bool measure(const char* path, uint32_t iterations, const std::string& call_export) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, bytes)) {
    std::fprintf(stderr, "bench_instantiate: cannot read '%s'\n", path);
    return false;
  }
  wasm::Engine engine;
  auto compile_start = Clock::now();
  auto module = wasm::Module::compile(engine, bytes);
  auto compile_end = Clock::now();
  if (!module) {
    std::fprintf(stderr, "bench_instantiate: %s: %s\n", path, module.error().to_string().c_str());
    return false;
  }

  wasm::Linker linker;
  std::vector<double> samples;
  samples.reserve(iterations);
  for (uint32_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    {
      wasm::Store store;
      auto instance = linker.instantiate(store, *module);
      if (!instance) {
        std::fprintf(stderr, "bench_instantiate: %s: %s\n", path,
                     instance.error().to_string().c_str());
        return false;
      }
      if (!call_export.empty() && !call_with_zeros(**instance, path, call_export)) return false;
    }
    samples.push_back(micros_between(start, Clock::now()));
  }
  std::sort(samples.begin(), samples.end());
  std::printf("%-40s bytes=%zu compile_us=%.1f %s median=%.2f p90=%.2f min=%.2f (n=%u)\n", path,
              bytes.size(), micros_between(compile_start, compile_end),
              call_export.empty() ? "instantiate_us" : "instantiate+call_us",
              samples[samples.size() / 2], samples[samples.size() * 9 / 10], samples.front(),
              iterations);
  return true;
}

bool parse_u32(std::string_view text, uint32_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value > 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t iterations = 10000;
  std::string call_export;
  int next = 1;
  for (; next + 1 < argc; next += 2) {
    if (std::strcmp(argv[next], "--iterations") == 0) {
      if (!parse_u32(argv[next + 1], iterations)) {
        std::fprintf(stderr, "bench_instantiate: --iterations needs a positive integer, got '%s'\n",
                     argv[next + 1]);
        return 2;
      }
    } else if (std::strcmp(argv[next], "--call") == 0) {
      call_export = argv[next + 1];
    } else if (argv[next][0] == '-' && argv[next][1] == '-') {
      std::fprintf(stderr, "bench_instantiate: unknown option '%s'\n", argv[next]);
      return 2;
    } else {
      break;
    }
  }
  if (next < argc && argv[next][0] == '-' && argv[next][1] == '-') {
    std::fprintf(stderr, "bench_instantiate: option '%s' needs a value\n", argv[next]);
    return 2;
  }
  if (next >= argc) {
    std::fprintf(stderr,
                 "usage: bench_instantiate [--iterations N] [--call EXPORT] MODULE.wasm...\n");
    return 2;
  }
  bool all_ok = true;
  for (int i = next; i < argc; ++i) all_ok = measure(argv[i], iterations, call_export) && all_ok;
  return all_ok ? 0 : 1;
}
