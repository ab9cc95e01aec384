#pragma once
// Internal: the interpreter's code, produced once per module by the compiler.
//
// A function's code is an array of 64-bit words. Each instruction starts with the address of
// its handler (dispatch is `goto *word`), followed by operand words. Operands name frame slots
// (16-bit indices into the function's frame of 64-bit slots: parameters, then declared
// locals, then the operand-stack temporaries, whose positions are fixed at compile time), or
// carry immediates. Operand word layout: slot fields at bits 0, 16, 32, 48; a 32-bit
// immediate or branch offset lives in the high half (bits 32..63). Branch offsets are in
// words, relative to the start of the branching instruction.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "wasm/module_info.h"

namespace wasmdapr::wasm {

// Every internal instruction. The interpreter defines one handler per name; the compiler
// emits them. Operands, in order of the operand words (d = destination slot):
// clang-format off
#define WASMDAPR_INTERNAL_OPS(X) \
  /* control: br [off]; br_if/br_unless [cond|off]; br_table [idx|count] [off]...; call [base] */ \
  /* [fn]; call_import [base|-|idx]; call_indirect [base|elem|-|table] [type<<32]; copy [d|a]; */ \
  /* copy2 [d|a|d2|a2]; const32 [d|-|imm]; const64 [d] [imm]; select [d|a|b|cond] */ \
  X(unreachable) X(br) X(br_if) X(br_unless) X(br_table) X(return_) X(call) X(call_import) \
  X(call_indirect) X(copy) X(copy2) X(const32) X(const64) X(select) \
  /* fused compare and branch: [a|b|off], and [a|-|off] [imm] */ \
  X(br_eq_i32) X(br_ne_i32) X(br_lt_s_i32) X(br_lt_u_i32) X(br_gt_s_i32) X(br_gt_u_i32) \
  X(br_le_s_i32) X(br_le_u_i32) X(br_ge_s_i32) X(br_ge_u_i32) X(br_eq_i32_imm) X(br_ne_i32_imm) \
  X(br_lt_s_i32_imm) X(br_lt_u_i32_imm) X(br_gt_s_i32_imm) X(br_gt_u_i32_imm) \
  X(br_le_s_i32_imm) X(br_le_u_i32_imm) X(br_ge_s_i32_imm) X(br_ge_u_i32_imm) \
  /* globals: get [d|-|idx], set [a|-|idx] */ \
  X(global_get) X(global_set) \
  /* memory: load [d|addr|offset], store [value|addr|offset]; size [d]; grow [d|a]; copy */ \
  /* [dst|src|n]; fill [dst|val|n]; init [dst|src|n] [seg]; data_drop [-|-|seg] */ \
  X(i32_load) X(i64_load) X(f32_load) X(f64_load) X(i32_load8_s) X(i32_load8_u) X(i32_load16_s) \
  X(i32_load16_u) X(i64_load8_s) X(i64_load8_u) X(i64_load16_s) X(i64_load16_u) X(i64_load32_s) \
  X(i64_load32_u) X(i32_store) X(i64_store) X(f32_store) X(f64_store) X(i32_store8) \
  X(i32_store16) X(i64_store8) X(i64_store16) X(i64_store32) X(memory_size) X(memory_grow) \
  X(memory_copy) X(memory_fill) X(memory_init) X(data_drop) \
  /* address a + b fused in: load [d|a|b] [offset], store [value|a|b] [offset] */ \
  X(i32_load_add) X(i64_load_add) X(f32_load_add) X(f64_load_add) X(i32_load8_s_add) \
  X(i32_load8_u_add) X(i32_load16_s_add) X(i32_load16_u_add) X(i64_load8_s_add) \
  X(i64_load8_u_add) X(i64_load16_s_add) X(i64_load16_u_add) X(i64_load32_s_add) \
  X(i64_load32_u_add) X(i32_store_add) X(i64_store_add) X(f32_store_add) X(f64_store_add) \
  X(i32_store8_add) X(i32_store16_add) X(i64_store8_add) X(i64_store16_add) X(i64_store32_add) \
  /* address a + imm fused in (32-bit wrap kept): load [d|a], store [value|a], then */ \
  /* [offset|imm<<32] */ \
  X(i32_load_addi) X(i64_load_addi) X(f32_load_addi) X(f64_load_addi) X(i32_load8_s_addi) \
  X(i32_load8_u_addi) X(i32_load16_s_addi) X(i32_load16_u_addi) X(i64_load8_s_addi) \
  X(i64_load8_u_addi) X(i64_load16_s_addi) X(i64_load16_u_addi) X(i64_load32_s_addi) \
  X(i64_load32_u_addi) X(i32_store_addi) X(i64_store_addi) X(f32_store_addi) X(f64_store_addi) \
  X(i32_store8_addi) X(i32_store16_addi) X(i64_store8_addi) X(i64_store16_addi) \
  X(i64_store32_addi) \
  /* tables: get [d|i|t]; set [i|v|t]; size [d|-|t]; grow [d|init|n] [t]; fill [i|v|n] [t]; */ \
  /* copy [dst|src|n] [dt|st<<32]; init [dst|src|n] [seg|t<<32]; elem_drop [-|-|seg]; ref_func */ \
  /* [d|-|func]; ref_is_null [d|a] */ \
  X(table_get) X(table_set) X(table_size) X(table_grow) X(table_fill) X(table_copy) \
  X(table_init) X(elem_drop) X(ref_func) X(ref_is_null) \
  /* numeric: binary [d|a|b], unary [d|a], with an immediate [d|a|imm] */ \
  X(i32_eqz) X(i32_eq) X(i32_ne) X(i32_lt_s) X(i32_lt_u) X(i32_gt_s) X(i32_gt_u) X(i32_le_s) \
  X(i32_le_u) X(i32_ge_s) X(i32_ge_u) X(i32_clz) X(i32_ctz) X(i32_popcnt) X(i32_add) X(i32_sub) \
  X(i32_mul) X(i32_div_s) X(i32_div_u) X(i32_rem_s) X(i32_rem_u) X(i32_and) X(i32_or) \
  X(i32_xor) X(i32_shl) X(i32_shr_s) X(i32_shr_u) X(i32_rotl) X(i32_rotr) X(i32_eq_imm) \
  X(i32_ne_imm) X(i32_lt_s_imm) X(i32_lt_u_imm) X(i32_gt_s_imm) X(i32_gt_u_imm) X(i32_le_s_imm) \
  X(i32_le_u_imm) X(i32_ge_s_imm) X(i32_ge_u_imm) X(i32_add_imm) X(i32_sub_imm) X(i32_mul_imm) \
  X(i32_and_imm) X(i32_or_imm) X(i32_xor_imm) X(i32_shl_imm) X(i32_shr_s_imm) X(i32_shr_u_imm) \
  X(i32_rotl_imm) X(i32_rotr_imm) X(i64_eqz) X(i64_eq) X(i64_ne) X(i64_lt_s) X(i64_lt_u) \
  X(i64_gt_s) X(i64_gt_u) X(i64_le_s) X(i64_le_u) X(i64_ge_s) X(i64_ge_u) X(i64_clz) X(i64_ctz) \
  X(i64_popcnt) X(i64_add) X(i64_sub) X(i64_mul) X(i64_div_s) X(i64_div_u) X(i64_rem_s) \
  X(i64_rem_u) X(i64_and) X(i64_or) X(i64_xor) X(i64_shl) X(i64_shr_s) X(i64_shr_u) X(i64_rotl) \
  X(i64_rotr) X(i64_add_imm) X(i64_sub_imm) X(i64_mul_imm) X(i64_and_imm) X(i64_or_imm) \
  X(i64_xor_imm) X(i64_shl_imm) X(i64_shr_s_imm) X(i64_shr_u_imm) X(i64_eq_imm) X(i64_ne_imm) \
  X(i64_lt_s_imm) X(i64_lt_u_imm) X(i64_gt_s_imm) X(i64_gt_u_imm) X(i64_le_s_imm) \
  X(i64_le_u_imm) X(i64_ge_s_imm) X(i64_ge_u_imm) X(f32_eq) X(f32_ne) X(f32_lt) X(f32_gt) \
  X(f32_le) X(f32_ge) X(f64_eq) X(f64_ne) X(f64_lt) X(f64_gt) X(f64_le) X(f64_ge) X(f32_abs) \
  X(f32_neg) X(f32_ceil) X(f32_floor) X(f32_trunc) X(f32_nearest) X(f32_sqrt) X(f32_add) \
  X(f32_sub) X(f32_mul) X(f32_div) X(f32_min) X(f32_max) X(f32_copysign) X(f64_abs) X(f64_neg) \
  X(f64_ceil) X(f64_floor) X(f64_trunc) X(f64_nearest) X(f64_sqrt) X(f64_add) X(f64_sub) \
  X(f64_mul) X(f64_div) X(f64_min) X(f64_max) X(f64_copysign) X(i32_wrap_i64) \
  X(i32_trunc_f32_s) X(i32_trunc_f32_u) X(i32_trunc_f64_s) X(i32_trunc_f64_u) \
  X(i64_extend_i32_s) X(i64_extend_i32_u) X(i64_trunc_f32_s) X(i64_trunc_f32_u) \
  X(i64_trunc_f64_s) X(i64_trunc_f64_u) X(f32_convert_i32_s) X(f32_convert_i32_u) \
  X(f32_convert_i64_s) X(f32_convert_i64_u) X(f32_demote_f64) X(f64_convert_i32_s) \
  X(f64_convert_i32_u) X(f64_convert_i64_s) X(f64_convert_i64_u) X(f64_promote_f32) \
  X(i32_extend8_s) X(i32_extend16_s) X(i64_extend8_s) X(i64_extend16_s) X(i64_extend32_s) \
  X(i32_trunc_sat_f32_s) X(i32_trunc_sat_f32_u) X(i32_trunc_sat_f64_s) X(i32_trunc_sat_f64_u) \
  X(i64_trunc_sat_f32_s) X(i64_trunc_sat_f32_u) X(i64_trunc_sat_f64_s) X(i64_trunc_sat_f64_u)
// clang-format on

enum class Iop : uint16_t {
#define WASMDAPR_ENUM(name) name,
  WASMDAPR_INTERNAL_OPS(WASMDAPR_ENUM)
#undef WASMDAPR_ENUM
      count
};

// Handler addresses, indexed by Iop; provided by the interpreter.
const void* const* interpreter_handlers();

struct CompiledFunction {
  std::vector<uint64_t> code;
  uint32_t func_index = 0;  // in the module's function index space
  uint32_t param_count = 0;
  uint32_t result_count = 0;
  uint32_t local_count = 0;  // declared locals, zeroed on entry
  uint32_t frame_slots = 0;  // params + locals + deepest operand stack
  // (code word index, module byte offset) of each instruction, ascending: maps a trapping
  // instruction back to the wasm instruction it came from.
  std::vector<std::pair<uint32_t, uint32_t>> source_offsets;

  uint32_t source_offset(const uint64_t* pc) const;
};

struct CompiledModule {
  std::vector<CompiledFunction> functions;  // defined functions, in order; never resized
};

}  // namespace wasmdapr::wasm
