#pragma once
// The WebAssembly type vocabulary shared by the decoder, validator, compiler and runtime.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmdapr::wasm {

// Value types carry their binary encoding as their value.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,  // decoded only to be rejected: SIMD is not supported
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline bool is_ref(ValType t) {
  return t == ValType::FuncRef || t == ValType::ExternRef;
}
const char* to_string(ValType t);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string to_string(const FuncType& t);  // "(i32, i64) -> (f32)"

struct Limits {
  uint32_t min = 0;
  std::optional<uint32_t> max;
};

struct TableType {
  ValType element = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool is_mutable = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* to_string(ExternKind k);

inline constexpr uint32_t kPageSize = 65536;
inline constexpr uint32_t kMaxPages = 65536;  // 4 GiB for 32-bit memories

}  // namespace wasmdapr::wasm
