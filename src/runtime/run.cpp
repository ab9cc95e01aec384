#include "runtime/run.h"

namespace wasmdapr::runtime {

int run(const RunOptions& options) {
  return options.module_path.empty() ? run_sidecar_only(options) : run_module(options);
}

}  // namespace wasmdapr::runtime
