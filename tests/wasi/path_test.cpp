// The sandbox's path resolution, both ways: openat2 with RESOLVE_BENEATH and the component
// walk used on kernels without it. The same tree, paths and flags must give the same answer
// from both (the same errno, or a descriptor on the same file), and no answer may be a
// descriptor outside the tree.
#include "wasi/path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace wasmdapr::wasi {
namespace {

namespace fs = std::filesystem;

// A scratch directory holding `outside.txt` and a tree the resolution starts from.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "wasi-path-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    std::ofstream(root_ / "outside.txt") << "secret";
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

// Files, directories and every kind of symlink: inside, through `..`, out, absolute, looping,
// dangling, with trailing slashes.
void build_tree(const fs::path& tree) {
  fs::create_directories(tree / "dir" / "sub");
  std::ofstream(tree / "file") << "file";
  std::ofstream(tree / "dir" / "inner") << "inner";
  fs::create_symlink("file", tree / "link_file");
  fs::create_symlink("dir", tree / "link_dir");
  fs::create_symlink("dir/", tree / "link_dir_slash");
  fs::create_symlink("file/", tree / "link_file_slash");
  fs::create_symlink("..", tree / "dir" / "link_parent");
  fs::create_symlink("../dir/inner", tree / "dir" / "link_deep");
  fs::create_symlink("../link_dir/sub/..", tree / "dir" / "link_winding");
  fs::create_symlink("..", tree / "link_up");
  fs::create_symlink("../..", tree / "dir" / "link_up2");
  fs::create_symlink("../" + tree.filename().string() + "/file", tree / "link_reenter");
  fs::create_symlink("/etc", tree / "link_abs");
  fs::create_symlink("loop2", tree / "loop1");
  fs::create_symlink("loop1", tree / "loop2");
  fs::create_symlink("missing", tree / "dangling");
  fs::create_symlink("dir/made", tree / "dangling_in_dir");
  fs::create_symlink("../made_outside", tree / "dangling_out");
}

const std::vector<std::string> kPaths = {
    "",
    ".",
    "./",
    "..",
    "../",
    "/",
    "/etc/passwd",
    "file",
    "file/",
    "file/.",
    "file/..",
    "file/x",
    "dir",
    "dir/",
    "dir/.",
    "dir/..",
    "dir/../",
    "dir/../..",
    "dir/../file",
    "dir//inner",
    "./dir/./inner",
    "dir/inner/",
    "dir/sub/../../file",
    "dir/sub/../../../file",
    "link_file",
    "link_file/",
    "link_file/.",
    "link_dir",
    "link_dir/",
    "link_dir/inner",
    "link_dir/..",
    "link_dir/../file",
    "link_dir_slash",
    "link_dir_slash/inner",
    "link_file_slash",
    "dir/link_parent",
    "dir/link_parent/file",
    "dir/link_deep",
    "dir/link_deep/",
    "dir/link_winding",
    "dir/link_winding/inner",
    "link_up",
    "link_up/",
    "link_up/outside.txt",
    "dir/link_up2",
    "dir/link_up2/outside.txt",
    "link_reenter",
    "link_abs",
    "link_abs/passwd",
    "loop1",
    "loop1/",
    "loop1/x",
    "dangling",
    "dangling/",
    "dangling_in_dir",
    "dangling_out",
    "missing",
    "missing/",
    "missing/x",
    "new_file",
    "dir/new_file",
    "link_dir/new_file",
    "new_dir/",
    "link_up/made_outside",
    "../made_outside",
};

const std::vector<int> kFlags = {
    O_RDONLY,
    O_PATH,
    O_RDONLY | O_DIRECTORY,
    O_PATH | O_DIRECTORY,
    O_WRONLY,
    O_RDWR | O_TRUNC,
    O_WRONLY | O_CREAT,
    O_RDWR | O_CREAT | O_DIRECTORY,
    O_WRONLY | O_CREAT | O_EXCL,
};

// What a resolution gave: "errno N", or where its descriptor points relative to `tree`
// ("<outside>" when not within it).
std::string outcome(int fd, const fs::path& tree) {
  if (fd < 0) return "errno " + std::to_string(-fd);
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  ::close(fd);
  struct stat entry {};
  if (::lstat(tree.c_str(), &entry) == 0 && entry.st_ino == st.st_ino) return ".";
  for (const auto& e : fs::recursive_directory_iterator(tree)) {
    if (::lstat(e.path().c_str(), &entry) == 0 && entry.st_dev == st.st_dev &&
        entry.st_ino == st.st_ino) {
      return e.path().lexically_relative(tree).string();
    }
  }
  return "<outside>";
}

std::string describe(const std::string& path, int flags, bool follow) {
  char octal[16];
  std::snprintf(octal, sizeof octal, "0%o", static_cast<unsigned>(flags));
  return "path '" + path + "' flags " + octal + (follow ? " following" : " not following");
}

TEST(PathBeneath, WalkAgreesWithOpenat2OnEveryCase) {
  Scratch a, b;
  fs::path tree_a = a.root() / "tree", tree_b = b.root() / "tree";
  build_tree(tree_a);
  build_tree(tree_b);
  int dir_a = ::open(tree_a.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int dir_b = ::open(tree_b.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir_a, 0);
  ASSERT_GE(dir_b, 0);
  for (bool follow : {true, false}) {
    for (int flags : kFlags) {
      for (const auto& path : kPaths) {
        std::string kernel = outcome(open_beneath(dir_a, path, flags, 0644, follow), tree_a);
        std::string walk = outcome(open_beneath_by_walk(dir_b, path, flags, 0644, follow), tree_b);
        EXPECT_EQ(kernel, walk) << describe(path, flags, follow);
        EXPECT_NE(walk, "<outside>") << describe(path, flags, follow);
      }
    }
  }
  ::close(dir_a);
  ::close(dir_b);
  for (const auto& scratch : {a.root(), b.root()}) {
    EXPECT_FALSE(fs::exists(scratch / "made_outside"));
    std::ifstream in(scratch / "outside.txt");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "secret");
  }
}

// The cases that leave the tree, by each route, fail as escapes (EXDEV), whichever way
// paths are resolved.
TEST(PathBeneath, EscapesFailWithExdevBothWays) {
  Scratch scratch;
  fs::path tree = scratch.root() / "tree";
  build_tree(tree);
  int dir = ::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  for (const char* path :
       {"..", "../outside.txt", "/etc/passwd", "dir/../..", "link_up", "link_up/outside.txt",
        "dir/link_up2/outside.txt", "link_reenter", "link_abs/passwd", "dangling_out"}) {
    for (int flags : {O_RDONLY, O_PATH, O_WRONLY | O_CREAT}) {
      EXPECT_EQ(open_beneath(dir, path, flags, 0644, true), -EXDEV) << path;
      EXPECT_EQ(open_beneath_by_walk(dir, path, flags, 0644, true), -EXDEV) << path;
    }
  }
  ::close(dir);
  EXPECT_FALSE(fs::exists(scratch.root() / "made_outside"));
}

}  // namespace
}  // namespace wasmdapr::wasi
