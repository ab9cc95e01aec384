#include "wasi/path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <vector>

namespace wasmdapr::wasi {
namespace {

constexpr int kMaxSymlinks = 40;

// Shared by every store's thread; set once when the kernel lacks openat2.
std::atomic<bool> kernel_has_openat2{true};

int openat2_beneath(int dirfd, const std::string& path, int flags, unsigned mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// The walk used where openat2 is missing. Keeps a stack of directory descriptors from the
// start directory down; `..` pops one and may never pop the start.
int walk_beneath(int dirfd, std::string_view path, int flags, unsigned mode, bool follow_final) {
  if (!path.empty() && path.front() == '/') return -EXDEV;
  std::vector<int> stack;  // owned descriptors below the start
  auto current = [&] { return stack.empty() ? dirfd : stack.back(); };
  auto release = [&] {
    for (int fd : stack) ::close(fd);
  };
  std::vector<std::string> pending = split(path);
  std::reverse(pending.begin(), pending.end());
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    bool last = pending.empty();
    if (part == ".") {
      if (!last) continue;
    } else if (part == "..") {
      if (stack.empty()) {
        release();
        return -EXDEV;
      }
      ::close(stack.back());
      stack.pop_back();
      if (!last) continue;
      part = ".";
    }
    if (last) {
      int fd = ::openat(current(), part.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
      if (fd < 0 && (errno == ELOOP || errno == EMLINK) && follow_final) {
        // fall through to symlink expansion below
      } else {
        int err = errno;
        release();
        return fd < 0 ? -err : fd;
      }
    } else {
      int fd = ::openat(current(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        stack.push_back(fd);
        continue;
      }
      if (errno != ENOTDIR && errno != ELOOP) {
        int err = errno;
        release();
        return -err;
      }
    }
    // `part` may be a symlink: expand it in place.
    char target[4096];
    ssize_t n = ::readlinkat(current(), part.c_str(), target, sizeof target - 1);
    if (n < 0 || ++links > kMaxSymlinks) {
      release();
      return n < 0 ? -ENOTDIR : -ELOOP;
    }
    std::string_view link(target, static_cast<size_t>(n));
    if (!link.empty() && link.front() == '/') {
      release();
      return -EXDEV;
    }
    auto parts = split(link);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_back(*it);
  }
  int fd = ::openat(current(), ".", flags | O_CLOEXEC, mode);
  int err = errno;
  release();
  return fd < 0 ? -err : fd;
}

}  // namespace

int open_beneath(int dirfd, std::string_view path, int flags, unsigned mode, bool follow_final) {
  std::string p(path.empty() ? "." : path);
  if (p.front() == '/') return -EXDEV;
  if (!follow_final) flags |= O_NOFOLLOW;
  if (kernel_has_openat2.load(std::memory_order_relaxed)) {
    int fd = openat2_beneath(dirfd, p, flags, mode);
    if (fd != -ENOSYS) return fd;
    kernel_has_openat2.store(false, std::memory_order_relaxed);
  }
  return walk_beneath(dirfd, p, flags, mode, follow_final);
}

int open_parent_beneath(int dirfd, std::string_view path, std::string& name) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (!path.empty() && path.front() == '/') return -EXDEV;
  size_t slash = path.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? "." : path.substr(0, slash);
  name = std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (name.empty()) name = ".";
  if (name == "..") {
    // The component names the parent's parent: confined only if that resolves beneath.
    int fd = open_beneath(dirfd, path, O_PATH | O_DIRECTORY, 0, true);
    if (fd < 0) return fd;
    ::close(fd);
  }
  return open_beneath(dirfd, parent.empty() ? "." : parent, O_PATH | O_DIRECTORY, 0, true);
}

}  // namespace wasmdapr::wasi
