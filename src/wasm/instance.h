#pragma once
// An instance of a Module inside a Store: its index spaces resolved to runtime objects.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "wasm/module.h"
#include "base/result.h"
#include "wasm/store.h"
#include "wasm/trap.h"
#include "wasm/value.h"

namespace wasmdapr::wasm {

// An exported or importable entity.
struct Extern {
  ExternKind kind = ExternKind::Func;
  Function* func = nullptr;
  Table* table = nullptr;
  Memory* memory = nullptr;
  Global* global = nullptr;
};

class Instance {
 public:
  Instance(Store& store, std::shared_ptr<const Module> module);

  Store& store() const { return *store_; }
  const Module& module() const { return *module_; }

  std::optional<Extern> find_export(std::string_view name) const;
  Memory* exported_memory(std::string_view name = "memory") const;

  // Typed call of an export or of any function: checks the argument count and types against
  // the signature, runs it within `limits`, and returns the results or the trap.
  Result<std::vector<Value>, Trap> call(std::string_view export_name, std::span<const Value> args,
                                        const CallLimits& limits = {});
  Result<std::vector<Value>, Trap> call(Function& func, std::span<const Value> args,
                                        const CallLimits& limits = {});

  // Index spaces, imports first. Read directly by the interpreter.
  std::vector<Function*> funcs;
  std::vector<Table*> tables;
  std::vector<Memory*> memories;
  std::vector<Global*> globals;
  std::vector<uint8_t> dropped_elements;  // 1 once elem.drop'ed (or active/declarative after init)
  std::vector<uint8_t> dropped_data;      // 1 once data.drop'ed (or active after init)

 private:
  Store* store_;
  std::shared_ptr<const Module> module_;
};

}  // namespace wasmdapr::wasm
