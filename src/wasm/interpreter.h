#pragma once
// Internal: runs a function (wasm or host) on a Store's execution state.

#include "base/result.h"
#include "wasm/store.h"
#include "wasm/trap.h"
#include "wasm/value.h"

namespace wasmdapr::wasm {

// Calls `func` with its parameters in args_results[0..params) and leaves its results in
// args_results[0..results). The caller has checked the types. `limits` apply when this is the
// outermost call on the store (nested calls from host functions inherit the outer limits).
// Re-entrant: a host function may call back into wasm on the same store.
Result<void, Trap> invoke(Store& store, Function& func, RawValue* args_results,
                          const CallLimits& limits);

}  // namespace wasmdapr::wasm
