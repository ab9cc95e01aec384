#pragma once
// A temporary directory of a test's own: created empty and unique (mkdtemp under the system's
// temporary directory), removed with everything in it by the destructor.
//
//   ScratchDir scratch("localstorage");
//   auto root = scratch.path() / "root";

#include <filesystem>
#include <string>

namespace wasmdapr::testing {

class ScratchDir {
 public:
  // `prefix` names the directory ("wasmdapr-<prefix>-XXXXXX"); path() is empty if it failed.
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wasmdapr::testing
