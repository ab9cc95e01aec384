#include "wasm/linker.h"

#include <cstring>

#include "wasm/compiled_code.h"
#include "wasm/compiler.h"
#include "wasm/interpreter.h"

namespace wasmdapr::wasm {

void Linker::define_host(std::string module, std::string name, FuncType type, HostCallback callback,
                         void* data) {
  auto def = std::make_unique<HostFunctionDef>();
  def->type = std::move(type);
  def->callback = std::move(callback);
  def->data = data;
  host_functions_[{std::move(module), std::move(name)}] = std::move(def);
}

void Linker::define(std::string module, std::string name, Extern value) {
  objects_[{std::move(module), std::move(name)}] = value;
}

void Linker::define_instance(std::string module, const Instance& instance) {
  for (const auto& e : instance.module().info().exports) {
    if (auto x = instance.find_export(e.name)) define(module, e.name, *x);
  }
}

namespace {

Trap link_error(const Import& im, const std::string& what) {
  return Trap::make(Trap::Kind::Link, what + ": " + im.module + "." + im.name);
}

// Import subtyping of limits: at least the declared minimum, at most the declared maximum.
bool limits_match(uint64_t actual_min, std::optional<uint32_t> actual_max, const Limits& wanted) {
  if (actual_min < wanted.min) return false;
  if (!wanted.max) return true;
  return actual_max && *actual_max <= *wanted.max;
}

bool extern_matches(const ModuleInfo& info, const Import& im, const Extern& x) {
  if (x.kind != im.kind) return false;
  switch (im.kind) {
    case ExternKind::Func:
      return *x.func->type == info.types[im.func_type];
    case ExternKind::Table:
      return x.table->type().element == im.table.element &&
             limits_match(x.table->size(), x.table->type().limits.max, im.table.limits);
    case ExternKind::Memory:
      return limits_match(x.memory->pages(), x.memory->type().limits.max, im.memory.limits);
    case ExternKind::Global:
      return x.global->type.type == im.global.type &&
             x.global->type.is_mutable == im.global.is_mutable;
  }
  return false;
}

RawValue eval_const(const ConstExpr& e, const Instance& inst) {
  switch (e.kind) {
    case ConstExpr::Kind::GlobalGet:
      return inst.globals[e.index]->value;
    case ConstExpr::Kind::RefFunc:
      return reinterpret_cast<uintptr_t>(inst.funcs[e.index]);
    case ConstExpr::Kind::RefNull:
      return 0;
    default:
      return e.bits;
  }
}

}  // namespace

Result<Instance*, Trap> Linker::instantiate(Store& store, std::shared_ptr<const Module> module,
                                            const CallLimits& start_limits) const {
  const ModuleInfo& info = module->info();
  auto owned = std::make_unique<Instance>(store, module);
  Instance& inst = *owned;
  inst.funcs.reserve(info.func_types.size());
  inst.tables.reserve(info.tables.size());
  inst.memories.reserve(info.memories.size());
  inst.globals.reserve(info.globals.size());

  for (const auto& im : info.imports) {
    Key key{im.module, im.name};
    if (im.kind == ExternKind::Func) {
      auto host = host_functions_.find(key);
      if (host != host_functions_.end()) {
        if (host->second->type != info.types[im.func_type]) {
          return unexpected(link_error(im, "incompatible import type"));
        }
        inst.funcs.push_back(store.new_host_function(*host->second));
        continue;
      }
    }
    auto found = objects_.find(key);
    if (found == objects_.end()) {
      // A host function of that name exists, but the import wants another kind of object.
      if (host_functions_.contains(key)) {
        return unexpected(link_error(im, "incompatible import type"));
      }
      return unexpected(link_error(im, "unknown import"));
    }
    const Extern& x = found->second;
    if (!extern_matches(info, im, x)) return unexpected(link_error(im, "incompatible import type"));
    switch (im.kind) {
      case ExternKind::Func:
        inst.funcs.push_back(x.func);
        break;
      case ExternKind::Table:
        inst.tables.push_back(x.table);
        break;
      case ExternKind::Memory:
        inst.memories.push_back(x.memory);
        break;
      case ExternKind::Global:
        inst.globals.push_back(x.global);
        break;
    }
  }

  Instance* self = store.adopt(std::move(owned));
  for (uint32_t i = 0; i < info.defined_funcs(); ++i) {
    uint32_t index = info.imported_funcs + i;
    Function f;
    f.type = &info.func_type(index);
    f.type_id = module->type_ids()[info.func_types[index]];
    f.instance = self;
    f.index = index;
    f.code = compiled_function(module->code(), i);
    inst.funcs.push_back(store.new_function(f));
  }
  for (size_t i = info.imported_tables; i < info.tables.size(); ++i) {
    inst.tables.push_back(store.new_table(info.tables[i], 0));
  }
  for (size_t i = info.imported_memories; i < info.memories.size(); ++i) {
    auto m = store.new_memory(info.memories[i]);
    if (!m) return unexpected(Trap::make(Trap::Kind::OutOfMemory, m.error()));
    inst.memories.push_back(*m);
  }
  for (const auto& g : info.global_defs) {
    inst.globals.push_back(store.new_global(g.type, eval_const(g.init, inst)));
  }
  inst.dropped_elements.assign(info.elements.size(), 0);
  inst.dropped_data.assign(info.data.size(), 0);

  for (size_t i = 0; i < info.elements.size(); ++i) {
    const ElementSegment& seg = info.elements[i];
    if (seg.mode == SegmentMode::Passive) continue;
    inst.dropped_elements[i] = 1;
    if (seg.mode == SegmentMode::Declarative) continue;
    Table* table = inst.tables[seg.table];
    uint64_t offset = static_cast<uint32_t>(eval_const(seg.offset, inst));
    if (offset + seg.items.size() > table->size()) {
      return unexpected(Trap::make(Trap::Kind::TableOutOfBounds));
    }
    for (size_t k = 0; k < seg.items.size(); ++k) {
      table->elements[offset + k] = eval_const(seg.items[k], inst);
    }
  }
  for (size_t i = 0; i < info.data.size(); ++i) {
    const DataSegment& seg = info.data[i];
    if (seg.mode != SegmentMode::Active) continue;
    inst.dropped_data[i] = 1;
    Memory* memory = inst.memories[seg.memory];
    uint64_t offset = static_cast<uint32_t>(eval_const(seg.offset, inst));
    if (offset + seg.size > memory->size_bytes()) {
      return unexpected(Trap::make(Trap::Kind::MemoryOutOfBounds));
    }
    if (seg.size)
      std::memcpy(memory->data() + offset, info.bytes.data() + seg.bytes_offset, seg.size);
  }
  if (info.start) {
    std::vector<RawValue> none(1);
    auto started = invoke(store, *inst.funcs[*info.start], none.data(), start_limits);
    if (!started) return unexpected(std::move(started).error());
  }
  return self;
}

}  // namespace wasmdapr::wasm
