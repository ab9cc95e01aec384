#include <cstdio>

#include "runtime/run.h"

namespace wasmdapr::runtime {

int run_sidecar_only(const RunOptions&) {
  std::fprintf(stderr, "error: no module given, and the built-in sidecar is not available yet\n");
  return 2;
}

}  // namespace wasmdapr::runtime
