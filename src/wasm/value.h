#pragma once
// Values as the engine moves them. Inside the interpreter every operand is one untyped 64-bit
// slot (RawValue); at the embedding API values carry their type (Value).

#include <bit>
#include <cstdint>
#include <string>

#include "wasm/types.h"

namespace wasmdapr::wasm {

// One operand slot: i32 zero-extended, i64, f32/f64 bit patterns, references as pointer bits.
// A null reference is 0. A funcref is the address of a Function; an externref is whatever
// non-zero word the host chose.
using RawValue = uint64_t;

struct Function;

struct Value {
  ValType type = ValType::I32;
  RawValue bits = 0;

  static Value i32(int32_t v) { return {ValType::I32, static_cast<uint32_t>(v)}; }
  static Value i64(int64_t v) { return {ValType::I64, static_cast<uint64_t>(v)}; }
  static Value f32(float v) { return {ValType::F32, std::bit_cast<uint32_t>(v)}; }
  static Value f64(double v) { return {ValType::F64, std::bit_cast<uint64_t>(v)}; }
  static Value f32_bits(uint32_t b) { return {ValType::F32, b}; }
  static Value f64_bits(uint64_t b) { return {ValType::F64, b}; }
  static Value funcref(const Function* f) {
    return {ValType::FuncRef, reinterpret_cast<uintptr_t>(f)};
  }
  static Value externref(uintptr_t word) { return {ValType::ExternRef, word}; }
  static Value null_ref(ValType t) { return {t, 0}; }

  int32_t as_i32() const { return static_cast<int32_t>(static_cast<uint32_t>(bits)); }
  int64_t as_i64() const { return static_cast<int64_t>(bits); }
  float as_f32() const { return std::bit_cast<float>(static_cast<uint32_t>(bits)); }
  double as_f64() const { return std::bit_cast<double>(bits); }
  bool is_null() const { return bits == 0; }
  Function* as_funcref() const { return reinterpret_cast<Function*>(static_cast<uintptr_t>(bits)); }

  bool operator==(const Value&) const = default;  // bitwise: NaN payloads compare exactly
};

std::string to_string(const Value& v);  // "i32:42", "f64:nan:0x8000000000000", "funcref:null"

}  // namespace wasmdapr::wasm
