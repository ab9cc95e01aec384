#include "support/scratch_dir.h"

#include <stdlib.h>

namespace wasmdapr::testing {

ScratchDir::ScratchDir(const std::string& prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("wasmdapr-" + prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data())) path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

}  // namespace wasmdapr::testing
