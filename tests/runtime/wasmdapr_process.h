#pragma once
// `wasmdapr run` as a child process for the runtime tests: its exit status and its output,
// and the check that a test guest passed every check of its group.

#include <string>
#include <vector>

namespace wasmdapr::testing {

struct Outcome {
  int status = -1;     // exit status, or 128 + signal
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs `<wasmdapr> run ARGS...` to completion.
Outcome run_wasmdapr(const std::string& wasmdapr, const std::vector<std::string>& args);

// The guest passed every check of `tally` ("<group>: N checks passed") and exited 0.
void expect_passed(const Outcome& outcome, const std::string& tally);

}  // namespace wasmdapr::testing
