#include "wasi/path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

// The directories walked through, below the start: `..` pops one and may never pop the start.
class DirStack {
 public:
  explicit DirStack(int start) : start_(start) {}
  ~DirStack() {
    for (int fd : owned_) ::close(fd);
  }
  DirStack(const DirStack&) = delete;
  DirStack& operator=(const DirStack&) = delete;
  int top() const { return owned_.empty() ? start_ : owned_.back(); }
  void push(int fd) { owned_.push_back(fd); }
  bool pop() {
    if (owned_.empty()) return false;
    ::close(owned_.back());
    owned_.pop_back();
    return true;
  }

 private:
  int start_;
  std::vector<int> owned_;
};

bool ends_with_slash(std::string_view path) {
  return path.size() > 1 && path.back() == '/';
}

// The walk used where openat2 is missing: one component at a time, never following a
// symlink in the kernel (O_NOFOLLOW everywhere) but expanding it here, relative to the
// directory it sits in. It gives openat2's answers: a trailing slash demands a directory,
// a followed final symlink is expanded for O_PATH and O_DIRECTORY opens too, O_CREAT|O_EXCL
// never follows one, and O_CREAT through a trailing slash is EISDIR.
int walk_beneath(int dirfd, std::string_view path, int flags, unsigned mode, bool follow_final) {
  if (!path.empty() && path.front() == '/') return -EXDEV;
  if ((flags & O_CREAT) && (flags & O_DIRECTORY)) return -EINVAL;  // as openat2 has it
  if ((flags & O_CREAT) && (flags & O_EXCL)) follow_final = false;
  DirStack dirs(dirfd);
  std::vector<std::string> pending;  // components, taken from the back
  // Set when the final component came with a trailing slash and the open may create it.
  bool creates_through_slash = false;
  auto queue = [&](std::string_view text) {
    if (ends_with_slash(text) && pending.empty()) {
      // "name/" must be a directory: a final "." makes the walk go through it as one.
      if (flags & O_CREAT) {
        creates_through_slash = true;
      } else {
        pending.emplace_back(".");
      }
    }
    auto parts = split(text);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_back(std::move(*it));
  };
  queue(path);
  if (pending.empty()) pending.emplace_back(".");
  int links = 0;
  char target[4096];
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    bool last = pending.empty();
    // Creating through a trailing slash: only "." and ".." may name an existing directory.
    if (last && creates_through_slash && part != "." && part != "..") return -EISDIR;
    if (part == "..") {
      if (!dirs.pop()) return -EXDEV;
      part = ".";
    }
    if (part == "." && !last) continue;
    ssize_t length = -1;
    if (last) {
      if (follow_final && part != ".") {
        length = ::readlinkat(dirs.top(), part.c_str(), target, sizeof target);
      }
      if (length < 0) {  // not a symlink, or not one to follow
        int fd = ::openat(dirs.top(), part.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) return -errno;
        struct stat st {};
        if (follow_final && (flags & O_PATH) && ::fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
          ::close(fd);  // it became a symlink after it was looked at
          return -ELOOP;
        }
        return fd;
      }
    } else {
      int fd = ::openat(dirs.top(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        dirs.push(fd);
        continue;
      }
      if (errno != ENOTDIR && errno != ELOOP) return -errno;
      length = ::readlinkat(dirs.top(), part.c_str(), target, sizeof target);
      if (length < 0) return -ENOTDIR;
    }
    // `part` is a symlink: expand it in place.
    if (++links > kMaxSymlinks) return -ELOOP;
    if (static_cast<size_t>(length) == sizeof target) return -ENAMETOOLONG;
    std::string_view link(target, static_cast<size_t>(length));
    if (link.empty()) return -ENOENT;
    if (link.front() == '/') return -EXDEV;
    queue(link);
  }
  return -ENOENT;  // not reached: the final component always returns
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

int open_beneath_by_walk(int dirfd, std::string_view path, int flags, unsigned mode,
                         bool follow_final) {
  if (!follow_final) flags |= O_NOFOLLOW;
  return walk_beneath(dirfd, path.empty() ? "." : path, flags, mode, follow_final);
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
