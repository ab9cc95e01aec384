// Translation of validated function bodies into the interpreter's internal code.
//
// Every operand-stack position gets a fixed frame slot. The compile-time stack records, for
// each value, whether it already sits in its slot (Temp), is still the slot of a local
// (Local: local.get is deferred so consumers read the local directly), is a constant
// (Const: folded into immediate forms where one exists) or is a local plus a constant
// (LocalAddImm: an i32.add deferred so loads and stores take it as their address). Deferred values
// are written to their slots at control-flow boundaries, and before a local they read is
// overwritten. Producers write straight into a local when a local.set follows, and a comparison
// followed by br_if/if becomes one compare-and-branch instruction.
#include "wasm/compiler.h"

#include <algorithm>
#include <string>

#include "wasm/binary_reader.h"
#include "wasm/compiled_code.h"
#include "wasm/function_validator.h"
#include "wasm/opcodes.h"
#include "wasm/store.h"

namespace wasmdapr::wasm {

const CompiledFunction* compiled_function(const CompiledModule& code, uint32_t defined_index) {
  return &code.functions[defined_index];
}

namespace {

constexpr uint32_t kMaxSlots = 0xFFFF;

struct StackEntry {
  enum class Kind : uint8_t { Temp, Local, Const, LocalAddImm };
  Kind kind = Kind::Temp;
  ValType type = ValType::I32;
  uint32_t slot = 0;   // Temp: its canonical slot; Local, LocalAddImm: the local's slot
  uint64_t value = 0;  // Const; LocalAddImm: the 32-bit addend
  // Whether the value still depends on the current content of a local.
  bool reads_local(uint32_t local) const {
    return (kind == Kind::Local || kind == Kind::LocalAddImm) && slot == local;
  }
};

enum class FrameKind : uint8_t { Function, Block, Loop, If, Else };

struct Patch {
  uint32_t instr;  // start of the branching instruction
  uint32_t word;   // word holding the offset
  bool high;       // offset in bits 32..63 (else bits 0..31)
};

struct Control {
  Control(FrameKind k, const BlockSignature& s, uint32_t h) : kind(k), sig(s), height(h) {}
  FrameKind kind;
  BlockSignature sig;
  uint32_t height;             // stack height below the block's parameters
  uint32_t start = 0;          // Loop: code index of the loop head
  std::vector<Patch> patches;  // branches to this label's end
  Patch else_patch{};          // If: the branch taken when the condition is false
  bool has_else_patch = false;
  bool unreachable = false;     // the rest of the current arm is dead code
  bool entry_reachable = true;  // the block itself was entered
  bool targeted = false;        // some branch goes to the end
};

// A comparison just emitted, which a following br_if/if may fuse with.
struct PendingCompare {
  bool valid = false;
  uint32_t start = 0, end = 0;     // code range of the comparison
  uint32_t source_index = 0;       // its entry in source_offsets
  Iop branch_op = Iop::br_eq_i32;  // the compare-and-branch form
  uint32_t a = 0, b = 0;
  uint32_t imm = 0;
  bool is_imm = false;
  uint32_t result_slot = 0;
};

Iop invert_branch(Iop op) {
  switch (op) {
    case Iop::br_eq_i32:
      return Iop::br_ne_i32;
    case Iop::br_ne_i32:
      return Iop::br_eq_i32;
    case Iop::br_lt_s_i32:
      return Iop::br_ge_s_i32;
    case Iop::br_lt_u_i32:
      return Iop::br_ge_u_i32;
    case Iop::br_gt_s_i32:
      return Iop::br_le_s_i32;
    case Iop::br_gt_u_i32:
      return Iop::br_le_u_i32;
    case Iop::br_le_s_i32:
      return Iop::br_gt_s_i32;
    case Iop::br_le_u_i32:
      return Iop::br_gt_u_i32;
    case Iop::br_ge_s_i32:
      return Iop::br_lt_s_i32;
    case Iop::br_ge_u_i32:
      return Iop::br_lt_u_i32;
    default:
      return op;
  }
}

Iop imm_branch(Iop op) {
  return static_cast<Iop>(static_cast<uint16_t>(op) - static_cast<uint16_t>(Iop::br_eq_i32) +
                          static_cast<uint16_t>(Iop::br_eq_i32_imm));
}

// i32 comparison opcode (0x46..0x4F) -> compare-and-branch form.
Iop branch_for_compare(uint8_t op) {
  static constexpr Iop kMap[] = {
      Iop::br_eq_i32,   Iop::br_ne_i32,   Iop::br_lt_s_i32, Iop::br_lt_u_i32, Iop::br_gt_s_i32,
      Iop::br_gt_u_i32, Iop::br_le_s_i32, Iop::br_le_u_i32, Iop::br_ge_s_i32, Iop::br_ge_u_i32};
  return kMap[op - 0x46];
}

// Comparison with its operands swapped (a < b  <=>  b > a).
uint8_t mirror_compare(uint8_t op) {
  switch (op) {
    case 0x48:
      return 0x4A;
    case 0x49:
      return 0x4B;
    case 0x4A:
      return 0x48;
    case 0x4B:
      return 0x49;
    case 0x4C:
      return 0x4E;
    case 0x4D:
      return 0x4F;
    case 0x4E:
      return 0x4C;
    case 0x4F:
      return 0x4D;
    case 0x53:
      return 0x55;
    case 0x54:
      return 0x56;
    case 0x55:
      return 0x53;
    case 0x56:
      return 0x54;
    case 0x57:
      return 0x59;
    case 0x58:
      return 0x5A;
    case 0x59:
      return 0x57;
    case 0x5A:
      return 0x58;
    default:
      return op;  // eq, ne, and the commutative arithmetic
  }
}

bool is_commutative(uint8_t op) {
  switch (op) {
    case 0x46:
    case 0x47:
    case 0x51:
    case 0x52:  // eq, ne
    case 0x6A:
    case 0x6C:
    case 0x71:
    case 0x72:
    case 0x73:  // i32 add mul and or xor
    case 0x7C:
    case 0x7E:
    case 0x83:
    case 0x84:
    case 0x85:  // i64 add mul and or xor
      return true;
    default:
      return false;
  }
}

// The immediate form of an integer binary op, if it has one.
bool imm_form(uint8_t op, Iop& out) {
  struct Pair {
    uint8_t op = 0;
    Iop imm;
  };
  static constexpr Pair kPairs[] = {
      {0x46, Iop::i32_eq_imm},    {0x47, Iop::i32_ne_imm},   {0x48, Iop::i32_lt_s_imm},
      {0x49, Iop::i32_lt_u_imm},  {0x4A, Iop::i32_gt_s_imm}, {0x4B, Iop::i32_gt_u_imm},
      {0x4C, Iop::i32_le_s_imm},  {0x4D, Iop::i32_le_u_imm}, {0x4E, Iop::i32_ge_s_imm},
      {0x4F, Iop::i32_ge_u_imm},  {0x6A, Iop::i32_add_imm},  {0x6B, Iop::i32_sub_imm},
      {0x6C, Iop::i32_mul_imm},   {0x71, Iop::i32_and_imm},  {0x72, Iop::i32_or_imm},
      {0x73, Iop::i32_xor_imm},   {0x74, Iop::i32_shl_imm},  {0x75, Iop::i32_shr_s_imm},
      {0x76, Iop::i32_shr_u_imm}, {0x77, Iop::i32_rotl_imm}, {0x78, Iop::i32_rotr_imm},
      {0x51, Iop::i64_eq_imm},    {0x52, Iop::i64_ne_imm},   {0x53, Iop::i64_lt_s_imm},
      {0x54, Iop::i64_lt_u_imm},  {0x55, Iop::i64_gt_s_imm}, {0x56, Iop::i64_gt_u_imm},
      {0x57, Iop::i64_le_s_imm},  {0x58, Iop::i64_le_u_imm}, {0x59, Iop::i64_ge_s_imm},
      {0x5A, Iop::i64_ge_u_imm},  {0x7C, Iop::i64_add_imm},  {0x7D, Iop::i64_sub_imm},
      {0x7E, Iop::i64_mul_imm},   {0x83, Iop::i64_and_imm},  {0x84, Iop::i64_or_imm},
      {0x85, Iop::i64_xor_imm},   {0x86, Iop::i64_shl_imm},  {0x87, Iop::i64_shr_s_imm},
      {0x88, Iop::i64_shr_u_imm},
  };
  for (const auto& p : kPairs) {
    if (p.op == op) {
      out = p.imm;
      return true;
    }
  }
  return false;
}

// The internal op of a numeric wasm opcode (0x45..0xC4, and 0xFC00..0xFC07).
Iop numeric_op(uint16_t op) {
  if (op >= 0x45 && op <= 0x4F) return static_cast<Iop>(uint16_t(Iop::i32_eqz) + (op - 0x45));
  if (op >= 0x50 && op <= 0x5A) return static_cast<Iop>(uint16_t(Iop::i64_eqz) + (op - 0x50));
  if (op >= 0x5B && op <= 0x60) return static_cast<Iop>(uint16_t(Iop::f32_eq) + (op - 0x5B));
  if (op >= 0x61 && op <= 0x66) return static_cast<Iop>(uint16_t(Iop::f64_eq) + (op - 0x61));
  if (op >= 0x67 && op <= 0x78) {
    static constexpr Iop kI32[] = {Iop::i32_clz,   Iop::i32_ctz,   Iop::i32_popcnt, Iop::i32_add,
                                   Iop::i32_sub,   Iop::i32_mul,   Iop::i32_div_s,  Iop::i32_div_u,
                                   Iop::i32_rem_s, Iop::i32_rem_u, Iop::i32_and,    Iop::i32_or,
                                   Iop::i32_xor,   Iop::i32_shl,   Iop::i32_shr_s,  Iop::i32_shr_u,
                                   Iop::i32_rotl,  Iop::i32_rotr};
    return kI32[op - 0x67];
  }
  if (op >= 0x79 && op <= 0x8A) {
    static constexpr Iop kI64[] = {Iop::i64_clz,   Iop::i64_ctz,   Iop::i64_popcnt, Iop::i64_add,
                                   Iop::i64_sub,   Iop::i64_mul,   Iop::i64_div_s,  Iop::i64_div_u,
                                   Iop::i64_rem_s, Iop::i64_rem_u, Iop::i64_and,    Iop::i64_or,
                                   Iop::i64_xor,   Iop::i64_shl,   Iop::i64_shr_s,  Iop::i64_shr_u,
                                   Iop::i64_rotl,  Iop::i64_rotr};
    return kI64[op - 0x79];
  }
  if (op >= 0x8B && op <= 0x98) return static_cast<Iop>(uint16_t(Iop::f32_abs) + (op - 0x8B));
  if (op >= 0x99 && op <= 0xA6) return static_cast<Iop>(uint16_t(Iop::f64_abs) + (op - 0x99));
  if (op >= 0xA7 && op <= 0xBB) {
    return static_cast<Iop>(uint16_t(Iop::i32_wrap_i64) + (op - 0xA7));
  }
  if (op >= 0xC0 && op <= 0xC4) {
    return static_cast<Iop>(uint16_t(Iop::i32_extend8_s) + (op - 0xC0));
  }
  return static_cast<Iop>(uint16_t(Iop::i32_trunc_sat_f32_s) + (op - 0xFC00));
}

struct NumericShape {
  ValType a{}, b{}, result{};
  bool binary;
};

NumericShape numeric_shape(uint16_t op) {
  auto un = [](ValType a, ValType r) { return NumericShape{a, a, r, false}; };
  auto bin = [](ValType a, ValType r) { return NumericShape{a, a, r, true}; };
  const ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;
  if (op == 0x45) return un(I32, I32);
  if (op <= 0x4F) return bin(I32, I32);
  if (op == 0x50) return un(I64, I32);
  if (op <= 0x5A) return bin(I64, I32);
  if (op <= 0x60) return bin(F32, I32);
  if (op <= 0x66) return bin(F64, I32);
  if (op <= 0x69) return un(I32, I32);
  if (op <= 0x78) return bin(I32, I32);
  if (op <= 0x7B) return un(I64, I64);
  if (op <= 0x8A) return bin(I64, I64);
  if (op <= 0x91) return un(F32, F32);
  if (op <= 0x98) return bin(F32, F32);
  if (op <= 0x9F) return un(F64, F64);
  if (op <= 0xA6) return bin(F64, F64);
  switch (op) {
    case 0xA7:
      return un(I64, I32);
    case 0xA8:
    case 0xA9:
      return un(F32, I32);
    case 0xAA:
    case 0xAB:
      return un(F64, I32);
    case 0xAC:
    case 0xAD:
      return un(I32, I64);
    case 0xAE:
    case 0xAF:
      return un(F32, I64);
    case 0xB0:
    case 0xB1:
      return un(F64, I64);
    case 0xB2:
    case 0xB3:
      return un(I32, F32);
    case 0xB4:
    case 0xB5:
      return un(I64, F32);
    case 0xB6:
      return un(F64, F32);
    case 0xB7:
    case 0xB8:
      return un(I32, F64);
    case 0xB9:
    case 0xBA:
      return un(I64, F64);
    case 0xBB:
      return un(F32, F64);
    case 0xC0:
    case 0xC1:
      return un(I32, I32);
    case 0xC2:
    case 0xC3:
    case 0xC4:
      return un(I64, I64);
    case 0xFC00:
    case 0xFC01:
      return un(F32, I32);
    case 0xFC02:
    case 0xFC03:
      return un(F64, I32);
    case 0xFC04:
    case 0xFC05:
      return un(F32, I64);
    default:
      return un(F64, I64);
  }
}

Iop memory_op(uint8_t op) {
  return static_cast<Iop>(uint16_t(Iop::i32_load) + (op - 0x28));
}

Iop memory_op_with_add(uint8_t op, bool immediate) {
  Iop first = immediate ? Iop::i32_load_addi : Iop::i32_load_add;
  return static_cast<Iop>(uint16_t(first) + (op - 0x28));
}

ValType memory_value_type(uint8_t op) {
  static constexpr uint8_t kTypes[] = {0x7F, 0x7E, 0x7D, 0x7C, 0x7F, 0x7F, 0x7F, 0x7F,
                                       0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7F, 0x7E,
                                       0x7D, 0x7C, 0x7F, 0x7F, 0x7E, 0x7E, 0x7E};
  return static_cast<ValType>(kTypes[op - 0x28]);
}

class FunctionCompiler {
 public:
  FunctionCompiler(const ModuleInfo& m, const CompiledModule& out, uint32_t defined_index,
                   CompiledFunction& fn)
      : m_(m), out_(out), fn_(fn), handlers_(interpreter_handlers()) {
    func_index_ = m.imported_funcs + defined_index;
    const FunctionBody& body = m.bodies[defined_index];
    const FuncType& type = m.func_type(func_index_);
    fn_.func_index = func_index_;
    fn_.param_count = static_cast<uint32_t>(type.params.size());
    fn_.result_count = static_cast<uint32_t>(type.results.size());
    fn_.local_count = body.local_count;
    for (auto t : type.params) local_types_.push_back(t);
    for (const auto& run : body.locals)
      local_types_.insert(local_types_.end(), run.count, run.type);
    temp_base_ = fn_.param_count + fn_.local_count;
    max_slots_ = std::max<uint32_t>(temp_base_, fn_.result_count);
    body_ = &body;
  }

  Result<void, CompileError> run();

 private:
  // ---- emission --------------------------------------------------------------------------
  uint32_t here() const { return static_cast<uint32_t>(fn_.code.size()); }
  uint32_t emit(Iop op) {
    uint32_t at = here();
    fn_.code.push_back(reinterpret_cast<uintptr_t>(handlers_[static_cast<uint16_t>(op)]));
    fn_.source_offsets.emplace_back(at, static_cast<uint32_t>(wasm_offset_));
    pending_.valid = false;
    pending_add_.valid = false;
    last_dst_word_ = kNone;
    return at;
  }
  void word(uint64_t w) { fn_.code.push_back(w); }
  static uint64_t pack(uint32_t s0, uint32_t s1 = 0, uint32_t s2 = 0, uint32_t s3 = 0) {
    return uint64_t(s0) | uint64_t(s1) << 16 | uint64_t(s2) << 32 | uint64_t(s3) << 48;
  }
  static uint64_t pack_hi(uint32_t s0, uint32_t s1, uint32_t hi) {
    return uint64_t(s0) | uint64_t(s1) << 16 | uint64_t(hi) << 32;
  }
  // Emits an instruction whose first operand word starts with the destination slot, and
  // remembers where, so a following local.set can retarget it.
  void emit_producer(Iop op, uint64_t operands) {
    emit(op);
    last_dst_word_ = here();
    word(operands);
  }

  // ---- compile-time stack ------------------------------------------------------------------
  uint32_t temp_slot(size_t index) const { return temp_base_ + static_cast<uint32_t>(index); }
  void push_temp(ValType t) {
    uint32_t slot = temp_slot(stack_.size());
    stack_.push_back({StackEntry::Kind::Temp, t, slot, 0});
    max_slots_ = std::max(max_slots_, slot + 1);
  }
  uint32_t next_temp() {
    uint32_t slot = temp_slot(stack_.size());
    max_slots_ = std::max(max_slots_, slot + 1);
    return slot;
  }
  StackEntry pop() {
    StackEntry e = stack_.back();
    stack_.pop_back();
    return e;
  }

  // Writes a deferred value into its canonical slot.
  void materialize(size_t index) {
    StackEntry& e = stack_[index];
    uint32_t slot = temp_slot(index);
    if (e.kind == StackEntry::Kind::Local) {
      emit(Iop::copy);
      word(pack(slot, e.slot));
    } else if (e.kind == StackEntry::Kind::Const) {
      emit_const(slot, e.value);
    } else if (e.kind == StackEntry::Kind::LocalAddImm) {
      emit(Iop::i32_add_imm);
      word(pack_hi(slot, e.slot, static_cast<uint32_t>(e.value)));
    } else {
      return;
    }
    e.kind = StackEntry::Kind::Temp;
    e.slot = slot;
    max_slots_ = std::max(max_slots_, slot + 1);
  }
  void materialize_all() {
    for (size_t i = 0; i < stack_.size(); ++i) materialize(i);
  }
  void materialize_from(size_t first) {
    for (size_t i = first; i < stack_.size(); ++i) materialize(i);
  }
  void emit_const(uint32_t slot, uint64_t value) {
    if (value <= 0xFFFFFFFFull) {
      emit(Iop::const32);
      word(pack_hi(slot, 0, static_cast<uint32_t>(value)));
    } else {
      emit(Iop::const64);
      word(pack(slot));
      word(value);
    }
  }
  // The slot holding a popped operand; constants and deferred additions get written to
  // `scratch` first.
  uint32_t operand_slot(const StackEntry& e, uint32_t scratch) {
    if (e.kind == StackEntry::Kind::Const) {
      emit_const(scratch, e.value);
    } else if (e.kind == StackEntry::Kind::LocalAddImm) {
      emit(Iop::i32_add_imm);
      word(pack_hi(scratch, e.slot, static_cast<uint32_t>(e.value)));
    } else {
      return e.slot;
    }
    max_slots_ = std::max(max_slots_, scratch + 1);
    return scratch;
  }

  // ---- control -----------------------------------------------------------------------------
  Control& frame(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }
  bool reachable() const { return !controls_.back().unreachable; }
  void patch(const Patch& p, uint32_t target) {
    auto off = static_cast<uint32_t>(static_cast<int32_t>(target) - static_cast<int32_t>(p.instr));
    uint64_t& w = fn_.code[p.word];
    if (p.high) {
      w = (w & 0xFFFFFFFFull) | uint64_t(off) << 32;
    } else {
      w = (w & 0xFFFFFFFF00000000ull) | off;
    }
  }
  // Records a branch to label `depth` whose offset lives at (instr, word).
  void branch_to(uint32_t depth, uint32_t instr, uint32_t w, bool high) {
    Control& c = frame(depth);
    Patch p{instr, w, high};
    if (c.kind == FrameKind::Loop) {
      patch(p, c.start);
    } else {
      c.patches.push_back(p);
      c.targeted = true;
    }
  }
  uint32_t label_arity(const Control& c) const {
    return c.kind == FrameKind::Loop ? c.sig.param_count : c.sig.result_count;
  }
  // Copies the top `n` values (already materialized) to the label's slots when they differ.
  bool needs_label_copies(const Control& c) const {
    uint32_t n = label_arity(c);
    return n > 0 && stack_.size() - n != c.height;
  }
  void emit_label_copies(const Control& c) {
    uint32_t n = label_arity(c);
    size_t from = stack_.size() - n;
    for (uint32_t i = 0; i < n; ++i) {
      emit(Iop::copy);
      word(pack(temp_slot(c.height + i), stack_[from + i].slot));
    }
  }
  void emit_br(uint32_t depth) {
    uint32_t at = emit(Iop::br);
    word(0);
    branch_to(depth, at, at + 1, true);
  }

  // Control flow merges here: the value on top may no longer come from the last instruction,
  // so nothing may be fused with it.
  void forget_fusions() {
    pending_.valid = false;
    pending_add_.valid = false;
    last_dst_word_ = kNone;
  }

  void set_unreachable() {
    Control& c = controls_.back();
    stack_.resize(c.height);
    c.unreachable = true;
  }

  void emit_return_copies();
  void op_block(FrameKind kind);
  void op_if();
  void op_else();
  bool op_end();
  void op_br(uint32_t depth);
  void op_br_if(uint32_t depth);
  void op_br_table(const std::vector<uint32_t>& depths, uint32_t default_depth);
  void emit_condition_branch(const StackEntry& cond, bool jump_if_true, uint32_t& instr,
                             uint32_t& w);
  void op_call(uint32_t func);
  void op_call_indirect(uint32_t type, uint32_t table);
  void op_local_set(uint32_t index, bool tee);
  void op_numeric(uint16_t op);
  void op_compare_or_binary(uint8_t op, const NumericShape& shape);
  bool take_pending_add(const StackEntry& addr, uint32_t& a, uint32_t& b, bool& immediate);
  void op_load(uint8_t op, uint32_t offset);
  void op_store(uint8_t op, uint32_t offset);
  bool instruction(uint8_t op);
  bool prefixed();
  void skip_dead(uint8_t op);

  static constexpr uint32_t kNone = 0xFFFFFFFF;

  const ModuleInfo& m_;
  const CompiledModule& out_;
  CompiledFunction& fn_;
  const void* const* handlers_;
  const FunctionBody* body_ = nullptr;
  uint32_t func_index_ = 0;
  std::vector<ValType> local_types_;
  uint32_t temp_base_ = 0;
  uint32_t max_slots_ = 0;
  std::vector<StackEntry> stack_;
  std::vector<Control> controls_;
  PendingCompare pending_;
  // An i32.add just emitted, which a following load/store may take as its address.
  struct PendingAdd {
    bool valid = false;
    uint32_t start = 0, end = 0, source_index = 0, a = 0, b = 0, result_slot = 0;
    bool immediate = false;  // b is a 32-bit immediate, not a slot
  } pending_add_;
  uint32_t last_dst_word_ = kNone;
  size_t wasm_offset_ = 0;
  BinaryReader* r_ = nullptr;
  uint32_t dead_depth_ = 0;  // blocks opened inside dead code
};

void FunctionCompiler::emit_return_copies() {
  // Results go to slots 0..n-1. A result whose value sits in another destination slot would
  // be overwritten before it is read, so then every result goes through scratch slots first.
  uint32_t n = fn_.result_count;
  size_t from = stack_.size() - n;
  for (size_t i = from; i < stack_.size(); ++i) {
    if (stack_[i].kind == StackEntry::Kind::LocalAddImm) materialize(i);
  }
  bool overlap = false;
  for (uint32_t i = 0; i < n; ++i) {
    const StackEntry& e = stack_[from + i];
    if (e.kind != StackEntry::Kind::Const && e.slot < n && e.slot != i) overlap = true;
  }
  std::vector<uint32_t> sources(n);
  for (uint32_t i = 0; i < n; ++i) {
    const StackEntry& e = stack_[from + i];
    sources[i] = e.kind == StackEntry::Kind::Const ? kNone : e.slot;
  }
  if (overlap) {
    uint32_t scratch = std::max(max_slots_, temp_slot(stack_.size()));
    for (uint32_t i = 0; i < n; ++i) {
      if (sources[i] == kNone) continue;
      emit(Iop::copy);
      word(pack(scratch + i, sources[i]));
      sources[i] = scratch + i;
    }
    max_slots_ = std::max(max_slots_, scratch + n);
  }
  for (uint32_t i = 0; i < n; ++i) {
    const StackEntry& e = stack_[from + i];
    if (e.kind == StackEntry::Kind::Const) {
      emit_const(i, e.value);
    } else if (sources[i] != i) {
      emit(Iop::copy);
      word(pack(i, sources[i]));
    }
  }
}

void FunctionCompiler::emit_condition_branch(const StackEntry& cond, bool jump_if_true,
                                             uint32_t& instr, uint32_t& w) {
  bool fusable = pending_.valid && cond.kind == StackEntry::Kind::Temp &&
                 cond.slot == pending_.result_slot && here() == pending_.end;
  if (fusable) {
    // The comparison's operands are slots no materialization below writes to, so the
    // comparison can move past it and become the branch itself.
    PendingCompare cmp = pending_;
    fn_.code.resize(cmp.start);
    fn_.source_offsets.resize(cmp.source_index);
    materialize_all();
    Iop op = jump_if_true ? cmp.branch_op : invert_branch(cmp.branch_op);
    if (cmp.is_imm) {
      instr = emit(imm_branch(op));
      w = here();
      word(pack(cmp.a));
      word(cmp.imm);
    } else {
      instr = emit(op);
      w = here();
      word(pack(cmp.a, cmp.b));
    }
    return;
  }
  uint32_t slot = operand_slot(cond, temp_slot(stack_.size()));
  materialize_all();
  instr = emit(jump_if_true ? Iop::br_if : Iop::br_unless);
  w = here();
  word(pack(slot));
}

void FunctionCompiler::op_block(FrameKind kind) {
  forget_fusions();
  BlockSignature sig;
  read_block_type(m_, *r_, sig);
  materialize_all();
  Control c{kind, sig, static_cast<uint32_t>(stack_.size() - sig.param_count)};
  c.start = here();
  controls_.push_back(std::move(c));
}

void FunctionCompiler::op_if() {
  BlockSignature sig;
  read_block_type(m_, *r_, sig);
  StackEntry cond = pop();
  uint32_t instr = 0, w = 0;
  emit_condition_branch(cond, false, instr, w);
  Control c{FrameKind::If, sig, static_cast<uint32_t>(stack_.size() - sig.param_count)};
  c.else_patch = {instr, w, true};
  c.has_else_patch = true;
  controls_.push_back(std::move(c));
}

void FunctionCompiler::op_else() {
  forget_fusions();
  Control& c = controls_.back();
  if (!c.unreachable) {
    materialize_all();
    uint32_t at = emit(Iop::br);
    word(0);
    c.patches.push_back({at, at + 1, true});
    c.targeted = true;
  }
  patch(c.else_patch, here());
  c.has_else_patch = false;
  c.kind = FrameKind::Else;
  c.unreachable = false;
  stack_.resize(c.height);
  for (uint32_t i = 0; i < c.sig.param_count; ++i) push_temp(c.sig.params[i]);
}

bool FunctionCompiler::op_end() {
  forget_fusions();
  Control c = std::move(controls_.back());
  bool falls_through = !c.unreachable;
  if (falls_through) materialize_all();
  if (c.kind == FrameKind::Function) {
    for (const auto& p : c.patches) patch(p, here());
    if (falls_through || c.targeted) {
      stack_.resize(0);
      for (uint32_t i = 0; i < c.sig.result_count; ++i) push_temp(c.sig.results[i]);
      emit_return_copies();
    }
    emit(Iop::return_);
    controls_.pop_back();
    return true;
  }
  bool if_without_else = c.has_else_patch;
  if (if_without_else) patch(c.else_patch, here());
  for (const auto& p : c.patches) patch(p, here());
  controls_.pop_back();
  stack_.resize(c.height);
  for (uint32_t i = 0; i < c.sig.result_count; ++i) push_temp(c.sig.results[i]);
  bool reachable_after =
      falls_through || if_without_else || (c.kind != FrameKind::Loop && c.targeted);
  controls_.back().unreachable = !reachable_after;
  if (!reachable_after) stack_.resize(controls_.back().height);
  return false;
}

void FunctionCompiler::op_br(uint32_t depth) {
  Control& c = frame(depth);
  if (c.kind == FrameKind::Function) {
    emit_return_copies();
    emit(Iop::return_);
  } else {
    materialize_all();
    if (needs_label_copies(c)) emit_label_copies(c);
    emit_br(depth);
  }
  set_unreachable();
}

void FunctionCompiler::op_br_if(uint32_t depth) {
  StackEntry cond = pop();
  Control& c = frame(depth);
  bool is_return = c.kind == FrameKind::Function;
  uint32_t instr = 0, w = 0;
  if (is_return || needs_label_copies(c)) {
    // Branch around the moves and the jump when the condition is false.
    emit_condition_branch(cond, false, instr, w);
    Patch skip{instr, w, true};
    if (is_return) {
      emit_return_copies();
      emit(Iop::return_);
    } else {
      emit_label_copies(c);
      emit_br(depth);
    }
    patch(skip, here());
    return;
  }
  emit_condition_branch(cond, true, instr, w);
  branch_to(depth, instr, w, true);
}

void FunctionCompiler::op_br_table(const std::vector<uint32_t>& depths, uint32_t default_depth) {
  StackEntry index = pop();
  uint32_t index_slot = operand_slot(index, temp_slot(stack_.size()));
  materialize_all();
  uint32_t at = emit(Iop::br_table);
  word(pack_hi(index_slot, 0, static_cast<uint32_t>(depths.size())));
  uint32_t first_entry = here();
  for (size_t i = 0; i <= depths.size(); ++i) word(0);
  // Targets whose values need moving (or that return) get a stub after the table.
  std::vector<std::pair<uint32_t, uint32_t>> stubs;  // (depth, stub start)
  for (size_t i = 0; i <= depths.size(); ++i) {
    uint32_t depth = i < depths.size() ? depths[i] : default_depth;
    uint32_t entry = first_entry + static_cast<uint32_t>(i);
    Control& c = frame(depth);
    if (c.kind != FrameKind::Function && !needs_label_copies(c)) {
      branch_to(depth, at, entry, false);
      continue;
    }
    auto known =
        std::find_if(stubs.begin(), stubs.end(), [&](const auto& s) { return s.first == depth; });
    uint32_t stub = 0;
    if (known != stubs.end()) {
      stub = known->second;
    } else {
      stub = here();
      stubs.emplace_back(depth, stub);
      if (c.kind == FrameKind::Function) {
        emit_return_copies();
        emit(Iop::return_);
      } else {
        emit_label_copies(c);
        emit_br(depth);
      }
    }
    patch({at, entry, false}, stub);
  }
  set_unreachable();
}

void FunctionCompiler::op_call(uint32_t func) {
  const FuncType& type = m_.func_type(func);
  uint32_t n = static_cast<uint32_t>(type.params.size());
  materialize_from(stack_.size() - n);
  uint32_t base = temp_slot(stack_.size() - n);
  if (func < m_.imported_funcs) {
    emit(Iop::call_import);
    word(pack_hi(base, 0, func));
  } else {
    emit(Iop::call);
    word(pack(base));
    word(reinterpret_cast<uintptr_t>(&out_.functions[func - m_.imported_funcs]));
  }
  stack_.resize(stack_.size() - n);
  for (auto t : type.results) push_temp(t);
}

void FunctionCompiler::op_call_indirect(uint32_t type_index, uint32_t table) {
  const FuncType& type = m_.types[type_index];
  uint32_t n = static_cast<uint32_t>(type.params.size());
  StackEntry elem = pop();
  uint32_t elem_slot = operand_slot(elem, temp_slot(stack_.size()));
  materialize_from(stack_.size() - n);
  uint32_t base = temp_slot(stack_.size() - n);
  emit(Iop::call_indirect);
  word(pack(base, elem_slot, 0, table));
  word(uint64_t(canonical_type_id(type)) << 32);
  stack_.resize(stack_.size() - n);
  for (auto t : type.results) push_temp(t);
}

void FunctionCompiler::op_local_set(uint32_t index, bool tee) {
  // Deferred reads of this local below the top must see the old value.
  for (size_t i = 0; i + 1 < stack_.size(); ++i) {
    if (stack_[i].reads_local(index)) materialize(i);
  }
  StackEntry& v = stack_.back();
  bool retarget = v.kind == StackEntry::Kind::Temp && last_dst_word_ != kNone &&
                  (fn_.code[last_dst_word_] & 0xFFFF) == v.slot;
  if (retarget) {
    uint64_t& w = fn_.code[last_dst_word_];
    w = (w & ~uint64_t{0xFFFF}) | index;
    last_dst_word_ = kNone;
    if (tee) {
      v.kind = StackEntry::Kind::Local;
      v.slot = index;
    }
  } else if (v.kind == StackEntry::Kind::Const) {
    emit_const(index, v.value);
  } else if (v.kind == StackEntry::Kind::LocalAddImm) {
    emit(Iop::i32_add_imm);
    word(pack_hi(index, v.slot, static_cast<uint32_t>(v.value)));
    if (tee) {
      v.kind = StackEntry::Kind::Local;
      v.slot = index;
    }
  } else if (!(v.kind == StackEntry::Kind::Local && v.slot == index)) {
    emit(Iop::copy);
    word(pack(index, v.slot));
  }
  if (!tee) stack_.pop_back();
}

void FunctionCompiler::op_compare_or_binary(uint8_t op, const NumericShape& shape) {
  StackEntry b = pop();
  StackEntry a = pop();
  if (op == 0x6A) {  // i32.add of a local (plus a constant) and a constant: deferred
    const StackEntry& c = b.kind == StackEntry::Kind::Const ? b : a;
    const StackEntry& x = b.kind == StackEntry::Kind::Const ? a : b;
    bool deferrable = x.kind == StackEntry::Kind::Local || x.kind == StackEntry::Kind::LocalAddImm;
    if (deferrable && c.kind == StackEntry::Kind::Const) {
      // Addition modulo 2^32 is associative: (local + c1) + c2 = local + (c1 + c2).
      uint64_t sum = x.kind == StackEntry::Kind::Local ? c.value : x.value + c.value;
      stack_.push_back({StackEntry::Kind::LocalAddImm, ValType::I32, x.slot, sum & 0xFFFFFFFF});
      forget_fusions();
      return;
    }
  }
  Iop imm_op;
  bool i64 = shape.a == ValType::I64;
  auto fits = [&](const StackEntry& e) {
    if (e.kind != StackEntry::Kind::Const) return false;
    if (!i64) return true;
    return static_cast<int64_t>(e.value) == static_cast<int32_t>(e.value);
  };
  if (!fits(b) && fits(a) && imm_form(mirror_compare(op), imm_op) &&
      (is_commutative(op) || mirror_compare(op) != op)) {
    std::swap(a, b);
    op = mirror_compare(op);
  }
  uint32_t dst = temp_slot(stack_.size());
  bool is_imm = fits(b) && imm_form(op, imm_op);
  uint32_t a_slot = operand_slot(a, dst);
  uint32_t b_slot = 0;
  if (is_imm) {
    emit_producer(imm_op, pack_hi(dst, a_slot, static_cast<uint32_t>(b.value)));
  } else {
    b_slot = operand_slot(b, temp_slot(stack_.size() + 1));
    emit_producer(numeric_op(op), pack(dst, a_slot, b_slot));
  }
  if (op == 0x6A) {
    uint32_t end = here();
    uint32_t source_index = static_cast<uint32_t>(fn_.source_offsets.size() - 1);
    uint32_t b_operand = is_imm ? static_cast<uint32_t>(b.value) : b_slot;
    pending_add_ = {true, end - 2, end, source_index, a_slot, b_operand, dst, is_imm};
  }
  if (op >= 0x46 && op <= 0x4F) {
    // The fusable range is the comparison alone (a constant written before it stays).
    uint32_t end = here();
    pending_ = {true,
                end - 2,
                end,
                static_cast<uint32_t>(fn_.source_offsets.size() - 1),
                branch_for_compare(op),
                a_slot,
                b_slot,
                static_cast<uint32_t>(b.value),
                is_imm,
                dst};
  }
  push_temp(shape.result);
}

void FunctionCompiler::op_numeric(uint16_t op) {
  if (op >= 0xBC && op <= 0xBF) {  // reinterpretations: the bits are already right
    stack_.back().type = numeric_shape(op).result;
    return;
  }
  NumericShape shape = numeric_shape(op);
  if (shape.binary) return op_compare_or_binary(static_cast<uint8_t>(op), shape);
  StackEntry a = pop();
  uint32_t dst = temp_slot(stack_.size());
  uint32_t a_slot = operand_slot(a, dst);
  emit_producer(numeric_op(op), pack(dst, a_slot));
  if (op == 0x45) {
    uint32_t end = here();
    pending_ = {true,           end - 2, end, static_cast<uint32_t>(fn_.source_offsets.size() - 1),
                Iop::br_eq_i32, a_slot,  0,   0,
                true,           dst};
  }
  push_temp(shape.result);
}

// An address that is the i32.add just emitted: the add moves into the access itself.
bool FunctionCompiler::take_pending_add(const StackEntry& addr, uint32_t& a, uint32_t& b,
                                        bool& immediate) {
  if (!pending_add_.valid || addr.kind != StackEntry::Kind::Temp ||
      addr.slot != pending_add_.result_slot || here() != pending_add_.end) {
    return false;
  }
  a = pending_add_.a;
  b = pending_add_.b;
  immediate = pending_add_.immediate;
  fn_.code.resize(pending_add_.start);
  fn_.source_offsets.resize(pending_add_.source_index);
  pending_add_.valid = false;
  return true;
}

void FunctionCompiler::op_load(uint8_t op, uint32_t offset) {
  StackEntry addr = pop();
  uint32_t a = 0, b = 0;
  bool immediate = false;
  if (addr.kind == StackEntry::Kind::LocalAddImm) {
    uint32_t dst = temp_slot(stack_.size());
    emit_producer(memory_op_with_add(op, true), pack(dst, addr.slot));
    word(addr.value << 32 | offset);
    push_temp(memory_value_type(op));
    return;
  }
  if (take_pending_add(addr, a, b, immediate)) {
    uint32_t dst = temp_slot(stack_.size());
    emit_producer(memory_op_with_add(op, immediate), immediate ? pack(dst, a) : pack(dst, a, b));
    word(immediate ? (uint64_t(b) << 32 | offset) : offset);
    push_temp(memory_value_type(op));
    return;
  }
  uint32_t dst = temp_slot(stack_.size());
  uint32_t addr_slot = operand_slot(addr, dst);
  emit_producer(memory_op(op), pack_hi(dst, addr_slot, offset));
  push_temp(memory_value_type(op));
}

void FunctionCompiler::op_store(uint8_t op, uint32_t offset) {
  StackEntry value = pop();
  StackEntry addr = pop();
  uint32_t a = 0, b = 0;
  bool immediate = false;
  if (addr.kind == StackEntry::Kind::LocalAddImm) {
    uint32_t value_slot = operand_slot(value, temp_slot(stack_.size() + 1));
    emit(memory_op_with_add(op, true));
    word(pack(value_slot, addr.slot));
    word(addr.value << 32 | offset);
    return;
  }
  // A value still to be computed would need a write after the add: then the add stays where
  // it is.
  if (value.kind != StackEntry::Kind::Const && value.kind != StackEntry::Kind::LocalAddImm &&
      take_pending_add(addr, a, b, immediate)) {
    emit(memory_op_with_add(op, immediate));
    word(immediate ? pack(value.slot, a) : pack(value.slot, a, b));
    word(immediate ? (uint64_t(b) << 32 | offset) : offset);
    return;
  }
  uint32_t addr_slot = operand_slot(addr, temp_slot(stack_.size()));
  uint32_t value_slot = operand_slot(value, temp_slot(stack_.size() + 1));
  emit(memory_op(op));
  word(pack_hi(value_slot, addr_slot, offset));
}

bool FunctionCompiler::prefixed() {
  uint32_t sub = 0, a = 0, b = 0;
  r_->u32(sub);
  if (sub <= 7) {
    op_numeric(static_cast<uint16_t>(0xFC00 | sub));
    return true;
  }
  // Pops the top `n` values into slots (constants go to the slots they would occupy).
  auto pop_slots = [&](uint32_t n, uint32_t* slots) {
    size_t first = stack_.size() - n;
    for (uint32_t i = 0; i < n; ++i) {
      slots[i] = operand_slot(stack_[first + i], temp_slot(first + i));
    }
    stack_.resize(first);
  };
  uint32_t s[3] = {};
  uint8_t zero = 0;
  switch (static_cast<Op>(0xFC00 | sub)) {
    case Op::MemoryInit:
      r_->u32(a);
      r_->u8(zero);
      pop_slots(3, s);
      emit(Iop::memory_init);
      word(pack(s[0], s[1], s[2]));
      word(a);
      break;
    case Op::DataDrop:
      r_->u32(a);
      emit(Iop::data_drop);
      word(pack_hi(0, 0, a));
      break;
    case Op::MemoryCopy:
      r_->u8(zero);
      r_->u8(zero);
      pop_slots(3, s);
      emit(Iop::memory_copy);
      word(pack(s[0], s[1], s[2]));
      break;
    case Op::MemoryFill:
      r_->u8(zero);
      pop_slots(3, s);
      emit(Iop::memory_fill);
      word(pack(s[0], s[1], s[2]));
      break;
    case Op::TableInit:
      r_->u32(a);
      r_->u32(b);
      pop_slots(3, s);
      emit(Iop::table_init);
      word(pack(s[0], s[1], s[2]));
      word(uint64_t(a) | uint64_t(b) << 32);
      break;
    case Op::ElemDrop:
      r_->u32(a);
      emit(Iop::elem_drop);
      word(pack_hi(0, 0, a));
      break;
    case Op::TableCopy:
      r_->u32(a);
      r_->u32(b);
      pop_slots(3, s);
      emit(Iop::table_copy);
      word(pack(s[0], s[1], s[2]));
      word(uint64_t(a) | uint64_t(b) << 32);
      break;
    case Op::TableGrow: {
      r_->u32(a);
      pop_slots(2, s);
      uint32_t dst = temp_slot(stack_.size());
      emit_producer(Iop::table_grow, pack(dst, s[0], s[1]));
      word(a);
      push_temp(ValType::I32);
      break;
    }
    case Op::TableSize: {
      r_->u32(a);
      uint32_t dst = temp_slot(stack_.size());
      emit_producer(Iop::table_size, pack_hi(dst, 0, a));
      push_temp(ValType::I32);
      break;
    }
    case Op::TableFill:
      r_->u32(a);
      pop_slots(3, s);
      emit(Iop::table_fill);
      word(pack(s[0], s[1], s[2]));
      word(a);
      break;
    default:
      return false;
  }
  return true;
}

bool FunctionCompiler::instruction(uint8_t op) {
  if (op >= 0x45 && op <= 0xC4) {
    op_numeric(op);
    return true;
  }
  uint32_t a = 0, b = 0;
  if (op >= 0x28 && op <= 0x3E) {
    r_->u32(a);  // alignment: a hint only
    r_->u32(b);
    if (op <= 0x35) {
      op_load(op, b);
    } else {
      op_store(op, b);
    }
    return true;
  }
  switch (static_cast<Op>(op)) {
    case Op::Unreachable:
      emit(Iop::unreachable);
      set_unreachable();
      return true;
    case Op::Nop:
      return true;
    case Op::Block:
      op_block(FrameKind::Block);
      return true;
    case Op::Loop:
      op_block(FrameKind::Loop);
      return true;
    case Op::If:
      op_if();
      return true;
    case Op::Else:
      op_else();
      return true;
    case Op::Br:
      r_->u32(a);
      op_br(a);
      return true;
    case Op::BrIf:
      r_->u32(a);
      op_br_if(a);
      return true;
    case Op::BrTable: {
      uint32_t n = 0;
      r_->u32(n);
      std::vector<uint32_t> depths(n);
      for (auto& d : depths) r_->u32(d);
      r_->u32(a);
      op_br_table(depths, a);
      return true;
    }
    case Op::Return:
      op_br(static_cast<uint32_t>(controls_.size() - 1));
      return true;
    case Op::Call:
      r_->u32(a);
      op_call(a);
      return true;
    case Op::CallIndirect:
      r_->u32(a);
      r_->u32(b);
      op_call_indirect(a, b);
      return true;
    case Op::Drop:
      pop();
      return true;
    case Op::Select:
    case Op::SelectT: {
      if (op == 0x1C) {
        uint8_t t = 0;
        r_->u32(a);
        for (uint32_t i = 0; i < a; ++i) r_->u8(t);
      }
      size_t first = stack_.size() - 3;
      uint32_t s[3];
      for (uint32_t i = 0; i < 3; ++i) {
        s[i] = operand_slot(stack_[first + i], temp_slot(first + i));
      }
      ValType t = stack_[first].type;
      stack_.resize(first);
      uint32_t dst = temp_slot(first);
      emit_producer(Iop::select, pack(dst, s[0], s[1], s[2]));
      push_temp(t);
      return true;
    }
    case Op::LocalGet:
      r_->u32(a);
      stack_.push_back({StackEntry::Kind::Local, local_types_[a], a, 0});
      return true;
    case Op::LocalSet:
    case Op::LocalTee:
      r_->u32(a);
      op_local_set(a, op == 0x22);
      return true;
    case Op::GlobalGet: {
      r_->u32(a);
      uint32_t dst = temp_slot(stack_.size());
      emit_producer(Iop::global_get, pack_hi(dst, 0, a));
      push_temp(m_.globals[a].type);
      return true;
    }
    case Op::GlobalSet: {
      r_->u32(a);
      StackEntry v = pop();
      uint32_t slot = operand_slot(v, temp_slot(stack_.size()));
      emit(Iop::global_set);
      word(pack_hi(slot, 0, a));
      return true;
    }
    case Op::TableGet: {
      r_->u32(a);
      StackEntry i = pop();
      uint32_t dst = temp_slot(stack_.size());
      uint32_t islot = operand_slot(i, dst);
      emit_producer(Iop::table_get, pack_hi(dst, islot, a));
      push_temp(m_.tables[a].element);
      return true;
    }
    case Op::TableSet: {
      r_->u32(a);
      StackEntry v = pop();
      StackEntry i = pop();
      uint32_t islot = operand_slot(i, temp_slot(stack_.size()));
      uint32_t vslot = operand_slot(v, temp_slot(stack_.size() + 1));
      emit(Iop::table_set);
      word(pack_hi(islot, vslot, a));
      return true;
    }
    case Op::MemorySize: {
      uint8_t zero = 0;
      r_->u8(zero);
      uint32_t dst = temp_slot(stack_.size());
      emit_producer(Iop::memory_size, pack(dst));
      push_temp(ValType::I32);
      return true;
    }
    case Op::MemoryGrow: {
      uint8_t zero = 0;
      r_->u8(zero);
      StackEntry v = pop();
      uint32_t dst = temp_slot(stack_.size());
      uint32_t vslot = operand_slot(v, dst);
      emit_producer(Iop::memory_grow, pack(dst, vslot));
      push_temp(ValType::I32);
      return true;
    }
    case Op::I32Const: {
      int32_t v = 0;
      r_->s32(v);
      stack_.push_back({StackEntry::Kind::Const, ValType::I32, 0, static_cast<uint32_t>(v)});
      return true;
    }
    case Op::I64Const: {
      int64_t v = 0;
      r_->s64(v);
      stack_.push_back({StackEntry::Kind::Const, ValType::I64, 0, static_cast<uint64_t>(v)});
      return true;
    }
    case Op::F32Const: {
      uint32_t v = 0;
      r_->f32_bits(v);
      stack_.push_back({StackEntry::Kind::Const, ValType::F32, 0, v});
      return true;
    }
    case Op::F64Const: {
      uint64_t v = 0;
      r_->f64_bits(v);
      stack_.push_back({StackEntry::Kind::Const, ValType::F64, 0, v});
      return true;
    }
    case Op::RefNull: {
      uint8_t t = 0;
      r_->u8(t);
      stack_.push_back({StackEntry::Kind::Const, static_cast<ValType>(t), 0, 0});
      return true;
    }
    case Op::RefIsNull: {
      StackEntry v = pop();
      uint32_t dst = temp_slot(stack_.size());
      uint32_t vslot = operand_slot(v, dst);
      emit_producer(Iop::ref_is_null, pack(dst, vslot));
      push_temp(ValType::I32);
      return true;
    }
    case Op::RefFunc: {
      r_->u32(a);
      uint32_t dst = temp_slot(stack_.size());
      emit_producer(Iop::ref_func, pack_hi(dst, 0, a));
      push_temp(ValType::FuncRef);
      return true;
    }
    default:
      if (op == kPrefixFC) return prefixed();
      return false;
  }
}

// Skips the immediates of an instruction in dead code, tracking nested blocks.
void FunctionCompiler::skip_dead(uint8_t op) {
  uint32_t u = 0;
  uint8_t byte = 0;
  int32_t s32 = 0;
  int64_t s64 = 0;
  uint64_t bits = 0;
  switch (op) {
    case 0x02:
    case 0x03:
    case 0x04: {
      BlockSignature sig;
      read_block_type(m_, *r_, sig);
      ++dead_depth_;
      return;
    }
    case 0x0B:
      --dead_depth_;
      return;
    case 0x0C:
    case 0x0D:
    case 0x10:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0xD2:
      r_->u32(u);
      return;
    case 0x0E: {
      uint32_t n = 0;
      r_->u32(n);
      for (uint32_t i = 0; i <= n; ++i) r_->u32(u);
      return;
    }
    case 0x11:
      r_->u32(u);
      r_->u32(u);
      return;
    case 0x1C: {
      uint32_t n = 0;
      r_->u32(n);
      for (uint32_t i = 0; i < n; ++i) r_->u8(byte);
      return;
    }
    case 0x3F:
    case 0x40:
    case 0xD0:
      r_->u8(byte);
      return;
    case 0x41:
      r_->s32(s32);
      return;
    case 0x42:
      r_->s64(s64);
      return;
    case 0x43:
      r_->skip(4);
      return;
    case 0x44:
      r_->f64_bits(bits);
      return;
    case 0xFC: {
      uint32_t sub = 0;
      r_->u32(sub);
      switch (sub) {
        case 8:
          r_->u32(u);
          r_->u8(byte);
          return;
        case 9:
        case 13:
        case 15:
        case 16:
        case 17:
          r_->u32(u);
          return;
        case 10:
          r_->u8(byte);
          r_->u8(byte);
          return;
        case 11:
          r_->u8(byte);
          return;
        case 12:
        case 14:
          r_->u32(u);
          r_->u32(u);
          return;
        default:
          return;
      }
    }
    default:
      if (op >= 0x28 && op <= 0x3E) {
        r_->u32(u);
        r_->u32(u);
      }
      return;
  }
}

Result<void, CompileError> FunctionCompiler::run() {
  BinaryReader reader(m_.bytes.data() + body_->code_offset, body_->code_end - body_->code_offset,
                      body_->code_offset);
  r_ = &reader;
  BlockSignature fn_sig;
  const FuncType& type = m_.func_type(func_index_);
  fn_sig.results = type.results.data();
  fn_sig.result_count = static_cast<uint32_t>(type.results.size());
  controls_.push_back({FrameKind::Function, fn_sig, 0});
  bool done = false;
  while (!done && reader.ok() && !reader.at_end()) {
    wasm_offset_ = reader.offset();
    uint8_t op = 0;
    reader.u8(op);
    if (controls_.back().unreachable && (dead_depth_ > 0 || (op != 0x0B && op != 0x05))) {
      skip_dead(op);
      continue;
    }
    if (op == 0x0B) {
      done = op_end();
    } else if (!instruction(op)) {
      return unexpected(CompileError{CompileError::Kind::Invalid, "code", wasm_offset_,
                                     "unsupported instruction"});
    }
  }
  if (!done || !reader.ok()) {
    return unexpected(CompileError{CompileError::Kind::Malformed, "code", wasm_offset_,
                                   "function body ended early"});
  }
  if (max_slots_ > kMaxSlots) {
    return unexpected(CompileError{CompileError::Kind::Invalid, "code", body_->code_offset,
                                   "function needs more than 65535 frame slots"});
  }
  fn_.frame_slots = max_slots_;
  return {};
}

}  // namespace

Result<std::unique_ptr<CompiledModule>, CompileError> compile_module(const ModuleInfo& info) {
  auto out = std::make_unique<CompiledModule>();
  out->functions.resize(info.bodies.size());
  for (uint32_t i = 0; i < info.bodies.size(); ++i) {
    FunctionCompiler compiler(info, *out, i, out->functions[i]);
    auto compiled = compiler.run();
    if (!compiled) return unexpected(std::move(compiled).error());
  }
  return out;
}

}  // namespace wasmdapr::wasm
