#include "wasm/instance.h"

#include "wasm/interpreter.h"

namespace wasmdapr::wasm {

Instance::Instance(Store& store, std::shared_ptr<const Module> module)
    : store_(&store), module_(std::move(module)) {}

std::optional<Extern> Instance::find_export(std::string_view name) const {
  for (const auto& e : module_->info().exports) {
    if (e.name != name) continue;
    Extern x;
    x.kind = e.kind;
    switch (e.kind) {
      case ExternKind::Func:
        x.func = funcs[e.index];
        break;
      case ExternKind::Table:
        x.table = tables[e.index];
        break;
      case ExternKind::Memory:
        x.memory = memories[e.index];
        break;
      case ExternKind::Global:
        x.global = globals[e.index];
        break;
    }
    return x;
  }
  return std::nullopt;
}

Memory* Instance::exported_memory(std::string_view name) const {
  auto e = find_export(name);
  return e && e->kind == ExternKind::Memory ? e->memory : nullptr;
}

Result<std::vector<Value>, Trap> Instance::call(std::string_view export_name,
                                                std::span<const Value> args,
                                                const CallLimits& limits) {
  auto e = find_export(export_name);
  if (!e || e->kind != ExternKind::Func) {
    return unexpected(
        Trap::make(Trap::Kind::Link, "no exported function named " + std::string(export_name)));
  }
  return call(*e->func, args, limits);
}

Result<std::vector<Value>, Trap> Instance::call(Function& func, std::span<const Value> args,
                                                const CallLimits& limits) {
  const FuncType& type = *func.type;
  if (args.size() != type.params.size()) {
    return unexpected(
        Trap::make(Trap::Kind::Link, "expected " + std::to_string(type.params.size()) +
                                         " arguments, got " + std::to_string(args.size())));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != type.params[i]) {
      return unexpected(Trap::make(Trap::Kind::Link, "argument " + std::to_string(i) +
                                                         " should be " + to_string(type.params[i]) +
                                                         ", not " + to_string(args[i].type)));
    }
  }
  std::vector<RawValue> slots(std::max(type.params.size(), type.results.size()));
  for (size_t i = 0; i < args.size(); ++i) slots[i] = args[i].bits;
  auto done = invoke(*store_, func, slots.data(), limits);
  if (!done) return unexpected(std::move(done).error());
  std::vector<Value> results;
  results.reserve(type.results.size());
  for (size_t i = 0; i < type.results.size(); ++i) {
    RawValue bits = slots[i];
    if (type.results[i] == ValType::I32 || type.results[i] == ValType::F32) bits &= 0xFFFFFFFFu;
    results.push_back({type.results[i], bits});
  }
  return results;
}

}  // namespace wasmdapr::wasm
