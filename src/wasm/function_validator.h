#pragma once
// Validation of one function body with the operand-stack algorithm of the specification's
// appendix (value stack with an unknown type, control stack with an unreachable flag).

#include <optional>
#include <vector>

#include "wasm/binary_reader.h"
#include "wasm/module_info.h"

namespace wasmdapr::wasm {

class FunctionValidator {
 public:
  explicit FunctionValidator(const ModuleInfo& module) : module_(module) {}

  // Validates the body of function `func_index`, whose instructions `reader` holds (from the
  // first instruction to the final `end`, inclusive). On failure the reader holds the error.
  bool validate(uint32_t func_index, const std::vector<ValType>& locals, BinaryReader& reader);

  // The largest data segment index used by memory.init/data.drop when the module has no
  // datacount section; whether that is malformed or invalid is only known at the module's end.
  std::optional<uint32_t> data_index_without_count() const { return data_index_without_count_; }

 private:
  const ModuleInfo& module_;
  std::optional<uint32_t> data_index_without_count_;
};

// Block types resolved to parameter and result lists (shared with the compiler).
struct BlockSignature {
  const ValType* params = nullptr;
  uint32_t param_count = 0;
  const ValType* results = nullptr;
  uint32_t result_count = 0;
};

// Reads a block type (empty, one value type, or a type index); false on a malformed or
// unknown type.
bool read_block_type(const ModuleInfo& module, BinaryReader& reader, BlockSignature& out);

}  // namespace wasmdapr::wasm
