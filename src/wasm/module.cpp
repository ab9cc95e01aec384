#include "wasm/module.h"

#include "wasm/compiled_code.h"
#include "wasm/compiler.h"
#include "wasm/store.h"

namespace wasmdapr::wasm {

Module::Module(ModuleInfo info, std::unique_ptr<CompiledModule> code)
    : info_(std::move(info)), code_(std::move(code)) {
  type_ids_.reserve(info_.types.size());
  for (const auto& t : info_.types) type_ids_.push_back(canonical_type_id(t));
}

Module::~Module() = default;

Result<std::shared_ptr<const Module>, CompileError> Module::compile(
    const Engine&, std::span<const uint8_t> bytes) {
  auto info = decode_module(bytes);
  if (!info) return unexpected(std::move(info).error());
  auto code = compile_module(*info);
  if (!code) return unexpected(std::move(code).error());
  return std::make_shared<const Module>(std::move(*info), std::move(*code));
}

}  // namespace wasmdapr::wasm
