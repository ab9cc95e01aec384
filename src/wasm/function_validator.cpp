#include "wasm/function_validator.h"

#include <algorithm>
#include <optional>
#include <string>

#include "wasm/opcodes.h"

namespace wasmdapr::wasm {
namespace {

constexpr uint8_t kUnknown = 0;  // bottom of the value-type lattice in unreachable code

// One static storage per value type, so a single-type block signature can point at it.
const ValType* single(ValType t) {
  static constexpr ValType kTypes[] = {ValType::I32,      ValType::I64,  ValType::F32,
                                       ValType::F64,      ValType::V128, ValType::FuncRef,
                                       ValType::ExternRef};
  for (const auto& s : kTypes) {
    if (s == t) return &s;
  }
  return nullptr;
}

bool is_value_type_byte(uint8_t b) {
  return b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x70 || b == 0x6F;
}

bool is_ref_byte(uint8_t t) {
  return t == uint8_t(ValType::FuncRef) || t == uint8_t(ValType::ExternRef);
}

struct NumericSig {
  uint8_t a = 0, b = 0, result = 0;  // b == 0: unary
};

constexpr uint8_t I32 = uint8_t(ValType::I32), I64 = uint8_t(ValType::I64),
                  F32 = uint8_t(ValType::F32), F64 = uint8_t(ValType::F64);

// Signatures of the numeric instructions (0x45..0xC4 and the saturating conversions).
bool numeric_signature(uint16_t op, NumericSig& s) {
  auto set = [&](uint8_t a, uint8_t b, uint8_t r) {
    s = {a, b, r};
    return true;
  };
  if (op == 0x45) return set(I32, 0, I32);
  if (op >= 0x46 && op <= 0x4F) return set(I32, I32, I32);
  if (op == 0x50) return set(I64, 0, I32);
  if (op >= 0x51 && op <= 0x5A) return set(I64, I64, I32);
  if (op >= 0x5B && op <= 0x60) return set(F32, F32, I32);
  if (op >= 0x61 && op <= 0x66) return set(F64, F64, I32);
  if (op >= 0x67 && op <= 0x69) return set(I32, 0, I32);
  if (op >= 0x6A && op <= 0x78) return set(I32, I32, I32);
  if (op >= 0x79 && op <= 0x7B) return set(I64, 0, I64);
  if (op >= 0x7C && op <= 0x8A) return set(I64, I64, I64);
  if (op >= 0x8B && op <= 0x91) return set(F32, 0, F32);
  if (op >= 0x92 && op <= 0x98) return set(F32, F32, F32);
  if (op >= 0x99 && op <= 0x9F) return set(F64, 0, F64);
  if (op >= 0xA0 && op <= 0xA6) return set(F64, F64, F64);
  switch (op) {
    case 0xA7:
      return set(I64, 0, I32);
    case 0xA8:
    case 0xA9:
      return set(F32, 0, I32);
    case 0xAA:
    case 0xAB:
      return set(F64, 0, I32);
    case 0xAC:
    case 0xAD:
      return set(I32, 0, I64);
    case 0xAE:
    case 0xAF:
      return set(F32, 0, I64);
    case 0xB0:
    case 0xB1:
      return set(F64, 0, I64);
    case 0xB2:
    case 0xB3:
      return set(I32, 0, F32);
    case 0xB4:
    case 0xB5:
      return set(I64, 0, F32);
    case 0xB6:
      return set(F64, 0, F32);
    case 0xB7:
    case 0xB8:
      return set(I32, 0, F64);
    case 0xB9:
    case 0xBA:
      return set(I64, 0, F64);
    case 0xBB:
      return set(F32, 0, F64);
    case 0xBC:
      return set(F32, 0, I32);
    case 0xBD:
      return set(F64, 0, I64);
    case 0xBE:
      return set(I32, 0, F32);
    case 0xBF:
      return set(I64, 0, F64);
    case 0xC0:
    case 0xC1:
      return set(I32, 0, I32);
    case 0xC2:
    case 0xC3:
    case 0xC4:
      return set(I64, 0, I64);
    case 0xFC00:
    case 0xFC01:
      return set(F32, 0, I32);
    case 0xFC02:
    case 0xFC03:
      return set(F64, 0, I32);
    case 0xFC04:
    case 0xFC05:
      return set(F32, 0, I64);
    case 0xFC06:
    case 0xFC07:
      return set(F64, 0, I64);
    default:
      return false;
  }
}

// Natural alignment (log2 of the access size) of loads and stores.
bool memory_access(uint8_t op, uint32_t& natural_log2, uint8_t& type, bool& is_store) {
  struct Access {
    uint8_t op = 0, log2 = 0, type = 0;
    bool store;
  };
  static constexpr Access kAccesses[] = {
      {0x28, 2, I32, false}, {0x29, 3, I64, false}, {0x2A, 2, F32, false}, {0x2B, 3, F64, false},
      {0x2C, 0, I32, false}, {0x2D, 0, I32, false}, {0x2E, 1, I32, false}, {0x2F, 1, I32, false},
      {0x30, 0, I64, false}, {0x31, 0, I64, false}, {0x32, 1, I64, false}, {0x33, 1, I64, false},
      {0x34, 2, I64, false}, {0x35, 2, I64, false}, {0x36, 2, I32, true},  {0x37, 3, I64, true},
      {0x38, 2, F32, true},  {0x39, 3, F64, true},  {0x3A, 0, I32, true},  {0x3B, 1, I32, true},
      {0x3C, 0, I64, true},  {0x3D, 1, I64, true},  {0x3E, 2, I64, true},
  };
  for (const auto& a : kAccesses) {
    if (a.op == op) {
      natural_log2 = a.log2;
      type = a.type;
      is_store = a.store;
      return true;
    }
  }
  return false;
}

}  // namespace

bool read_block_type(const ModuleInfo& module, BinaryReader& r, BlockSignature& out) {
  if (r.at_end()) return r.fail("unexpected end");
  uint8_t first = *r.position();
  out = {};
  if (first == 0x40) {
    return r.skip(1);
  }
  if (is_value_type_byte(first) || first == 0x7B) {
    r.skip(1);
    if (first == 0x7B) return r.fail("SIMD is not supported");
    out.results = single(static_cast<ValType>(first));
    out.result_count = 1;
    return true;
  }
  int64_t index = 0;
  if (!r.s33(index)) return false;
  if (index < 0) return r.fail("malformed value type");
  if (static_cast<uint64_t>(index) >= module.types.size()) return r.fail("unknown type");
  const FuncType& t = module.types[static_cast<size_t>(index)];
  out.params = t.params.data();
  out.param_count = static_cast<uint32_t>(t.params.size());
  out.results = t.results.data();
  out.result_count = static_cast<uint32_t>(t.results.size());
  return true;
}

namespace {

enum class FrameKind : uint8_t { Function, Block, Loop, If, Else };

struct Frame {
  FrameKind kind;
  BlockSignature sig;
  size_t height = 0;
  bool unreachable;
};

// The validation state of one body: value and control stacks.
class BodyValidator {
 public:
  BodyValidator(const ModuleInfo& m, uint32_t func_index, const std::vector<ValType>& locals,
                BinaryReader& r)
      : m_(m), func_type_(m.func_type(func_index)), locals_(locals), r_(r) {}

  bool run();

 private:
  bool fail(const std::string& msg) { return r_.fail_at(op_offset_, msg); }
  bool mismatch() { return fail("type mismatch"); }

  void push(uint8_t t) { vals_.push_back(t); }
  void push(ValType t) { vals_.push_back(uint8_t(t)); }

  // Pops any value; kUnknown when the frame is unreachable and empty.
  bool pop(uint8_t& out) {
    Frame& f = ctrls_.back();
    if (vals_.size() == f.height) {
      if (f.unreachable) {
        out = kUnknown;
        return true;
      }
      return mismatch();
    }
    out = vals_.back();
    vals_.pop_back();
    return true;
  }
  bool pop_expect(uint8_t expected) {
    uint8_t actual = 0;
    if (!pop(actual)) return false;
    if (actual != expected && actual != kUnknown && expected != kUnknown) return mismatch();
    return true;
  }
  bool pop_expect(ValType t) { return pop_expect(uint8_t(t)); }
  bool pop_types(const ValType* types, uint32_t n) {
    for (uint32_t i = n; i-- > 0;) {
      if (!pop_expect(types[i])) return false;
    }
    return true;
  }
  void push_types(const ValType* types, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) push(types[i]);
  }

  void push_ctrl(FrameKind kind, const BlockSignature& sig) {
    ctrls_.push_back({kind, sig, vals_.size(), false});
    push_types(sig.params, sig.param_count);
  }
  bool pop_ctrl(Frame& out) {
    if (ctrls_.empty()) return fail("unexpected end");
    Frame& f = ctrls_.back();
    if (!pop_types(f.sig.results, f.sig.result_count)) return false;
    if (vals_.size() != f.height) return mismatch();
    out = f;
    ctrls_.pop_back();
    return true;
  }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }

  // Types a branch to `label` carries.
  static void label_types(const Frame& f, const ValType*& types, uint32_t& n) {
    if (f.kind == FrameKind::Loop) {
      types = f.sig.params;
      n = f.sig.param_count;
    } else {
      types = f.sig.results;
      n = f.sig.result_count;
    }
  }
  bool label(uint32_t depth, const Frame*& out) {
    if (depth >= ctrls_.size()) return fail("unknown label");
    out = &ctrls_[ctrls_.size() - 1 - depth];
    return true;
  }

  bool local_type(uint32_t index, uint8_t& out) {
    size_t params = func_type_.params.size();
    if (index < params) {
      out = uint8_t(func_type_.params[index]);
      return true;
    }
    if (index - params < locals_.size()) {
      out = uint8_t(locals_[index - params]);
      return true;
    }
    return fail("unknown local");
  }

  bool need_memory(uint32_t index = 0) {
    if (index >= m_.memories.size()) return fail("unknown memory " + std::to_string(index));
    return true;
  }
  bool need_table(uint32_t index) {
    if (index >= m_.tables.size()) return fail("unknown table " + std::to_string(index));
    return true;
  }
  bool need_elem(uint32_t index) {
    if (index >= m_.elements.size()) return fail("unknown elem segment " + std::to_string(index));
    return true;
  }
  bool need_data(uint32_t index) {
    if (!m_.data_count) {
      data_without_count_ = std::max(data_without_count_.value_or(0), index);
      return true;
    }
    if (index >= *m_.data_count) return fail("unknown data segment " + std::to_string(index));
    return true;
  }

  bool zero_byte() {
    uint8_t b = 0;
    if (!r_.u8(b)) return false;
    if (b != 0) return fail("zero byte expected");
    return true;
  }

  bool instruction(uint8_t byte);
  bool prefixed();
  bool memarg(uint8_t op);
  bool branch_table();
  bool select_typed();
  bool call(uint32_t type_index_of_callee_known, const FuncType& type);

  const ModuleInfo& m_;
  const FuncType& func_type_;
  const std::vector<ValType>& locals_;
  BinaryReader& r_;
  std::vector<uint8_t> vals_;
  std::vector<Frame> ctrls_;
  size_t op_offset_ = 0;

 public:
  std::optional<uint32_t> data_without_count_;
};

bool BodyValidator::call(uint32_t, const FuncType& type) {
  if (!pop_types(type.params.data(), static_cast<uint32_t>(type.params.size()))) return false;
  push_types(type.results.data(), static_cast<uint32_t>(type.results.size()));
  return true;
}

bool BodyValidator::memarg(uint8_t op) {
  uint32_t natural = 0, align = 0, offset = 0;
  uint8_t type = 0;
  bool is_store = false;
  memory_access(op, natural, type, is_store);
  if (!r_.u32(align) || !r_.u32(offset)) return false;
  if (align >= 32) return fail("malformed memop flags");
  if (align > natural) return fail("alignment must not be larger than natural");
  if (!need_memory()) return false;
  if (is_store) return pop_expect(type) && pop_expect(ValType::I32);
  if (!pop_expect(ValType::I32)) return false;
  push(type);
  return true;
}

bool BodyValidator::branch_table() {
  uint32_t count = 0;
  if (!r_.count(count)) return false;
  std::vector<uint32_t> depths(count);
  for (auto& d : depths) {
    if (!r_.u32(d)) return false;
  }
  uint32_t default_depth = 0;
  if (!r_.u32(default_depth)) return false;
  if (!pop_expect(ValType::I32)) return false;
  const Frame* def = nullptr;
  if (!label(default_depth, def)) return false;
  const ValType* def_types;
  uint32_t arity = 0;
  label_types(*def, def_types, arity);
  for (uint32_t d : depths) {
    const Frame* f = nullptr;
    if (!label(d, f)) return false;
    const ValType* types;
    uint32_t n = 0;
    label_types(*f, types, n);
    if (n != arity) return mismatch();
    // Check the operands against this label without consuming them.
    Frame& top = ctrls_.back();
    for (uint32_t i = 0; i < n; ++i) {
      size_t depth_in_stack = n - i;
      if (vals_.size() - top.height < depth_in_stack) {
        if (!top.unreachable) return mismatch();
        continue;
      }
      uint8_t actual = vals_[vals_.size() - depth_in_stack];
      if (actual != kUnknown && actual != uint8_t(types[i])) return mismatch();
    }
  }
  if (!pop_types(def_types, arity)) return false;
  set_unreachable();
  return true;
}

bool BodyValidator::select_typed() {
  uint32_t n = 0;
  if (!r_.u32(n)) return false;
  if (n != 1) return fail("invalid result arity");
  uint8_t t = 0;
  if (!r_.u8(t)) return false;
  if (!is_value_type_byte(t)) return fail("malformed value type");
  if (!pop_expect(ValType::I32) || !pop_expect(t) || !pop_expect(t)) return false;
  push(t);
  return true;
}

bool BodyValidator::prefixed() {
  uint32_t sub = 0;
  if (!r_.u32(sub)) return false;
  uint16_t op = static_cast<uint16_t>(0xFC00 | (sub & 0xFF));
  if (sub > 0xFF) return fail("illegal opcode");
  NumericSig sig;
  if (sub <= 7 && numeric_signature(op, sig)) {
    if (!pop_expect(sig.a)) return false;
    push(sig.result);
    return true;
  }
  uint32_t a = 0, b = 0;
  switch (static_cast<Op>(op)) {
    case Op::MemoryInit:
      if (!r_.u32(a) || !zero_byte()) return false;
      if (!need_memory() || !need_data(a)) return false;
      return pop_expect(ValType::I32) && pop_expect(ValType::I32) && pop_expect(ValType::I32);
    case Op::DataDrop:
      return r_.u32(a) && need_data(a);
    case Op::MemoryCopy:
      if (!zero_byte() || !zero_byte() || !need_memory()) return false;
      return pop_expect(ValType::I32) && pop_expect(ValType::I32) && pop_expect(ValType::I32);
    case Op::MemoryFill:
      if (!zero_byte() || !need_memory()) return false;
      return pop_expect(ValType::I32) && pop_expect(ValType::I32) && pop_expect(ValType::I32);
    case Op::TableInit:
      if (!r_.u32(a) || !r_.u32(b)) return false;
      if (!need_elem(a) || !need_table(b)) return false;
      if (m_.elements[a].type != m_.tables[b].element) return mismatch();
      return pop_expect(ValType::I32) && pop_expect(ValType::I32) && pop_expect(ValType::I32);
    case Op::ElemDrop:
      return r_.u32(a) && need_elem(a);
    case Op::TableCopy:
      if (!r_.u32(a) || !r_.u32(b)) return false;
      if (!need_table(a) || !need_table(b)) return false;
      if (m_.tables[a].element != m_.tables[b].element) return mismatch();
      return pop_expect(ValType::I32) && pop_expect(ValType::I32) && pop_expect(ValType::I32);
    case Op::TableGrow:
      if (!r_.u32(a) || !need_table(a)) return false;
      if (!pop_expect(ValType::I32) || !pop_expect(m_.tables[a].element)) return false;
      push(ValType::I32);
      return true;
    case Op::TableSize:
      if (!r_.u32(a) || !need_table(a)) return false;
      push(ValType::I32);
      return true;
    case Op::TableFill:
      if (!r_.u32(a) || !need_table(a)) return false;
      return pop_expect(ValType::I32) && pop_expect(m_.tables[a].element) &&
             pop_expect(ValType::I32);
    default:
      return fail("illegal opcode");
  }
}

bool BodyValidator::instruction(uint8_t byte) {
  NumericSig sig;
  if (byte >= 0x45 && byte <= 0xC4 && numeric_signature(byte, sig)) {
    if (sig.b && !pop_expect(sig.b)) return false;
    if (!pop_expect(sig.a)) return false;
    push(sig.result);
    return true;
  }
  if (byte >= 0x28 && byte <= 0x3E) return memarg(byte);

  uint32_t a = 0, b = 0;
  uint8_t t = 0;
  switch (static_cast<Op>(byte)) {
    case Op::Unreachable:
      set_unreachable();
      return true;
    case Op::Nop:
      return true;
    case Op::Block:
    case Op::Loop: {
      BlockSignature bs;
      if (!read_block_type(m_, r_, bs)) return false;
      if (!pop_types(bs.params, bs.param_count)) return false;
      push_ctrl(byte == 0x02 ? FrameKind::Block : FrameKind::Loop, bs);
      return true;
    }
    case Op::If: {
      BlockSignature bs;
      if (!read_block_type(m_, r_, bs)) return false;
      if (!pop_expect(ValType::I32) || !pop_types(bs.params, bs.param_count)) return false;
      push_ctrl(FrameKind::If, bs);
      return true;
    }
    case Op::Else: {
      if (ctrls_.back().kind != FrameKind::If) return fail("else without if");
      Frame f{};
      if (!pop_ctrl(f)) return false;
      push_ctrl(FrameKind::Else, f.sig);
      return true;
    }
    case Op::End: {
      Frame f{};
      if (!pop_ctrl(f)) return false;
      // An `if` without `else` must leave what it received: params == results.
      if (f.kind == FrameKind::If) {
        if (f.sig.param_count != f.sig.result_count) return mismatch();
        for (uint32_t i = 0; i < f.sig.param_count; ++i) {
          if (f.sig.params[i] != f.sig.results[i]) return mismatch();
        }
      }
      push_types(f.sig.results, f.sig.result_count);
      return true;
    }
    case Op::Br: {
      const Frame* f = nullptr;
      if (!r_.u32(a) || !label(a, f)) return false;
      const ValType* types;
      uint32_t n = 0;
      label_types(*f, types, n);
      if (!pop_types(types, n)) return false;
      set_unreachable();
      return true;
    }
    case Op::BrIf: {
      const Frame* f = nullptr;
      if (!r_.u32(a) || !label(a, f)) return false;
      if (!pop_expect(ValType::I32)) return false;
      const ValType* types;
      uint32_t n = 0;
      label_types(*f, types, n);
      if (!pop_types(types, n)) return false;
      push_types(types, n);
      return true;
    }
    case Op::BrTable:
      return branch_table();
    case Op::Return:
      if (!pop_types(func_type_.results.data(), uint32_t(func_type_.results.size()))) return false;
      set_unreachable();
      return true;
    case Op::Call:
      if (!r_.u32(a)) return false;
      if (a >= m_.func_types.size()) return fail("unknown function " + std::to_string(a));
      return call(a, m_.func_type(a));
    case Op::CallIndirect:
      if (!r_.u32(a) || !r_.u32(b)) return false;
      if (a >= m_.types.size()) return fail("unknown type");
      if (!need_table(b)) return false;
      if (m_.tables[b].element != ValType::FuncRef) return mismatch();
      if (!pop_expect(ValType::I32)) return false;
      return call(a, m_.types[a]);
    case Op::Drop:
      return pop(t);
    case Op::Select: {
      uint8_t t1 = 0, t2 = 0;
      if (!pop_expect(ValType::I32) || !pop(t1) || !pop(t2)) return false;
      if (is_ref_byte(t1) || is_ref_byte(t2)) return mismatch();
      if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) return mismatch();
      push(t1 == kUnknown ? t2 : t1);
      return true;
    }
    case Op::SelectT:
      return select_typed();
    case Op::LocalGet:
      if (!r_.u32(a) || !local_type(a, t)) return false;
      push(t);
      return true;
    case Op::LocalSet:
      return r_.u32(a) && local_type(a, t) && pop_expect(t);
    case Op::LocalTee:
      if (!r_.u32(a) || !local_type(a, t) || !pop_expect(t)) return false;
      push(t);
      return true;
    case Op::GlobalGet:
      if (!r_.u32(a)) return false;
      if (a >= m_.globals.size()) return fail("unknown global " + std::to_string(a));
      push(m_.globals[a].type);
      return true;
    case Op::GlobalSet:
      if (!r_.u32(a)) return false;
      if (a >= m_.globals.size()) return fail("unknown global " + std::to_string(a));
      if (!m_.globals[a].is_mutable) return fail("global is immutable");
      return pop_expect(m_.globals[a].type);
    case Op::TableGet:
      if (!r_.u32(a) || !need_table(a) || !pop_expect(ValType::I32)) return false;
      push(m_.tables[a].element);
      return true;
    case Op::TableSet:
      if (!r_.u32(a) || !need_table(a)) return false;
      return pop_expect(m_.tables[a].element) && pop_expect(ValType::I32);
    case Op::MemorySize:
      if (!zero_byte() || !need_memory()) return false;
      push(ValType::I32);
      return true;
    case Op::MemoryGrow:
      if (!zero_byte() || !need_memory() || !pop_expect(ValType::I32)) return false;
      push(ValType::I32);
      return true;
    case Op::I32Const: {
      int32_t v = 0;
      if (!r_.s32(v)) return false;
      push(ValType::I32);
      return true;
    }
    case Op::I64Const: {
      int64_t v = 0;
      if (!r_.s64(v)) return false;
      push(ValType::I64);
      return true;
    }
    case Op::F32Const: {
      uint32_t v = 0;
      if (!r_.f32_bits(v)) return false;
      push(ValType::F32);
      return true;
    }
    case Op::F64Const: {
      uint64_t v = 0;
      if (!r_.f64_bits(v)) return false;
      push(ValType::F64);
      return true;
    }
    case Op::RefNull:
      if (!r_.u8(t)) return false;
      if (!is_ref_byte(t)) return fail("malformed reference type");
      push(t);
      return true;
    case Op::RefIsNull: {
      uint8_t v = 0;
      if (!pop(v)) return false;
      if (v != kUnknown && !is_ref_byte(v)) return mismatch();
      push(ValType::I32);
      return true;
    }
    case Op::RefFunc:
      if (!r_.u32(a)) return false;
      if (a >= m_.func_types.size()) return fail("unknown function " + std::to_string(a));
      if (!m_.declared_refs[a]) return fail("undeclared function reference");
      push(ValType::FuncRef);
      return true;
    default:
      if (byte == kPrefixFC) return prefixed();
      if (byte == 0xFD) return fail("SIMD is not supported");
      return fail("illegal opcode");
  }
}

bool BodyValidator::run() {
  BlockSignature fn;
  fn.results = func_type_.results.data();
  fn.result_count = static_cast<uint32_t>(func_type_.results.size());
  ctrls_.push_back({FrameKind::Function, fn, 0, false});
  while (!ctrls_.empty()) {
    op_offset_ = r_.offset();
    uint8_t byte = 0;
    if (!r_.u8(byte)) return r_.fail("unexpected end of section or function");
    if (!instruction(byte)) return false;
  }
  if (!r_.at_end()) return r_.fail("section size mismatch");
  return true;
}

}  // namespace

bool FunctionValidator::validate(uint32_t func_index, const std::vector<ValType>& locals,
                                 BinaryReader& reader) {
  BodyValidator body(module_, func_index, locals, reader);
  bool ok = body.run();
  data_index_without_count_ = body.data_without_count_;
  return ok;
}

}  // namespace wasmdapr::wasm
