#pragma once
// Internal: translation of validated function bodies into the interpreter's internal code.
// CompiledFunction/CompiledModule are defined in compiled_code.h, which only the compiler,
// the interpreter and module.cpp (to destroy them) include.

#include <memory>

#include "wasm/decoder.h"
#include "wasm/module_info.h"
#include "base/result.h"

namespace wasmdapr::wasm {

struct CompiledFunction;
struct CompiledModule;

// Precondition: `info` came from decode_module() (so it is valid). Errors are only
// implementation limits (e.g. a function with too many locals for the frame encoding).
Result<std::unique_ptr<CompiledModule>, CompileError> compile_module(const ModuleInfo& info);

// The internal code of defined function `defined_index` (function index - imported_funcs).
const CompiledFunction* compiled_function(const CompiledModule& code, uint32_t defined_index);

}  // namespace wasmdapr::wasm
