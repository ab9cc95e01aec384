#pragma once
// Decoding and validation of the WebAssembly binary format, in one pass.
//
// Contract: decode_module() accepts any byte sequence. It either returns a ModuleInfo that is
// valid by every rule of the core specification for the supported feature set (MVP,
// mutable-global import/export, sign extension, non-trapping float-to-int, multi-value, bulk
// memory, reference types), or a CompileError naming the section, the byte offset and the rule.
// It never crashes, never reads out of bounds and has no undefined behaviour on any input
// (it is a fuzz target). Function bodies are validated here too, with the operand-stack
// algorithm of the spec's appendix.

#include <cstdint>
#include <span>
#include <string>

#include "wasm/module_info.h"
#include "base/result.h"

namespace wasmdapr::wasm {

struct CompileError {
  enum class Kind : uint8_t { Malformed, Invalid };  // binary-format vs validation failure
  Kind kind = Kind::Malformed;
  std::string section;  // "type", "import", "code", ... or "module" for the header
  size_t offset = 0;    // byte offset in the module where the problem was found
  std::string message;  // the rule, worded like the spec test suite's messages where one exists
  std::string to_string() const;  // "invalid module: code section at 0x1f: type mismatch"
};

Result<ModuleInfo, CompileError> decode_module(std::span<const uint8_t> bytes);

}  // namespace wasmdapr::wasm
