// The interpreter: executes CompiledFunction code by threaded dispatch (`goto *handler`).
// Wasm-to-wasm calls never recurse on the host stack: callee frames live in the Store's value
// stack (a callee's frame starts at its caller's argument slots) and suspended callers in
// ExecState::frames.
#include "wasm/interpreter.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "wasm/compiled_code.h"
#include "wasm/instance.h"
#include "wasm/module.h"

namespace wasmdapr::wasm {

uint32_t CompiledFunction::source_offset(const uint64_t* pc) const {
  auto index = static_cast<uint32_t>(pc - code.data());
  auto it = std::upper_bound(source_offsets.begin(), source_offsets.end(),
                             std::make_pair(index, std::numeric_limits<uint32_t>::max()));
  return it == source_offsets.begin() ? 0 : std::prev(it)->second;
}

namespace {

// ---- numeric semantics -----------------------------------------------------------------

inline float f32_of(RawValue v) {
  return std::bit_cast<float>(static_cast<uint32_t>(v));
}
inline double f64_of(RawValue v) {
  return std::bit_cast<double>(v);
}
inline RawValue bits_of(float f) {
  return std::bit_cast<uint32_t>(f);
}
inline RawValue bits_of(double d) {
  return std::bit_cast<uint64_t>(d);
}

template <typename F>
F wasm_min(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;  // a quiet NaN, payload propagated
  if (a == b) return std::signbit(a) ? a : b;        // min(-0, +0) = -0
  return a < b ? a : b;
}
template <typename F>
F wasm_max(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <typename F>
F wasm_nearest(F a) {
  return std::nearbyint(a);  // round half to even under the default rounding mode
}
// Rounding functions return a signalling NaN unchanged; wasm wants it quieted.
template <typename F>
F quieted(F a, F result) {
  return std::isnan(a) ? a + a : result;
}

// Float-to-int truncation: true when `x` (already known not NaN) truncates into [lo, hi).
// The bounds are exact powers of two (or their negations, minus one for unsigned), so the
// comparisons are exact in either float width.
template <typename F>
bool trunc_in_range(F x, double lower_exclusive, double upper_exclusive) {
  return static_cast<double>(x) > lower_exclusive && static_cast<double>(x) < upper_exclusive;
}

template <typename I, typename F>
I saturate(F x) {
  if (std::isnan(x)) return 0;
  constexpr double lo = static_cast<double>(std::numeric_limits<I>::min());
  constexpr double hi_excl =
      std::is_signed_v<I> ? -lo
                          : 2.0 * (static_cast<double>(std::numeric_limits<I>::max() / 2 + 1));
  if (static_cast<double>(x) <= lo) return std::numeric_limits<I>::min();
  if (static_cast<double>(x) >= hi_excl) return std::numeric_limits<I>::max();
  return static_cast<I>(x);
}

inline uint32_t lo16(uint64_t w) {
  return static_cast<uint16_t>(w);
}
inline uint32_t f16(uint64_t w) {
  return static_cast<uint16_t>(w >> 16);
}
inline uint32_t f32f(uint64_t w) {
  return static_cast<uint16_t>(w >> 32);
}
inline uint32_t f48(uint64_t w) {
  return static_cast<uint16_t>(w >> 48);
}
inline uint32_t hi32(uint64_t w) {
  return static_cast<uint32_t>(w >> 32);
}
inline int32_t off32(uint64_t w) {
  return static_cast<int32_t>(w >> 32);
}

struct Outcome {
  bool trapped = false;
  Trap trap;
};

// Builds the trap with a backtrace from the current frame and the suspended callers.
Trap make_trap(Trap::Kind kind, std::string message, const ExecState& st, size_t base_depth,
               const CompiledFunction* fn, Instance* inst, const uint64_t* pc) {
  Trap t = message.empty() ? Trap::make(kind) : Trap::make(kind, std::move(message));
  auto frame_of = [](const CompiledFunction* f, Instance* in, const uint64_t* at) {
    TrapFrame tf;
    tf.func_index = f->func_index;
    tf.code_offset = f->source_offset(at);
    const ModuleInfo& info = in->module().info();
    if (f->func_index < info.function_names.size())
      tf.func_name = info.function_names[f->func_index];
    if (tf.func_name.empty()) {  // no name section entry: the export name says what it is
      for (const auto& e : info.exports) {
        if (e.kind == ExternKind::Func && e.index == f->func_index) tf.func_name = e.name;
      }
    }
    return tf;
  };
  if (fn) t.backtrace.push_back(frame_of(fn, inst, pc));
  for (size_t i = st.frames.size(); i-- > base_depth;) {
    const auto& fr = st.frames[i];
    if (fr.function) t.backtrace.push_back(frame_of(fr.function, fr.instance, fr.return_pc - 1));
  }
  return t;
}

Result<void, Trap> call_host(Store& store, Instance* caller, const Function& f, RawValue* slots) {
  const FuncType& type = *f.type;
  RawValue args_buffer[16];
  std::vector<RawValue> big_args;
  RawValue* args = args_buffer;
  if (type.params.size() > std::size(args_buffer)) {
    big_args.resize(type.params.size());
    args = big_args.data();
  }
  std::copy_n(slots, type.params.size(), args);
  HostContext ctx(store, caller, f.host->data);
  return f.host->callback(ctx, std::span<const RawValue>(args, type.params.size()),
                          std::span<RawValue>(slots, type.results.size()));
}

// Two of the interpreter's hottest values, the frame pointer and the memory size, are pinned
// to callee-saved registers for the whole run. Left to itself, GCC spills both in a function
// this large, and most handlers then reload them from the stack (pinning them measured
// 10-40% faster on the loop kernels of bench/). The code pointer and the memory base stay in
// registers without help; pinning them as well measured slower.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PINNED(type, name, reg) register type name asm(reg)
#else
#define PINNED(type, name, reg) type name
#endif

// Runs `fn` of `inst` whose frame starts at `frame` (arguments in place) until it returns.
// With `handlers_out` set, only reports the handler table.
Result<void, Trap> run(Store* store_ptr, ExecState* state, Instance* inst,
                       const CompiledFunction* fn, RawValue* frame,
                       const void* const** handlers_out) {
  static const void* const kHandlers[] = {
#define WASMDAPR_LABEL(name) &&op_##name,
      WASMDAPR_INTERNAL_OPS(WASMDAPR_LABEL)
#undef WASMDAPR_LABEL
  };
  if (handlers_out) {
    *handlers_out = kHandlers;
    return {};
  }
  Store& store = *store_ptr;
  ExecState& st = *state;
  PINNED(RawValue*, fp, "r15") = frame;

  const size_t base_depth = st.frames.size();
  const uint32_t max_depth = store.config().max_call_depth;
  RawValue* const stack_end = st.stack.data() + st.stack.size();
  const uint64_t* pc = fn->code.data();
  uint8_t* mem = nullptr;
  PINNED(uint64_t, mem_size, "r13") = 0;
  Global* const* globals = nullptr;
  Trap::Kind trap_kind = Trap::Kind::Unreachable;
  std::string trap_message;
  Trap pending;  // a trap raised by a host function, already complete
  // Shared by the call handlers (declared here: handlers are entered by computed goto).
  Function* target = nullptr;
  RawValue* callee_fp = nullptr;
  const uint64_t* next_pc = nullptr;
  Table* table = nullptr;
  uint32_t elem = 0;

#define LOAD_INSTANCE()                           \
  do {                                            \
    globals = inst->globals.data();               \
    if (!inst->memories.empty()) {                \
      mem = inst->memories[0]->data();            \
      mem_size = inst->memories[0]->size_bytes(); \
    } else {                                      \
      mem = nullptr;                              \
      mem_size = 0;                               \
    }                                             \
  } while (0)
#define RELOAD_MEMORY_SIZE()                             \
  do {                                                   \
    if (mem) mem_size = inst->memories[0]->size_bytes(); \
  } while (0)
#define NEXT(n)                               \
  do {                                        \
    pc += (n);                                \
    goto* reinterpret_cast<const void*>(*pc); \
  } while (0)
#define TRAP(kind)                \
  do {                            \
    trap_kind = Trap::Kind::kind; \
    goto trap;                    \
  } while (0)
#define S(i) fp[i]
#define W1 pc[1]

  LOAD_INSTANCE();
  // Function entry: counted against the budget like a loop iteration.
  if (--st.budget <= 0) {
    auto ok = store.check_interrupt();
    if (!ok) {
      trap_kind = ok.error().kind;
      trap_message = ok.error().message;
      goto trap;
    }
  }
  goto* reinterpret_cast<const void*>(*pc);

  // ---- control --------------------------------------------------------------------------
op_unreachable:
  TRAP(Unreachable);
op_br : {
  int32_t off = off32(W1);
  if (off <= 0 && --st.budget <= 0) goto back_edge_check;
  pc += off;
  goto* reinterpret_cast<const void*>(*pc);
}
op_br_if:
  if (static_cast<uint32_t>(S(lo16(W1)))) {
    int32_t off = off32(W1);
    if (off <= 0 && --st.budget <= 0) goto back_edge_check;
    pc += off;
    goto* reinterpret_cast<const void*>(*pc);
  }
  NEXT(2);
op_br_unless:
  if (!static_cast<uint32_t>(S(lo16(W1)))) {
    int32_t off = off32(W1);
    if (off <= 0 && --st.budget <= 0) goto back_edge_check;
    pc += off;
    goto* reinterpret_cast<const void*>(*pc);
  }
  NEXT(2);
op_br_table : {
  uint32_t index = static_cast<uint32_t>(S(lo16(W1)));
  uint32_t count = hi32(W1);
  int32_t off = static_cast<int32_t>(pc[2 + std::min(index, count)]);
  if (off <= 0 && --st.budget <= 0) goto back_edge_check;
  pc += off;
  goto* reinterpret_cast<const void*>(*pc);
}
back_edge_check : {
  // The budget ran out on a backward branch: refill it or stop. The branch is then retaken
  // from the start of the branching instruction.
  auto ok = store.check_interrupt();
  if (!ok) {
    trap_kind = ok.error().kind;
    trap_message = ok.error().message;
    goto trap;
  }
  goto* reinterpret_cast<const void*>(*pc);
}

#define BR_CMP(name, type, op)                                             \
  op_br_##name##_i32 : {                                                   \
    if (static_cast<type>(S(lo16(W1))) op static_cast<type>(S(f16(W1)))) { \
      int32_t off = off32(W1);                                             \
      if (off <= 0 && --st.budget <= 0) goto back_edge_check;              \
      pc += off;                                                           \
      goto* reinterpret_cast<const void*>(*pc);                            \
    }                                                                      \
    NEXT(2);                                                               \
  }                                                                        \
  op_br_##name##_i32_imm : {                                               \
    if (static_cast<type>(S(lo16(W1))) op static_cast<type>(pc[2])) {      \
      int32_t off = off32(W1);                                             \
      if (off <= 0 && --st.budget <= 0) goto back_edge_check;              \
      pc += off;                                                           \
      goto* reinterpret_cast<const void*>(*pc);                            \
    }                                                                      \
    NEXT(3);                                                               \
  }
  BR_CMP(eq, uint32_t, ==)
  BR_CMP(ne, uint32_t, !=)
  BR_CMP(lt_s, int32_t, <)
  BR_CMP(lt_u, uint32_t, <)
  BR_CMP(gt_s, int32_t, >)
  BR_CMP(gt_u, uint32_t, >)
  BR_CMP(le_s, int32_t, <=)
  BR_CMP(le_u, uint32_t, <=)
  BR_CMP(ge_s, int32_t, >=)
  BR_CMP(ge_u, uint32_t, >=)
#undef BR_CMP

op_copy:
  S(lo16(W1)) = S(f16(W1));
  NEXT(2);
op_copy2:
  S(lo16(W1)) = S(f16(W1));
  S(f32f(W1)) = S(f48(W1));
  NEXT(2);
op_const32:
  S(lo16(W1)) = hi32(W1);
  NEXT(2);
op_const64:
  S(lo16(W1)) = pc[2];
  NEXT(3);
op_select:
  S(lo16(W1)) = static_cast<uint32_t>(S(f48(W1))) ? S(f16(W1)) : S(f32f(W1));
  NEXT(2);

op_call : {
  const auto* callee = reinterpret_cast<const CompiledFunction*>(pc[2]);
  RawValue* callee_fp = fp + lo16(W1);
  if (st.frames.size() >= max_depth || callee_fp + callee->frame_slots > stack_end) {
    TRAP(CallStackExhausted);
  }
  st.frames.push_back({pc + 3, fp, fn, inst});
  fp = callee_fp;
  fn = callee;
  std::memset(fp + fn->param_count, 0, sizeof(RawValue) * fn->local_count);
  pc = fn->code.data();
  if (--st.budget <= 0) {
    auto ok = store.check_interrupt();
    if (!ok) {
      trap_kind = ok.error().kind;
      trap_message = ok.error().message;
      goto trap;
    }
  }
  goto* reinterpret_cast<const void*>(*pc);
}

op_call_import:
  target = inst->funcs[hi32(W1)];
  callee_fp = fp + lo16(W1);
  next_pc = pc + 2;
  goto call_function;

op_call_indirect:
  table = inst->tables[f48(W1)];
  elem = static_cast<uint32_t>(S(f16(W1)));
  if (elem >= table->elements.size()) {
    trap_message = "undefined element";
    TRAP(TableOutOfBounds);
  }
  target = reinterpret_cast<Function*>(static_cast<uintptr_t>(table->elements[elem]));
  if (!target) {
    trap_message = "uninitialized element " + std::to_string(elem);  // the spec's wording
    TRAP(UninitializedElement);
  }
  if (target->type_id != hi32(pc[2])) TRAP(IndirectCallTypeMismatch);
  callee_fp = fp + lo16(W1);
  next_pc = pc + 3;

call_function:
  if (target->is_host()) {
    size_t saved_top = st.stack_top;
    st.stack_top = static_cast<size_t>((fp + fn->frame_slots) - st.stack.data());
    if (st.frames.size() >= max_depth) TRAP(CallStackExhausted);
    st.frames.push_back({next_pc, fp, fn, inst});
    auto done = call_host(store, inst, *target, callee_fp);
    st.frames.pop_back();
    st.stack_top = saved_top;
    if (!done) {
      pending = std::move(done).error();
      if (pending.backtrace.empty() && pending.kind != Trap::Kind::Exit) {
        Trap full = make_trap(pending.kind, pending.message, st, base_depth, fn, inst, pc);
        full.exit_code = pending.exit_code;
        pending = std::move(full);
      }
      st.frames.resize(base_depth);
      return unexpected(std::move(pending));
    }
    RELOAD_MEMORY_SIZE();
    pc = next_pc;
    goto* reinterpret_cast<const void*>(*pc);
  }
  {
    const CompiledFunction* callee = target->code;
    if (st.frames.size() >= max_depth || callee_fp + callee->frame_slots > stack_end) {
      TRAP(CallStackExhausted);
    }
    st.frames.push_back({next_pc, fp, fn, inst});
    fp = callee_fp;
    fn = callee;
    if (target->instance != inst) {
      inst = target->instance;
      LOAD_INSTANCE();
    }
    std::memset(fp + fn->param_count, 0, sizeof(RawValue) * fn->local_count);
    pc = fn->code.data();
    if (--st.budget <= 0) {
      auto ok = store.check_interrupt();
      if (!ok) {
        trap_kind = ok.error().kind;
        trap_message = ok.error().message;
        goto trap;
      }
    }
    goto* reinterpret_cast<const void*>(*pc);
  }

op_return_ : {
  if (st.frames.size() == base_depth) return {};
  const CallFrameRecord& caller = st.frames.back();
  pc = caller.return_pc;
  fp = caller.fp;
  fn = caller.function;
  if (caller.instance != inst) {
    inst = caller.instance;
    st.frames.pop_back();
    LOAD_INSTANCE();
  } else {
    st.frames.pop_back();
    RELOAD_MEMORY_SIZE();
  }
  goto* reinterpret_cast<const void*>(*pc);
}

  // ---- variables ------------------------------------------------------------------------
op_global_get:
  S(lo16(W1)) = globals[hi32(W1)]->value;
  NEXT(2);
op_global_set:
  globals[hi32(W1)]->value = S(lo16(W1));
  NEXT(2);

  // ---- memory ---------------------------------------------------------------------------
#define LOAD(name, ctype, size, convert)                                               \
  op_##name : {                                                                        \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(S(f16(W1)))) + hi32(W1); \
    if (ea + (size) > mem_size) TRAP(MemoryOutOfBounds);                               \
    ctype v;                                                                           \
    std::memcpy(&v, mem + ea, size);                                                   \
    S(lo16(W1)) = convert;                                                             \
    NEXT(2);                                                                           \
  }
  LOAD(i32_load, uint32_t, 4, v)
  LOAD(i64_load, uint64_t, 8, v)
  LOAD(f32_load, uint32_t, 4, v)
  LOAD(f64_load, uint64_t, 8, v)
  LOAD(i32_load8_s, int8_t, 1, static_cast<uint32_t>(static_cast<int32_t>(v)))
  LOAD(i32_load8_u, uint8_t, 1, static_cast<uint32_t>(v))
  LOAD(i32_load16_s, int16_t, 2, static_cast<uint32_t>(static_cast<int32_t>(v)))
  LOAD(i32_load16_u, uint16_t, 2, static_cast<uint32_t>(v))
  LOAD(i64_load8_s, int8_t, 1, static_cast<uint64_t>(static_cast<int64_t>(v)))
  LOAD(i64_load8_u, uint8_t, 1, static_cast<uint64_t>(v))
  LOAD(i64_load16_s, int16_t, 2, static_cast<uint64_t>(static_cast<int64_t>(v)))
  LOAD(i64_load16_u, uint16_t, 2, static_cast<uint64_t>(v))
  LOAD(i64_load32_s, int32_t, 4, static_cast<uint64_t>(static_cast<int64_t>(v)))
  LOAD(i64_load32_u, uint32_t, 4, static_cast<uint64_t>(v))
#undef LOAD
#define STORE(name, ctype, size)                                                       \
  op_##name : {                                                                        \
    uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(S(f16(W1)))) + hi32(W1); \
    if (ea + (size) > mem_size) TRAP(MemoryOutOfBounds);                               \
    ctype v = static_cast<ctype>(S(lo16(W1)));                                         \
    std::memcpy(mem + ea, &v, size);                                                   \
    NEXT(2);                                                                           \
  }
  STORE(i32_store, uint32_t, 4)
  STORE(i64_store, uint64_t, 8)
  STORE(f32_store, uint32_t, 4)
  STORE(f64_store, uint64_t, 8)
  STORE(i32_store8, uint8_t, 1)
  STORE(i32_store16, uint16_t, 2)
  STORE(i64_store8, uint8_t, 1)
  STORE(i64_store16, uint16_t, 2)
  STORE(i64_store32, uint32_t, 4)
#undef STORE
// Fused address forms: `a + b` (slots) or `a + imm`, wrapped to 32 bits, plus the offset.
#define ADDR_ADD static_cast<uint32_t>(S(f16(W1)) + S(f32f(W1)))
#define ADDR_ADDI static_cast<uint32_t>(S(f16(W1)) + hi32(pc[2]))
#define LOAD_FUSED(name, suffix, addr, ctype, size, convert)                      \
  op_##name##suffix : {                                                           \
    uint64_t ea = static_cast<uint64_t>(addr) + static_cast<uint32_t>(pc[2]);     \
    if (ea + (size) > mem_size) TRAP(MemoryOutOfBounds);                          \
    ctype v;                                                                      \
    std::memcpy(&v, mem + ea, size);                                              \
    S(lo16(W1)) = convert;                                                        \
    NEXT(3);                                                                      \
  }
#define STORE_FUSED(name, suffix, addr, ctype, size)                              \
  op_##name##suffix : {                                                           \
    uint64_t ea = static_cast<uint64_t>(addr) + static_cast<uint32_t>(pc[2]);     \
    if (ea + (size) > mem_size) TRAP(MemoryOutOfBounds);                          \
    ctype v = static_cast<ctype>(S(lo16(W1)));                                    \
    std::memcpy(mem + ea, &v, size);                                              \
    NEXT(3);                                                                      \
  }
#define FUSED_ACCESSES(suffix, addr)                                                              \
  LOAD_FUSED(i32_load, suffix, addr, uint32_t, 4, v)                                              \
  LOAD_FUSED(i64_load, suffix, addr, uint64_t, 8, v)                                              \
  LOAD_FUSED(f32_load, suffix, addr, uint32_t, 4, v)                                              \
  LOAD_FUSED(f64_load, suffix, addr, uint64_t, 8, v)                                              \
  LOAD_FUSED(i32_load8_s, suffix, addr, int8_t, 1, static_cast<uint32_t>(static_cast<int32_t>(v)))  \
  LOAD_FUSED(i32_load8_u, suffix, addr, uint8_t, 1, static_cast<uint32_t>(v))                     \
  LOAD_FUSED(i32_load16_s, suffix, addr, int16_t, 2, static_cast<uint32_t>(static_cast<int32_t>(v))) \
  LOAD_FUSED(i32_load16_u, suffix, addr, uint16_t, 2, static_cast<uint32_t>(v))                   \
  LOAD_FUSED(i64_load8_s, suffix, addr, int8_t, 1, static_cast<uint64_t>(static_cast<int64_t>(v)))  \
  LOAD_FUSED(i64_load8_u, suffix, addr, uint8_t, 1, static_cast<uint64_t>(v))                     \
  LOAD_FUSED(i64_load16_s, suffix, addr, int16_t, 2, static_cast<uint64_t>(static_cast<int64_t>(v))) \
  LOAD_FUSED(i64_load16_u, suffix, addr, uint16_t, 2, static_cast<uint64_t>(v))                   \
  LOAD_FUSED(i64_load32_s, suffix, addr, int32_t, 4, static_cast<uint64_t>(static_cast<int64_t>(v))) \
  LOAD_FUSED(i64_load32_u, suffix, addr, uint32_t, 4, static_cast<uint64_t>(v))                   \
  STORE_FUSED(i32_store, suffix, addr, uint32_t, 4)                                               \
  STORE_FUSED(i64_store, suffix, addr, uint64_t, 8)                                               \
  STORE_FUSED(f32_store, suffix, addr, uint32_t, 4)                                               \
  STORE_FUSED(f64_store, suffix, addr, uint64_t, 8)                                               \
  STORE_FUSED(i32_store8, suffix, addr, uint8_t, 1)                                               \
  STORE_FUSED(i32_store16, suffix, addr, uint16_t, 2)                                             \
  STORE_FUSED(i64_store8, suffix, addr, uint8_t, 1)                                               \
  STORE_FUSED(i64_store16, suffix, addr, uint16_t, 2)                                             \
  STORE_FUSED(i64_store32, suffix, addr, uint32_t, 4)
  FUSED_ACCESSES(_add, ADDR_ADD)
  FUSED_ACCESSES(_addi, ADDR_ADDI)
#undef FUSED_ACCESSES
#undef STORE_FUSED
#undef LOAD_FUSED
#undef ADDR_ADDI
#undef ADDR_ADD

op_memory_size:
  S(lo16(W1)) = static_cast<uint32_t>(mem_size / kPageSize);
  NEXT(2);
op_memory_grow : {
  int64_t old = inst->memories[0]->grow(static_cast<uint32_t>(S(f16(W1))));
  S(lo16(W1)) = static_cast<uint32_t>(static_cast<int32_t>(old));
  mem_size = inst->memories[0]->size_bytes();
  NEXT(2);
}
op_memory_copy : {
  uint64_t d = static_cast<uint32_t>(S(lo16(W1))), s = static_cast<uint32_t>(S(f16(W1))),
           n = static_cast<uint32_t>(S(f32f(W1)));
  if (d + n > mem_size || s + n > mem_size) TRAP(MemoryOutOfBounds);
  if (n) std::memmove(mem + d, mem + s, n);
  NEXT(2);
}
op_memory_fill : {
  uint64_t d = static_cast<uint32_t>(S(lo16(W1))), n = static_cast<uint32_t>(S(f32f(W1)));
  if (d + n > mem_size) TRAP(MemoryOutOfBounds);
  if (n) std::memset(mem + d, static_cast<uint8_t>(S(f16(W1))), n);
  NEXT(2);
}
op_memory_init : {
  uint32_t seg = static_cast<uint32_t>(pc[2]);
  const DataSegment& data = inst->module().info().data[seg];
  uint64_t seg_size = inst->dropped_data[seg] ? 0 : data.size;
  uint64_t d = static_cast<uint32_t>(S(lo16(W1))), s = static_cast<uint32_t>(S(f16(W1))),
           n = static_cast<uint32_t>(S(f32f(W1)));
  if (s + n > seg_size || d + n > mem_size) TRAP(MemoryOutOfBounds);
  if (n) std::memcpy(mem + d, inst->module().info().bytes.data() + data.bytes_offset + s, n);
  NEXT(3);
}
op_data_drop:
  inst->dropped_data[hi32(W1)] = 1;
  NEXT(2);

  // ---- tables ---------------------------------------------------------------------------
op_table_get : {
  Table* t = inst->tables[hi32(W1)];
  uint32_t i = static_cast<uint32_t>(S(f16(W1)));
  if (i >= t->elements.size()) TRAP(TableOutOfBounds);
  S(lo16(W1)) = t->elements[i];
  NEXT(2);
}
op_table_set : {
  Table* t = inst->tables[hi32(W1)];
  uint32_t i = static_cast<uint32_t>(S(lo16(W1)));
  if (i >= t->elements.size()) TRAP(TableOutOfBounds);
  t->elements[i] = S(f16(W1));
  NEXT(2);
}
op_table_size:
  S(lo16(W1)) = inst->tables[hi32(W1)]->size();
  NEXT(2);
op_table_grow : {
  Table* t = inst->tables[static_cast<uint32_t>(pc[2])];
  int64_t old = t->grow(static_cast<uint32_t>(S(f32f(W1))), S(f16(W1)));
  S(lo16(W1)) = static_cast<uint32_t>(static_cast<int32_t>(old));
  NEXT(3);
}
op_table_fill : {
  Table* t = inst->tables[static_cast<uint32_t>(pc[2])];
  uint64_t i = static_cast<uint32_t>(S(lo16(W1))), n = static_cast<uint32_t>(S(f32f(W1)));
  if (i + n > t->elements.size()) TRAP(TableOutOfBounds);
  std::fill_n(t->elements.begin() + static_cast<ptrdiff_t>(i), n, S(f16(W1)));
  NEXT(3);
}
op_table_copy : {
  Table* dt = inst->tables[static_cast<uint32_t>(pc[2])];
  Table* stbl = inst->tables[static_cast<uint32_t>(pc[2] >> 32)];
  uint64_t d = static_cast<uint32_t>(S(lo16(W1))), s = static_cast<uint32_t>(S(f16(W1))),
           n = static_cast<uint32_t>(S(f32f(W1)));
  if (d + n > dt->elements.size() || s + n > stbl->elements.size()) TRAP(TableOutOfBounds);
  if (n) {
    std::memmove(dt->elements.data() + d, stbl->elements.data() + s, n * sizeof(RawValue));
  }
  NEXT(3);
}
op_table_init : {
  uint32_t seg = static_cast<uint32_t>(pc[2]);
  Table* t = inst->tables[static_cast<uint32_t>(pc[2] >> 32)];
  const ElementSegment& es = inst->module().info().elements[seg];
  uint64_t seg_size = inst->dropped_elements[seg] ? 0 : es.items.size();
  uint64_t d = static_cast<uint32_t>(S(lo16(W1))), s = static_cast<uint32_t>(S(f16(W1))),
           n = static_cast<uint32_t>(S(f32f(W1)));
  if (s + n > seg_size || d + n > t->elements.size()) TRAP(TableOutOfBounds);
  for (uint64_t k = 0; k < n; ++k) {
    const ConstExpr& item = es.items[s + k];
    RawValue v = 0;
    if (item.kind == ConstExpr::Kind::RefFunc) {
      v = reinterpret_cast<uintptr_t>(inst->funcs[item.index]);
    } else if (item.kind == ConstExpr::Kind::GlobalGet) {
      v = globals[item.index]->value;
    }
    t->elements[d + k] = v;
  }
  NEXT(3);
}
op_elem_drop:
  inst->dropped_elements[hi32(W1)] = 1;
  NEXT(2);
op_ref_func:
  S(lo16(W1)) = reinterpret_cast<uintptr_t>(inst->funcs[hi32(W1)]);
  NEXT(2);
op_ref_is_null:
  S(lo16(W1)) = S(f16(W1)) == 0 ? 1u : 0u;
  NEXT(2);

  // ---- integer arithmetic ---------------------------------------------------------------
#define A32 static_cast<uint32_t>(S(f16(W1)))
#define B32 static_cast<uint32_t>(S(f32f(W1)))
#define I32 hi32(W1)
#define A64 static_cast<uint64_t>(S(f16(W1)))
#define B64 static_cast<uint64_t>(S(f32f(W1)))
#define I64 static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(hi32(W1))))
#define SA32 static_cast<int32_t>(A32)
#define SB32 static_cast<int32_t>(B32)
#define SI32 static_cast<int32_t>(I32)
#define SA64 static_cast<int64_t>(A64)
#define SB64 static_cast<int64_t>(B64)
#define SI64 static_cast<int64_t>(I64)
#define OP32(name, expr)                                 \
  op_##name : S(lo16(W1)) = static_cast<uint32_t>(expr); \
  NEXT(2);
#define OP64(name, expr)                                 \
  op_##name : S(lo16(W1)) = static_cast<uint64_t>(expr); \
  NEXT(2);

  OP32(i32_eqz, A32 == 0)
  OP32(i32_eq, A32 == B32)
  OP32(i32_ne, A32 != B32)
  OP32(i32_lt_s, SA32 < SB32)
  OP32(i32_lt_u, A32 < B32)
  OP32(i32_gt_s, SA32 > SB32)
  OP32(i32_gt_u, A32 > B32)
  OP32(i32_le_s, SA32 <= SB32)
  OP32(i32_le_u, A32 <= B32)
  OP32(i32_ge_s, SA32 >= SB32)
  OP32(i32_ge_u, A32 >= B32)
  OP32(i32_clz, std::countl_zero(A32))
  OP32(i32_ctz, std::countr_zero(A32))
  OP32(i32_popcnt, std::popcount(A32))
  OP32(i32_add, A32 + B32)
  OP32(i32_sub, A32 - B32)
  OP32(i32_mul, A32 * B32)
  OP32(i32_and, A32 & B32)
  OP32(i32_or, A32 | B32)
  OP32(i32_xor, A32 ^ B32)
  OP32(i32_shl, A32 << (B32 & 31))
  OP32(i32_shr_s, SA32 >> (B32 & 31))
  OP32(i32_shr_u, A32 >> (B32 & 31))
  OP32(i32_rotl, std::rotl(A32, static_cast<int>(B32 & 31)))
  OP32(i32_rotr, std::rotr(A32, static_cast<int>(B32 & 31)))
  OP32(i32_eq_imm, A32 == I32)
  OP32(i32_ne_imm, A32 != I32)
  OP32(i32_lt_s_imm, SA32 < SI32)
  OP32(i32_lt_u_imm, A32 < I32)
  OP32(i32_gt_s_imm, SA32 > SI32)
  OP32(i32_gt_u_imm, A32 > I32)
  OP32(i32_le_s_imm, SA32 <= SI32)
  OP32(i32_le_u_imm, A32 <= I32)
  OP32(i32_ge_s_imm, SA32 >= SI32)
  OP32(i32_ge_u_imm, A32 >= I32)
  OP32(i32_add_imm, A32 + I32)
  OP32(i32_sub_imm, A32 - I32)
  OP32(i32_mul_imm, A32 * I32)
  OP32(i32_and_imm, A32 & I32)
  OP32(i32_or_imm, A32 | I32)
  OP32(i32_xor_imm, A32 ^ I32)
  OP32(i32_shl_imm, A32 << (I32 & 31))
  OP32(i32_shr_s_imm, SA32 >> (I32 & 31))
  OP32(i32_shr_u_imm, A32 >> (I32 & 31))
  OP32(i32_rotl_imm, std::rotl(A32, static_cast<int>(I32 & 31)))
  OP32(i32_rotr_imm, std::rotr(A32, static_cast<int>(I32 & 31)))
op_i32_div_s:
  if (B32 == 0) TRAP(IntegerDivideByZero);
  if (SA32 == std::numeric_limits<int32_t>::min() && SB32 == -1) TRAP(IntegerOverflow);
  S(lo16(W1)) = static_cast<uint32_t>(SA32 / SB32);
  NEXT(2);
op_i32_div_u:
  if (B32 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = A32 / B32;
  NEXT(2);
op_i32_rem_s:
  if (B32 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = SB32 == -1 ? 0u : static_cast<uint32_t>(SA32 % SB32);
  NEXT(2);
op_i32_rem_u:
  if (B32 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = A32 % B32;
  NEXT(2);

  OP32(i64_eqz, A64 == 0)
  OP32(i64_eq, A64 == B64)
  OP32(i64_ne, A64 != B64)
  OP32(i64_lt_s, SA64 < SB64)
  OP32(i64_lt_u, A64 < B64)
  OP32(i64_gt_s, SA64 > SB64)
  OP32(i64_gt_u, A64 > B64)
  OP32(i64_le_s, SA64 <= SB64)
  OP32(i64_le_u, A64 <= B64)
  OP32(i64_ge_s, SA64 >= SB64)
  OP32(i64_ge_u, A64 >= B64)
  OP32(i64_eq_imm, A64 == I64)
  OP32(i64_ne_imm, A64 != I64)
  OP32(i64_lt_s_imm, SA64 < SI64)
  OP32(i64_lt_u_imm, A64 < I64)
  OP32(i64_gt_s_imm, SA64 > SI64)
  OP32(i64_gt_u_imm, A64 > I64)
  OP32(i64_le_s_imm, SA64 <= SI64)
  OP32(i64_le_u_imm, A64 <= I64)
  OP32(i64_ge_s_imm, SA64 >= SI64)
  OP32(i64_ge_u_imm, A64 >= I64)
  OP64(i64_clz, std::countl_zero(A64))
  OP64(i64_ctz, std::countr_zero(A64))
  OP64(i64_popcnt, std::popcount(A64))
  OP64(i64_add, A64 + B64)
  OP64(i64_sub, A64 - B64)
  OP64(i64_mul, A64 * B64)
  OP64(i64_and, A64 & B64)
  OP64(i64_or, A64 | B64)
  OP64(i64_xor, A64 ^ B64)
  OP64(i64_shl, A64 << (B64 & 63))
  OP64(i64_shr_s, SA64 >> (B64 & 63))
  OP64(i64_shr_u, A64 >> (B64 & 63))
  OP64(i64_rotl, std::rotl(A64, static_cast<int>(B64 & 63)))
  OP64(i64_rotr, std::rotr(A64, static_cast<int>(B64 & 63)))
  OP64(i64_add_imm, A64 + I64)
  OP64(i64_sub_imm, A64 - I64)
  OP64(i64_mul_imm, A64 * I64)
  OP64(i64_and_imm, A64 & I64)
  OP64(i64_or_imm, A64 | I64)
  OP64(i64_xor_imm, A64 ^ I64)
  OP64(i64_shl_imm, A64 << (I64 & 63))
  OP64(i64_shr_s_imm, SA64 >> (I64 & 63))
  OP64(i64_shr_u_imm, A64 >> (I64 & 63))
op_i64_div_s:
  if (B64 == 0) TRAP(IntegerDivideByZero);
  if (SA64 == std::numeric_limits<int64_t>::min() && SB64 == -1) TRAP(IntegerOverflow);
  S(lo16(W1)) = static_cast<uint64_t>(SA64 / SB64);
  NEXT(2);
op_i64_div_u:
  if (B64 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = A64 / B64;
  NEXT(2);
op_i64_rem_s:
  if (B64 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = SB64 == -1 ? 0u : static_cast<uint64_t>(SA64 % SB64);
  NEXT(2);
op_i64_rem_u:
  if (B64 == 0) TRAP(IntegerDivideByZero);
  S(lo16(W1)) = A64 % B64;
  NEXT(2);

  // ---- floating point -------------------------------------------------------------------
#define FA f32_of(S(f16(W1)))
#define FB f32_of(S(f32f(W1)))
#define DA f64_of(S(f16(W1)))
#define DB f64_of(S(f32f(W1)))
#define FOP(name, expr)                                        \
  op_##name : S(lo16(W1)) = bits_of(static_cast<float>(expr)); \
  NEXT(2);
#define DOP(name, expr)                                         \
  op_##name : S(lo16(W1)) = bits_of(static_cast<double>(expr)); \
  NEXT(2);
  OP32(f32_eq, FA == FB)
  OP32(f32_ne, FA != FB)
  OP32(f32_lt, FA < FB)
  OP32(f32_gt, FA > FB)
  OP32(f32_le, FA <= FB)
  OP32(f32_ge, FA >= FB)
  OP32(f64_eq, DA == DB)
  OP32(f64_ne, DA != DB)
  OP32(f64_lt, DA < DB)
  OP32(f64_gt, DA > DB)
  OP32(f64_le, DA <= DB)
  OP32(f64_ge, DA >= DB)
  OP32(f32_abs, A32 & 0x7FFFFFFFu)
  OP32(f32_neg, A32 ^ 0x80000000u)
  OP32(f32_copysign, (A32 & 0x7FFFFFFFu) | (B32 & 0x80000000u))
  OP64(f64_abs, A64 & 0x7FFFFFFFFFFFFFFFull)
  OP64(f64_neg, A64 ^ 0x8000000000000000ull)
  OP64(f64_copysign, (A64 & 0x7FFFFFFFFFFFFFFFull) | (B64 & 0x8000000000000000ull))
  FOP(f32_ceil, quieted(FA, std::ceil(FA)))
  FOP(f32_floor, quieted(FA, std::floor(FA)))
  FOP(f32_trunc, quieted(FA, std::trunc(FA)))
  FOP(f32_nearest, quieted(FA, wasm_nearest(FA)))
  FOP(f32_sqrt, std::sqrt(FA))
  FOP(f32_add, FA + FB)
  FOP(f32_sub, FA - FB)
  FOP(f32_mul, FA * FB)
  FOP(f32_div, FA / FB)
  FOP(f32_min, wasm_min(FA, FB))
  FOP(f32_max, wasm_max(FA, FB))
  DOP(f64_ceil, quieted(DA, std::ceil(DA)))
  DOP(f64_floor, quieted(DA, std::floor(DA)))
  DOP(f64_trunc, quieted(DA, std::trunc(DA)))
  DOP(f64_nearest, quieted(DA, wasm_nearest(DA)))
  DOP(f64_sqrt, std::sqrt(DA))
  DOP(f64_add, DA + DB)
  DOP(f64_sub, DA - DB)
  DOP(f64_mul, DA * DB)
  DOP(f64_div, DA / DB)
  DOP(f64_min, wasm_min(DA, DB))
  DOP(f64_max, wasm_max(DA, DB))

  // ---- conversions ----------------------------------------------------------------------
#define TRUNC(name, value, itype, lo, hi)                                          \
  op_##name : {                                                                    \
    auto x = value;                                                                \
    if (std::isnan(x)) TRAP(InvalidConversion);                                    \
    if (!trunc_in_range(x, lo, hi)) TRAP(IntegerOverflow);                         \
    S(lo16(W1)) = static_cast<std::make_unsigned_t<itype>>(static_cast<itype>(x)); \
    NEXT(2);                                                                       \
  }
  TRUNC(i32_trunc_f32_s, FA, int32_t, -2147483649.0, 2147483648.0)
  TRUNC(i32_trunc_f32_u, FA, uint32_t, -1.0, 4294967296.0)
  TRUNC(i32_trunc_f64_s, DA, int32_t, -2147483649.0, 2147483648.0)
  TRUNC(i32_trunc_f64_u, DA, uint32_t, -1.0, 4294967296.0)
  TRUNC(i64_trunc_f32_s, FA, int64_t, -9223372036854777856.0, 9223372036854775808.0)
  TRUNC(i64_trunc_f32_u, FA, uint64_t, -1.0, 18446744073709551616.0)
  TRUNC(i64_trunc_f64_s, DA, int64_t, -9223372036854777856.0, 9223372036854775808.0)
  TRUNC(i64_trunc_f64_u, DA, uint64_t, -1.0, 18446744073709551616.0)
#undef TRUNC
  OP32(i32_wrap_i64, A64)
  OP64(i64_extend_i32_s, static_cast<int64_t>(SA32))
  OP64(i64_extend_i32_u, A32)
  FOP(f32_convert_i32_s, static_cast<float>(SA32))
  FOP(f32_convert_i32_u, static_cast<float>(A32))
  FOP(f32_convert_i64_s, static_cast<float>(SA64))
  FOP(f32_convert_i64_u, static_cast<float>(A64))
  FOP(f32_demote_f64, static_cast<float>(DA))
  DOP(f64_convert_i32_s, static_cast<double>(SA32))
  DOP(f64_convert_i32_u, static_cast<double>(A32))
  DOP(f64_convert_i64_s, static_cast<double>(SA64))
  DOP(f64_convert_i64_u, static_cast<double>(A64))
  DOP(f64_promote_f32, static_cast<double>(FA))
  OP32(i32_extend8_s, static_cast<int32_t>(static_cast<int8_t>(A32)))
  OP32(i32_extend16_s, static_cast<int32_t>(static_cast<int16_t>(A32)))
  OP64(i64_extend8_s, static_cast<int64_t>(static_cast<int8_t>(A64)))
  OP64(i64_extend16_s, static_cast<int64_t>(static_cast<int16_t>(A64)))
  OP64(i64_extend32_s, static_cast<int64_t>(static_cast<int32_t>(A64)))
  OP32(i32_trunc_sat_f32_s, saturate<int32_t>(FA))
  OP32(i32_trunc_sat_f32_u, saturate<uint32_t>(FA))
  OP32(i32_trunc_sat_f64_s, saturate<int32_t>(DA))
  OP32(i32_trunc_sat_f64_u, saturate<uint32_t>(DA))
  OP64(i64_trunc_sat_f32_s, saturate<int64_t>(FA))
  OP64(i64_trunc_sat_f32_u, saturate<uint64_t>(FA))
  OP64(i64_trunc_sat_f64_s, saturate<int64_t>(DA))
  OP64(i64_trunc_sat_f64_u, saturate<uint64_t>(DA))

trap : {
  Trap t = make_trap(trap_kind, std::move(trap_message), st, base_depth, fn, inst, pc);
  st.frames.resize(base_depth);
  return unexpected(std::move(t));
}
}

}  // namespace

const void* const* interpreter_handlers() {
  static const void* const* table = [] {
    const void* const* out = nullptr;
    Store* no_store = nullptr;
    ExecState* no_state = nullptr;
    (void)run(no_store, no_state, nullptr, nullptr, nullptr, &out);
    return out;
  }();
  return table;
}

Result<void, Trap> invoke(Store& store, Function& func, RawValue* args_results,
                          const CallLimits& limits) {
  ExecState& st = store.exec();
  const FuncType& type = *func.type;
  bool outermost = st.frames.empty() && st.host_reentries == 0;
  if (outermost) {
    st.fuel = limits.fuel;
    st.deadline = limits.deadline;
    st.budget = 0;  // the first check sets it from the limits
  } else if (st.host_reentries >= 64) {
    return unexpected(Trap::make(Trap::Kind::CallStackExhausted));
  }
  if (func.is_host()) {
    HostContext ctx(store, nullptr, func.host->data);
    std::vector<RawValue> args(args_results, args_results + type.params.size());
    return func.host->callback(ctx, args, std::span<RawValue>(args_results, type.results.size()));
  }
  const CompiledFunction* fn = func.code;
  size_t base = st.stack_top;
  if (base + fn->frame_slots > st.stack.size()) {
    return unexpected(Trap::make(Trap::Kind::CallStackExhausted));
  }
  RawValue* fp = st.stack.data() + base;
  std::copy_n(args_results, type.params.size(), fp);
  std::memset(fp + fn->param_count, 0, sizeof(RawValue) * fn->local_count);
  size_t saved_top = st.stack_top;
  ++st.host_reentries;
  auto done = run(&store, &st, func.instance, fn, fp, nullptr);
  --st.host_reentries;
  st.stack_top = saved_top;
  if (!done) return done;
  std::copy_n(fp, type.results.size(), args_results);
  return {};
}

}  // namespace wasmdapr::wasm
