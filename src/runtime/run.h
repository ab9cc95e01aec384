#pragma once
// `wasmdapr run`: wires an app together and returns the process exit status.

#include "runtime/run_options.h"

namespace wasmdapr::runtime {

// Dispatches: a module path runs the module; none runs the sidecar alone until stopped.
int run(const RunOptions& options);

// Runs a module (its start section, `_start`, or `--invoke NAME`). Exit status: the guest's
// proc_exit code, 0 on a normal return, 1 (with the trap printed to stderr) on a trap, 2 on a
// load/link error.
int run_module(const RunOptions& options);

// Serves the Dapr HTTP API with no app until SIGINT/SIGTERM or POST /v1.0/shutdown.
int run_sidecar_only(const RunOptions& options);

}  // namespace wasmdapr::runtime
