#pragma once
// The embedding API's compile step: bytes -> an immutable, thread-shareable Module.
//
//   Engine engine;
//   auto module = Module::compile(engine, bytes);        // decode + validate + compile, once
//   Store store;  Linker linker;  linker.define_host(...);
//   auto instance = linker.instantiate(store, *module);  // microseconds
//   auto results = (*instance)->call("fib", {Value::i32(30)});

#include <cstdint>
#include <memory>
#include <span>

#include "wasm/decoder.h"
#include "wasm/module_info.h"
#include "base/result.h"

namespace wasmdapr::wasm {

struct CompiledModule;  // the internal code of every defined function (compiler.h)

struct EngineConfig {
  // Reserved for later tiers (ahead-of-time native code); the interpreter is the only one now.
  enum class Tier : uint8_t { Interpreter } tier = Tier::Interpreter;
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {}) : config_(config) {}
  const EngineConfig& config() const { return config_; }

 private:
  EngineConfig config_;
};

class Module {
 public:
  static Result<std::shared_ptr<const Module>, CompileError> compile(
      const Engine& engine, std::span<const uint8_t> bytes);
  ~Module();

  const ModuleInfo& info() const { return info_; }
  const CompiledModule& code() const { return *code_; }
  // Canonical type id (canonical_type_id) of each entry of info().types.
  const std::vector<uint32_t>& type_ids() const { return type_ids_; }

  Module(ModuleInfo info, std::unique_ptr<CompiledModule> code);  // use compile()

 private:
  ModuleInfo info_;
  std::unique_ptr<CompiledModule> code_;
  std::vector<uint32_t> type_ids_;
};

}  // namespace wasmdapr::wasm
