#pragma once
// The Linker resolves a module's imports by (module, name) and instantiates it.
// Host functions are defined once on the Linker and reused by every instantiation (building
// the import table per request is what makes instantiation slow in other engines).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "wasm/instance.h"
#include "wasm/module.h"
#include "base/result.h"
#include "wasm/store.h"

namespace wasmdapr::wasm {

class Linker {
 public:
  // A host function, visible to every Store this linker instantiates into.
  void define_host(std::string module, std::string name, FuncType type, HostCallback callback,
                   void* data = nullptr);
  // An object of one particular Store (e.g. another instance's export, a spectest global).
  void define(std::string module, std::string name, Extern value);
  // Every export of `instance`, under module name `module` (the spec runner's `register`).
  void define_instance(std::string module, const Instance& instance);

  // Resolves imports (a missing one or a type mismatch gives Trap::Kind::Link with the spec's
  // "unknown import" / "incompatible import type" message), creates the instance's objects,
  // evaluates globals, applies active element and data segments (out-of-bounds segments trap
  // as the spec says, keeping what earlier segments wrote), then runs the start function.
  Result<Instance*, Trap> instantiate(Store& store, std::shared_ptr<const Module> module,
                                      const CallLimits& start_limits = {}) const;

 private:
  using Key = std::pair<std::string, std::string>;
  std::map<Key, std::unique_ptr<HostFunctionDef>, std::less<>> host_functions_;
  std::map<Key, Extern, std::less<>> objects_;
};

}  // namespace wasmdapr::wasm
