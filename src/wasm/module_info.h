#pragma once
// ModuleInfo: everything the binary format says about a module, decoded and fully
// validated in one pass by decode_module() (decoder.h). It is immutable afterwards and is
// the input of the compiler and of instantiation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wasm/types.h"

namespace wasmdapr::wasm {

// A constant expression as the validator accepts it: exactly one producing instruction
// followed by `end` (MVP + reference types; extended-const is not supported).
struct ConstExpr {
  enum class Kind : uint8_t { I32Const, I64Const, F32Const, F64Const, GlobalGet, RefNull, RefFunc };
  Kind kind = Kind::I32Const;
  uint64_t bits = 0;            // the constant's bit pattern (i32/f32 zero-extended)
  uint32_t index = 0;           // global index for GlobalGet, function index for RefFunc
  ValType type = ValType::I32;  // the expression's result type
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func: index into ModuleInfo::types
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // into the kind's index space (imports first)
};

struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElementSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;  // Active only (i32)
  ValType type = ValType::FuncRef;
  std::vector<ConstExpr> items;  // each RefFunc, RefNull or GlobalGet
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;         // Active only (i32)
  size_t bytes_offset = 0;  // the segment's bytes: ModuleInfo::bytes[bytes_offset, +size)
  uint32_t size = 0;
};

// A run of locals of one type, as the binary format groups them.
struct LocalRun {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  std::vector<LocalRun> locals;  // declared locals (parameters excluded)
  uint32_t local_count = 0;      // total declared locals (sum of runs)
  size_t code_offset = 0;        // first instruction: ModuleInfo::bytes[code_offset, code_end)
  size_t code_end = 0;           // one past the function's final `end`
};

struct ModuleInfo {
  std::vector<uint8_t> bytes;  // the module's binary, owned: offsets above index into it

  std::vector<FuncType> types;
  std::vector<Import> imports;
  // Index spaces in the order of the spec: imported entities first.
  uint32_t imported_funcs = 0, imported_tables = 0, imported_memories = 0, imported_globals = 0;
  std::vector<uint32_t> func_types;    // type index of every function (imports first)
  std::vector<TableType> tables;       // every table (imports first)
  std::vector<MemoryType> memories;    // every memory (imports first)
  std::vector<GlobalType> globals;     // every global (imports first)
  std::vector<GlobalDef> global_defs;  // defined globals only: globals[imported_globals + i]
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElementSegment> elements;
  std::vector<DataSegment> data;
  std::optional<uint32_t> data_count;
  std::vector<FunctionBody> bodies;  // defined functions only: func index imported_funcs + i
  // Functions that may be referenced by ref.func (declared in elements, exports or globals).
  std::vector<bool> declared_refs;  // indexed by function index
  // From the "name" custom section, when present and well formed; empty strings otherwise.
  std::string module_name;
  std::vector<std::string> function_names;  // indexed by function index (may be shorter)

  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  uint32_t defined_funcs() const { return static_cast<uint32_t>(bodies.size()); }
};

}  // namespace wasmdapr::wasm
