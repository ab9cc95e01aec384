// Runs one exported kernel of a module on the wasmdapr engine, in process, through the
// embedding API only (Engine, Module::compile, Store, Linker, Instance::call).
//   bench_engine MODULE.wasm EXPORT REPS
// prints "checksum=<u32> seconds=<call time> compile_us=<compile time>".
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
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

bool parse_u32(std::string_view text, uint32_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_engine MODULE.wasm EXPORT REPS\n");
    return 2;
  }
  uint32_t reps = 0;
  if (!parse_u32(argv[3], reps)) {
    std::fprintf(stderr, "bench_engine: REPS must be an unsigned 32-bit integer, got '%s'\n",
                 argv[3]);
    return 2;
  }
  std::vector<uint8_t> bytes;
  if (!read_file(argv[1], bytes)) {
    std::fprintf(stderr, "bench_engine: cannot read '%s'\n", argv[1]);
    return 1;
  }

  wasm::Engine engine;
  auto compile_start = Clock::now();
  auto module = wasm::Module::compile(engine, bytes);
  auto compile_end = Clock::now();
  if (!module) {
    std::fprintf(stderr, "bench_engine: %s\n", module.error().to_string().c_str());
    return 1;
  }

  wasm::Store store;
  wasm::Linker linker;
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "bench_engine: instantiation failed: %s\n",
                 instance.error().to_string().c_str());
    return 1;
  }

  const wasm::Value args[] = {wasm::Value::i32(static_cast<int32_t>(reps))};
  auto call_start = Clock::now();
  auto results = (*instance)->call(argv[2], args);
  auto call_end = Clock::now();
  if (!results) {
    std::fprintf(stderr, "bench_engine: calling %s failed: %s\n", argv[2],
                 results.error().to_string().c_str());
    return 1;
  }
  if (results->size() != 1 || (*results)[0].type != wasm::ValType::I32) {
    std::fprintf(stderr, "bench_engine: %s must return exactly one i32\n", argv[2]);
    return 1;
  }
  std::printf("checksum=%u seconds=%.6f compile_us=%.1f\n",
              static_cast<uint32_t>((*results)[0].as_i32()), seconds_between(call_start, call_end),
              seconds_between(compile_start, compile_end) * 1e6);
  return 0;
}
