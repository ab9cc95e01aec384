// The functions of wasi_snapshot_preview1, over a WasiContext.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "wasi/path.h"
#include "wasi/wasi_abi.h"
#include "wasi/wasi_context.h"

namespace wasmdapr::wasi {

Errno errno_of(int e) {
  switch (e) {
    case 0:
      return kSuccess;
    case E2BIG:
      return k2Big;
    case EACCES:
      return kAcces;
    case EADDRINUSE:
      return kAddrInUse;
    case EADDRNOTAVAIL:
      return kAddrNotAvail;
    case EAFNOSUPPORT:
      return kAfNoSupport;
    case EAGAIN:
      return kAgain;
    case EALREADY:
      return kAlready;
    case EBADF:
      return kBadf;
    case EBUSY:
      return kBusy;
    case ECONNABORTED:
      return kConnAborted;
    case ECONNREFUSED:
      return kConnRefused;
    case ECONNRESET:
      return kConnReset;
    case EDEADLK:
      return kDeadlk;
    case EDQUOT:
      return kDquot;
    case EEXIST:
      return kExist;
    case EFAULT:
      return kFault;
    case EFBIG:
      return kFbig;
    case EHOSTUNREACH:
      return kHostUnreach;
    case EILSEQ:
      return kIlseq;
    case EINPROGRESS:
      return kInProgress;
    case EINTR:
      return kIntr;
    case EINVAL:
      return kInval;
    case EIO:
      return kIo;
    case EISCONN:
      return kIsConn;
    case EISDIR:
      return kIsDir;
    case ELOOP:
      return kLoop;
    case EMFILE:
      return kMfile;
    case EMLINK:
      return kMlink;
    case EMSGSIZE:
      return kMsgSize;
    case ENAMETOOLONG:
      return kNameTooLong;
    case ENETDOWN:
      return kNetDown;
    case ENETUNREACH:
      return kNetUnreach;
    case ENFILE:
      return kNfile;
    case ENOBUFS:
      return kNoBufs;
    case ENODEV:
      return kNoDev;
    case ENOENT:
      return kNoEnt;
    case ENOEXEC:
      return kNoExec;
    case ENOMEM:
      return kNoMem;
    case ENOSPC:
      return kNoSpc;
    case ENOSYS:
      return kNoSys;
    case ENOTCONN:
      return kNotConn;
    case ENOTDIR:
      return kNotDir;
    case ENOTEMPTY:
      return kNotEmpty;
    case ENOTSOCK:
      return kNotSock;
    case EOPNOTSUPP:
      return kNotSup;
    case ENOTTY:
      return kNotTty;
    case ENXIO:
      return kNxio;
    case EOVERFLOW:
      return kOverflow;
    case EPERM:
      return kPerm;
    case EPIPE:
      return kPipe;
    case ERANGE:
      return kRange;
    case EROFS:
      return kRofs;
    case ESPIPE:
      return kSpipe;
    case ETIMEDOUT:
      return kTimedOut;
    case ETXTBSY:
      return kTxtBsy;
    case EXDEV:
      return kNotCapable;  // an escape from the sandbox
    default:
      return kIo;
  }
}

namespace {

using wasm::HostContext;
using wasm::RawValue;
using wasm::Trap;

// One call: its arguments, the guest's memory, the context.
class Call {
 public:
  Call(HostContext& ctx, std::span<const RawValue> args)
      : wasi_(*static_cast<WasiContext*>(ctx.store().host_state())),
        memory_(ctx.memory()),
        args_(args) {}

  WasiContext& wasi() { return wasi_; }
  uint32_t u32(size_t i) const { return static_cast<uint32_t>(args_[i]); }
  uint64_t u64(size_t i) const { return args_[i]; }

  uint8_t* at(uint32_t ptr, uint64_t len) const {
    if (!memory_ || !memory_->in_bounds(ptr, len)) return nullptr;
    return memory_->data() + ptr;
  }
  bool bytes(uint32_t ptr, uint32_t len, std::string_view& out) const {
    uint8_t* p = at(ptr, len);
    if (!p) return false;
    out = std::string_view(reinterpret_cast<const char*>(p), len);
    return true;
  }
  template <typename T>
  bool store(uint32_t ptr, T value) const {
    uint8_t* p = at(ptr, sizeof(T));
    if (!p) return false;
    std::memcpy(p, &value, sizeof(T));  // wasm is little-endian, like the hosts we run on
    return true;
  }
  template <typename T>
  bool load(uint32_t ptr, T& value) const {
    uint8_t* p = at(ptr, sizeof(T));
    if (!p) return false;
    std::memcpy(&value, p, sizeof(T));
    return true;
  }

  // The descriptor `fd` if it has every one of `rights`.
  Descriptor* fd(uint32_t fd, uint64_t rights, Errno& error) {
    Descriptor* d = wasi_.find(fd);
    if (!d) {
      error = kBadf;
      return nullptr;
    }
    if ((d->rights_base & rights) != rights) {
      error = kNotCapable;
      return nullptr;
    }
    return d;
  }

  // Host iovecs for the guest's (ciovec|iovec) array at args (i, i+1). Beyond the host's
  // IOV_MAX only the first IOV_MAX buffers are taken: a short read or write, which callers
  // handle anyway, rather than an error for a valid request.
  bool iovecs(size_t i, std::vector<iovec>& out) const {
    uint32_t list = u32(i), count = u32(i + 1);
    if (!at(list, uint64_t{8} * count)) return false;
    count = std::min<uint32_t>(count, IOV_MAX);
    out.resize(count);
    for (uint32_t k = 0; k < count; ++k) {
      uint32_t buf = 0, len = 0;
      if (!load(list + 8 * k, buf) || !load(list + 8 * k + 4, len)) return false;
      uint8_t* p = at(buf, len);
      if (!p) return false;
      out[k] = {p, len};
    }
    return true;
  }

 private:
  WasiContext& wasi_;
  wasm::Memory* memory_;
  std::span<const RawValue> args_;
};

Errno last_error() {
  return errno_of(errno);
}

// ---- args, environ, clocks, random ------------------------------------------------------

Errno write_strings(Call& c, const std::vector<std::string>& strings) {
  uint32_t pointers = c.u32(0), buffer = c.u32(1);
  for (const auto& s : strings) {
    if (!c.store(pointers, buffer)) return kFault;
    uint8_t* p = c.at(buffer, s.size() + 1);
    if (!p) return kFault;
    std::memcpy(p, s.c_str(), s.size() + 1);
    pointers += 4;
    buffer += static_cast<uint32_t>(s.size() + 1);
  }
  return kSuccess;
}

Errno string_sizes(Call& c, const std::vector<std::string>& strings) {
  uint32_t total = 0;
  for (const auto& s : strings) total += static_cast<uint32_t>(s.size() + 1);
  if (!c.store(c.u32(0), static_cast<uint32_t>(strings.size())) || !c.store(c.u32(1), total)) {
    return kFault;
  }
  return kSuccess;
}

Errno args_get(Call& c) {
  return write_strings(c, c.wasi().config().args);
}
Errno args_sizes_get(Call& c) {
  return string_sizes(c, c.wasi().config().args);
}
Errno environ_get(Call& c) {
  return write_strings(c, c.wasi().config().env);
}
Errno environ_sizes_get(Call& c) {
  return string_sizes(c, c.wasi().config().env);
}

bool host_clock(uint32_t id, clockid_t& out) {
  static constexpr clockid_t kClocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                          CLOCK_THREAD_CPUTIME_ID};
  if (id >= std::size(kClocks)) return false;
  out = kClocks[id];
  return true;
}

uint64_t nanoseconds(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

Errno clock_res_get(Call& c) {
  clockid_t id;
  if (!host_clock(c.u32(0), id)) return kInval;
  timespec t{};
  if (::clock_getres(id, &t) != 0) return last_error();
  return c.store(c.u32(1), nanoseconds(t)) ? kSuccess : kFault;
}

Errno clock_time_get(Call& c) {
  clockid_t id;
  if (!host_clock(c.u32(0), id)) return kInval;
  timespec t{};
  if (::clock_gettime(id, &t) != 0) return last_error();
  return c.store(c.u32(2), nanoseconds(t)) ? kSuccess : kFault;
}

Errno random_get(Call& c) {
  uint8_t* p = c.at(c.u32(0), c.u32(1));
  if (!p) return kFault;
  size_t done = 0, want = c.u32(1);
  while (done < want) {
    ssize_t n = ::getrandom(p + done, want - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    done += static_cast<size_t>(n);
  }
  return kSuccess;
}

Errno sched_yield_(Call&) {
  ::sched_yield();
  return kSuccess;
}

// ---- descriptors --------------------------------------------------------------------------

Errno fd_close(Call& c) {
  Descriptor* d = c.wasi().find(c.u32(0));
  if (!d) return kBadf;
  c.wasi().close(c.u32(0));
  return kSuccess;
}

Errno fd_renumber(Call& c) {
  return c.wasi().renumber(c.u32(0), c.u32(1)) ? kSuccess : kBadf;
}

Errno fd_fdstat_get(Call& c) {
  Descriptor* d = c.wasi().find(c.u32(0));
  if (!d) return kBadf;
  uint32_t out = c.u32(1);
  if (!c.at(out, 24)) return kFault;
  std::memset(c.at(out, 24), 0, 24);
  c.store<uint8_t>(out, d->filetype);
  c.store<uint16_t>(out + 2, d->fdflags);
  c.store<uint64_t>(out + 8, d->rights_base);
  c.store<uint64_t>(out + 16, d->rights_inheriting);
  return kSuccess;
}

Errno fd_fdstat_set_flags(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdFdstatSetFlags, e);
  if (!d) return e;
  uint16_t flags = static_cast<uint16_t>(c.u32(1));
  int host = ::fcntl(d->host_fd, F_GETFL);
  if (host < 0) return last_error();
  host &= ~(O_APPEND | O_NONBLOCK);
  if (flags & kFdflagAppend) host |= O_APPEND;
  if (flags & kFdflagNonblock) host |= O_NONBLOCK;
  if (::fcntl(d->host_fd, F_SETFL, host) != 0) return last_error();
  d->fdflags = flags & (kFdflagAppend | kFdflagNonblock);
  return kSuccess;
}

Errno fd_fdstat_set_rights(Call& c) {
  Descriptor* d = c.wasi().find(c.u32(0));
  if (!d) return kBadf;
  uint64_t base = c.u64(1), inheriting = c.u64(2);
  // Rights can only be dropped, never gained.
  if ((base & ~d->rights_base) || (inheriting & ~d->rights_inheriting)) return kNotCapable;
  d->rights_base = base;
  d->rights_inheriting = inheriting;
  return kSuccess;
}

Errno write_filestat(Call& c, uint32_t out, const struct stat& st) {
  uint8_t* p = c.at(out, 64);
  if (!p) return kFault;
  std::memset(p, 0, 64);
  c.store<uint64_t>(out, st.st_dev);
  c.store<uint64_t>(out + 8, st.st_ino);
  c.store<uint8_t>(out + 16, filetype_of(st.st_mode));
  c.store<uint64_t>(out + 24, st.st_nlink);
  c.store<uint64_t>(out + 32, static_cast<uint64_t>(st.st_size));
  c.store<uint64_t>(out + 40, nanoseconds(st.st_atim));
  c.store<uint64_t>(out + 48, nanoseconds(st.st_mtim));
  c.store<uint64_t>(out + 56, nanoseconds(st.st_ctim));
  return kSuccess;
}

Errno fd_filestat_get(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdFilestatGet, e);
  if (!d) return e;
  struct stat st {};
  if (::fstat(d->host_fd, &st) != 0) return last_error();
  return write_filestat(c, c.u32(1), st);
}

Errno fd_filestat_set_size(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdFilestatSetSize, e);
  if (!d) return e;
  if (c.u64(1) > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) return kInval;
  return ::ftruncate(d->host_fd, static_cast<off_t>(c.u64(1))) == 0 ? kSuccess : last_error();
}

// utimensat times from WASI (atim, mtim, fstflags).
bool times_of(uint64_t atim, uint64_t mtim, uint32_t flags, timespec out[2]) {
  if (((flags & kFstAtim) && (flags & kFstAtimNow)) ||
      ((flags & kFstMtim) && (flags & kFstMtimNow)) || (flags & ~0xFu)) {
    return false;
  }
  auto one = [](uint64_t ns, bool set, bool now, timespec& t) {
    if (now) {
      t.tv_nsec = UTIME_NOW;
    } else if (set) {
      t.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
      t.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
    } else {
      t.tv_nsec = UTIME_OMIT;
    }
  };
  one(atim, flags & kFstAtim, flags & kFstAtimNow, out[0]);
  one(mtim, flags & kFstMtim, flags & kFstMtimNow, out[1]);
  return true;
}

Errno fd_filestat_set_times(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdFilestatSetTimes, e);
  if (!d) return e;
  timespec t[2]{};
  if (!times_of(c.u64(1), c.u64(2), c.u32(3), t)) return kInval;
  return ::futimens(d->host_fd, t) == 0 ? kSuccess : last_error();
}

Errno fd_prestat_get(Call& c) {
  Descriptor* d = c.wasi().find(c.u32(0));
  if (!d || !d->is_preopen) return kBadf;
  uint32_t out = c.u32(1);
  if (!c.store<uint32_t>(out, 0) ||
      !c.store<uint32_t>(out + 4, static_cast<uint32_t>(d->preopen_name.size()))) {
    return kFault;
  }
  return kSuccess;
}

Errno fd_prestat_dir_name(Call& c) {
  Descriptor* d = c.wasi().find(c.u32(0));
  if (!d || !d->is_preopen) return kBadf;
  if (c.u32(2) < d->preopen_name.size()) return kNameTooLong;
  uint8_t* p = c.at(c.u32(1), static_cast<uint32_t>(d->preopen_name.size()));
  if (!p) return kFault;
  std::memcpy(p, d->preopen_name.data(), d->preopen_name.size());
  return kSuccess;
}

Errno finish_io(Call& c, ssize_t n, size_t out_arg) {
  if (n < 0) return last_error();
  return c.store(c.u32(out_arg), static_cast<uint32_t>(n)) ? kSuccess : kFault;
}

Errno fd_read(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdRead, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  return finish_io(c, ::readv(d->host_fd, iov.data(), static_cast<int>(iov.size())), 3);
}

Errno fd_write(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdWrite, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  return finish_io(c, ::writev(d->host_fd, iov.data(), static_cast<int>(iov.size())), 3);
}

Errno fd_pread(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdRead | kRightFdSeek, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  ssize_t n =
      ::preadv(d->host_fd, iov.data(), static_cast<int>(iov.size()), static_cast<off_t>(c.u64(3)));
  return finish_io(c, n, 4);
}

Errno fd_pwrite(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdWrite | kRightFdSeek, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  ssize_t n =
      ::pwritev(d->host_fd, iov.data(), static_cast<int>(iov.size()), static_cast<off_t>(c.u64(3)));
  return finish_io(c, n, 4);
}

Errno fd_seek(Call& c) {
  uint32_t whence = c.u32(2);
  int64_t offset = static_cast<int64_t>(c.u64(1));
  // A seek that only reports the position needs fd_tell; any other one fd_seek.
  uint64_t right = (whence == 1 && offset == 0) ? kRightFdTell : kRightFdSeek;
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), right, e);
  if (!d) return e;
  static constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence > 2) return kInval;
  off_t pos = ::lseek(d->host_fd, offset, kWhence[whence]);
  if (pos < 0) return last_error();
  return c.store(c.u32(3), static_cast<uint64_t>(pos)) ? kSuccess : kFault;
}

Errno fd_tell(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdTell, e);
  if (!d) return e;
  off_t pos = ::lseek(d->host_fd, 0, SEEK_CUR);
  if (pos < 0) return last_error();
  return c.store(c.u32(1), static_cast<uint64_t>(pos)) ? kSuccess : kFault;
}

Errno fd_sync(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdSync, e);
  if (!d) return e;
  return ::fsync(d->host_fd) == 0 ? kSuccess : last_error();
}

Errno fd_datasync(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdDatasync, e);
  if (!d) return e;
  return ::fdatasync(d->host_fd) == 0 ? kSuccess : last_error();
}

Errno fd_advise(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdAdvise, e);
  if (!d) return e;
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (c.u32(3) >= std::size(kAdvice)) return kInval;
  int rc = ::posix_fadvise(d->host_fd, static_cast<off_t>(c.u64(1)), static_cast<off_t>(c.u64(2)),
                           kAdvice[c.u32(3)]);
  return rc == 0 ? kSuccess : errno_of(rc);
}

Errno fd_allocate(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdAllocate, e);
  if (!d) return e;
  int rc =
      ::posix_fallocate(d->host_fd, static_cast<off_t>(c.u64(1)), static_cast<off_t>(c.u64(2)));
  return rc == 0 ? kSuccess : errno_of(rc);
}

// Lists a directory once per rewind (cookie 0), so cookies index a stable snapshot.
Errno list_directory(Descriptor& d) {
  int fd = ::openat(d.host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return last_error();
  }
  d.dir_entries.clear();
  while (dirent* entry = ::readdir(dir)) d.dir_entries.emplace_back(entry->d_ino, entry->d_name);
  ::closedir(dir);
  std::sort(d.dir_entries.begin(), d.dir_entries.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  d.listed = true;
  return kSuccess;
}

Errno fd_readdir(Call& c) {
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdReaddir, e);
  if (!d) return e;
  uint64_t cookie = c.u64(3);
  if (cookie == 0 || !d->listed) {
    if (Errno listed = list_directory(*d); listed != kSuccess) return listed;
  }
  uint32_t buf = c.u32(1), len = c.u32(2), used = 0;
  if (!c.at(buf, len)) return kFault;
  for (uint64_t i = cookie; i < d->dir_entries.size() && used < len; ++i) {
    const auto& [ino, name] = d->dir_entries[i];
    uint8_t header[24] = {};
    uint64_t next = i + 1;
    uint32_t namelen = static_cast<uint32_t>(name.size());
    struct stat st {};
    uint8_t type = ::fstatat(d->host_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0
                       ? filetype_of(st.st_mode)
                       : kFiletypeUnknown;
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &ino, 8);
    std::memcpy(header + 16, &namelen, 4);
    header[20] = type;
    // Entries that do not fit are cut: the guest sees a full buffer and asks again.
    uint32_t take = std::min<uint32_t>(24, len - used);
    std::memcpy(c.at(buf + used, take), header, take);
    used += take;
    take = std::min<uint32_t>(namelen, len - used);
    if (take) std::memcpy(c.at(buf + used, take), name.data(), take);
    used += take;
  }
  return c.store(c.u32(4), used) ? kSuccess : kFault;
}

// ---- paths -------------------------------------------------------------------------------

bool path_arg(Call& c, size_t i, std::string& out) {
  std::string_view p;
  if (!c.bytes(c.u32(i), c.u32(i + 1), p)) return false;
  out.assign(p);
  return true;
}

// A path argument's error before any lookup: bad memory, a NUL inside, or no path at all
// (an empty path names nothing, as in POSIX; "." names the directory).
Errno path_problem(Call& c, size_t i, std::string& out) {
  if (!path_arg(c, i, out)) return kFault;
  if (out.empty()) return kNoEnt;
  return out.find('\0') == std::string::npos ? kSuccess : kIlseq;
}

// The parent directory of a path argument, opened beneath `dir`, and the final component.
class Parent {
 public:
  Parent(int dirfd, const std::string& path)
      : trailing_slash_(path.size() > 1 && path.back() == '/'), start_(dirfd), path_(path) {
    fd_ = open_parent_beneath(dirfd, path, name_);
  }
  ~Parent() {
    if (fd_ >= 0) ::close(fd_);
  }
  Parent(const Parent&) = delete;
  Parent& operator=(const Parent&) = delete;
  bool ok() const { return fd_ >= 0; }
  Errno error() const { return errno_of(-fd_); }
  int fd() const { return fd_; }
  const char* name() const { return name_.c_str(); }
  bool names_self() const { return name_ == "." || name_ == ".."; }
  // The directory and path this was resolved from.
  int start() const { return start_; }
  const std::string& path() const { return path_; }
  // "name/" may only name a directory.
  bool trailing_slash() const { return trailing_slash_; }
  // Removing "name/": the component itself (a symlink is not followed) must be a directory.
  Errno removal_with_slash() const {
    struct stat st {};
    if (::fstatat(fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_error();
    return S_ISDIR(st.st_mode) ? kIsDir : kNotDir;
  }
  // Linking from "name/": the slash follows a symlink, beneath the start like any lookup, and
  // a directory cannot be hard-linked.
  Errno link_source_with_slash() const {
    int fd = open_beneath(start_, path_, O_PATH | O_DIRECTORY, 0, true);
    if (fd < 0) return errno_of(-fd);
    ::close(fd);
    return kPerm;
  }
  // Creating a non-directory at "name/": the errno POSIX systems give.
  Errno creation_with_slash() const {
    struct stat st {};
    if (::fstatat(fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return kNoEnt;
    return S_ISDIR(st.st_mode) ? kExist : kNotDir;
  }

 private:
  bool trailing_slash_ = false;
  int start_ = -1;
  std::string path_;
  int fd_ = -1;
  std::string name_;
};

Errno path_open(Call& c) {
  Errno e = kSuccess;
  Descriptor* dir = c.fd(c.u32(0), kRightPathOpen, e);
  if (!dir) return e;
  std::string path;
  if (Errno bad = path_problem(c, 2, path); bad != kSuccess) return bad;
  uint32_t lookup = c.u32(1);
  uint16_t oflags = static_cast<uint16_t>(c.u32(4));
  uint64_t base = c.u64(5), inheriting = c.u64(6);
  uint16_t fdflags = static_cast<uint16_t>(c.u32(7));

  uint64_t needed_on_dir = kRightPathOpen;
  if (oflags & kOflagCreat) needed_on_dir |= kRightPathCreateFile;
  if (oflags & kOflagTrunc) needed_on_dir |= kRightPathFilestatSetSize;
  if ((dir->rights_base & needed_on_dir) != needed_on_dir) return kNotCapable;
  // Asking for more than the directory passes on is asking for a capability it cannot give.
  uint64_t wants_write = base & (kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize);
  if ((wants_write & ~dir->rights_inheriting) != 0) return kNotCapable;
  if ((oflags & kOflagDirectory) && (base & kRightFdWrite)) return kIsDir;
  base &= dir->rights_inheriting;
  inheriting &= dir->rights_inheriting;

  bool read = base & (kRightFdRead | kRightFdReaddir);
  bool write = wants_write != 0 && !(oflags & kOflagDirectory);
  int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagSync | kFdflagRsync)) flags |= O_SYNC;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;

  bool follow = lookup & kLookupSymlinkFollow;
  int fd = open_beneath(dir->host_fd, path, flags, 0666, follow);
  if (fd == -EISDIR && !(base & kRightFdWrite)) {
    // Rights like fd_allocate asked for on a directory: open it for reading instead.
    fd = open_beneath(dir->host_fd, path, (flags & ~O_ACCMODE) | O_RDONLY, 0666, follow);
  }
  if (fd < 0) return errno_of(-fd);
  struct stat st {};
  ::fstat(fd, &st);
  auto d = std::make_unique<Descriptor>();
  d->host_fd = fd;
  d->filetype = filetype_of(st.st_mode);
  d->fdflags =
      fdflags & (kFdflagAppend | kFdflagNonblock | kFdflagSync | kFdflagDsync | kFdflagRsync);
  if (d->filetype == kFiletypeDirectory) {
    d->rights_base = base & kRightsDirectory;
    d->rights_inheriting = inheriting;
  } else {
    d->rights_base = base & kRightsRegularFile;
    d->rights_inheriting = 0;
  }
  uint32_t guest_fd = c.wasi().insert(std::move(d));
  if (!c.store(c.u32(8), guest_fd)) {
    c.wasi().close(guest_fd);
    return kFault;
  }
  return kSuccess;
}

// Resolves (dirfd arg, path args) for an operation on the final component.
template <typename Op>
Errno on_component(Call& c, size_t fd_arg, size_t path_arg_index, uint64_t rights, Op op) {
  Errno e = kSuccess;
  Descriptor* dir = c.fd(c.u32(fd_arg), rights, e);
  if (!dir) return e;
  std::string path;
  if (Errno bad = path_problem(c, path_arg_index, path); bad != kSuccess) return bad;
  Parent parent(dir->host_fd, path);
  if (!parent.ok()) return parent.error();
  return op(parent);
}

Errno path_create_directory(Call& c) {
  return on_component(c, 0, 1, kRightPathCreateDirectory, [](Parent& p) {
    if (p.names_self()) return kExist;
    return ::mkdirat(p.fd(), p.name(), 0777) == 0 ? kSuccess : last_error();
  });
}

Errno path_remove_directory(Call& c) {
  return on_component(c, 0, 1, kRightPathRemoveDirectory, [](Parent& p) {
    if (p.names_self()) return kInval;
    return ::unlinkat(p.fd(), p.name(), AT_REMOVEDIR) == 0 ? kSuccess : last_error();
  });
}

Errno path_unlink_file(Call& c) {
  return on_component(c, 0, 1, kRightPathUnlinkFile, [](Parent& p) {
    if (p.names_self()) return kIsDir;
    if (p.trailing_slash()) return p.removal_with_slash();
    return ::unlinkat(p.fd(), p.name(), 0) == 0 ? kSuccess : last_error();
  });
}

Errno path_readlink(Call& c) {
  return on_component(c, 0, 1, kRightPathReadlink, [&c](Parent& p) {
    uint32_t buf = c.u32(3), len = c.u32(4);
    uint8_t* out = c.at(buf, len);
    if (!out) return kFault;
    std::vector<char> target(4096);
    ssize_t n = ::readlinkat(p.fd(), p.name(), target.data(), target.size());
    if (n < 0) return last_error();
    uint32_t copied = std::min<uint32_t>(len, static_cast<uint32_t>(n));
    std::memcpy(out, target.data(), copied);
    return c.store(c.u32(5), copied) ? kSuccess : kFault;
  });
}

Errno path_filestat_get(Call& c) {
  Errno e = kSuccess;
  Descriptor* dir = c.fd(c.u32(0), kRightPathFilestatGet, e);
  if (!dir) return e;
  std::string path;
  if (Errno bad = path_problem(c, 2, path); bad != kSuccess) return bad;
  struct stat st {};
  if (c.u32(1) & kLookupSymlinkFollow) {
    // Following links: resolve the whole path beneath the directory, links included.
    int fd = open_beneath(dir->host_fd, path, O_PATH, 0, true);
    if (fd < 0) return errno_of(-fd);
    int rc = ::fstat(fd, &st);
    ::close(fd);
    if (rc != 0) return last_error();
  } else {
    int fd = open_beneath(dir->host_fd, path, O_PATH, 0, false);
    if (fd < 0 && fd != -ELOOP) return errno_of(-fd);
    if (fd >= 0) {
      int rc = ::fstat(fd, &st);
      ::close(fd);
      if (rc != 0) return last_error();
    } else {
      Parent parent(dir->host_fd, path);
      if (!parent.ok()) return parent.error();
      if (::fstatat(parent.fd(), parent.name(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return last_error();
      }
    }
  }
  return write_filestat(c, c.u32(4), st);
}

// The /proc entry of a descriptor: how calls without AT_EMPTY_PATH reach an O_PATH one.
std::string proc_fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

Errno path_filestat_set_times(Call& c) {
  return on_component(c, 0, 2, kRightPathFilestatSetTimes, [&c](Parent& p) {
    timespec t[2]{};
    if (!times_of(c.u64(4), c.u64(5), c.u32(6), t)) return kInval;
    if (!(c.u32(1) & kLookupSymlinkFollow)) {
      return ::utimensat(p.fd(), p.name(), t, AT_SYMLINK_NOFOLLOW) == 0 ? kSuccess : last_error();
    }
    // Following links: the file is resolved beneath the directory once and changed through
    // that descriptor, so no symlink swapped in meanwhile can lead the change outside.
    int fd = open_beneath(p.start(), p.path(), O_PATH, 0, true);
    if (fd < 0) return errno_of(-fd);
    int rc = ::utimensat(fd, "", t, AT_EMPTY_PATH);
    if (rc != 0 && errno == EINVAL) {  // a kernel without AT_EMPTY_PATH here
      rc = ::utimensat(AT_FDCWD, proc_fd_path(fd).c_str(), t, 0);
    }
    Errno result = rc == 0 ? kSuccess : last_error();
    ::close(fd);
    return result;
  });
}

Errno path_symlink(Call& c) {
  std::string target;
  if (Errno bad = path_problem(c, 0, target); bad != kSuccess) return bad;
  // A link whose target is absolute could never resolve inside the sandbox.
  if (target.front() == '/') return kNotCapable;
  return on_component(c, 2, 3, kRightPathSymlink, [&target](Parent& p) {
    if (p.names_self()) return kExist;
    if (p.trailing_slash()) return p.creation_with_slash();
    return ::symlinkat(target.c_str(), p.fd(), p.name()) == 0 ? kSuccess : last_error();
  });
}

using TwoPathOp = Errno (*)(const Parent& from, const Parent& to);

Errno two_paths(Call& c, size_t fd1, size_t path1, uint64_t rights1, size_t fd2, size_t path2,
                uint64_t rights2, TwoPathOp op, bool op_is_link = false) {
  Errno e = kSuccess;
  Descriptor* d1 = c.fd(c.u32(fd1), rights1, e);
  if (!d1) return e;
  Descriptor* d2 = c.fd(c.u32(fd2), rights2, e);
  if (!d2) return e;
  std::string p1, p2;
  if (Errno bad = path_problem(c, path1, p1); bad != kSuccess) return bad;
  if (Errno bad = path_problem(c, path2, p2); bad != kSuccess) return bad;
  Parent from(d1->host_fd, p1);
  if (!from.ok()) return from.error();
  Parent to(d2->host_fd, p2);
  if (!to.ok()) return to.error();
  if (from.names_self() || to.names_self()) return kInval;
  // A trailing slash on a link's source or target claims a directory; links are to files.
  if (op_is_link && from.trailing_slash()) return from.link_source_with_slash();
  if (op_is_link && to.trailing_slash()) return to.creation_with_slash();
  return op(from, to);
}

Errno path_rename(Call& c) {
  return two_paths(c, 0, 1, kRightPathRenameSource, 3, 4, kRightPathRenameTarget,
                   [](const Parent& from, const Parent& to) {
                     return ::renameat(from.fd(), from.name(), to.fd(), to.name()) == 0
                                ? kSuccess
                                : last_error();
                   });
}

// Links the file a followed source resolves to. The source is resolved beneath its directory
// once and linked through that descriptor, so no symlink swapped in meanwhile can make it a
// link to a file outside.
Errno link_followed_source(const Parent& from, const Parent& to) {
  int source = open_beneath(from.start(), from.path(), O_PATH, 0, true);
  if (source < 0) return errno_of(-source);
  int rc = ::linkat(source, "", to.fd(), to.name(), AT_EMPTY_PATH);
  if (rc != 0 && errno == ENOENT) {
    // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the descriptor's /proc entry does not.
    rc = ::linkat(AT_FDCWD, proc_fd_path(source).c_str(), to.fd(), to.name(), AT_SYMLINK_FOLLOW);
  }
  Errno result = rc == 0 ? kSuccess : last_error();
  ::close(source);
  return result;
}

Errno path_link(Call& c) {
  if (c.u32(1) & kLookupSymlinkFollow) {
    return two_paths(c, 0, 2, kRightPathLinkSource, 4, 5, kRightPathLinkTarget,
                     link_followed_source, true);
  }
  return two_paths(
      c, 0, 2, kRightPathLinkSource, 4, 5, kRightPathLinkTarget,
      [](const Parent& from, const Parent& to) {
        return ::linkat(from.fd(), from.name(), to.fd(), to.name(), 0) == 0 ? kSuccess
                                                                            : last_error();
      },
      true);
}

// ---- poll, sockets -----------------------------------------------------------------------

Errno poll_oneoff(Call& c) {
  uint32_t in = c.u32(0), out = c.u32(1), n = c.u32(2);
  if (n == 0) return kInval;
  if (!c.at(in, uint64_t{48} * n) || !c.at(out, uint64_t{32} * n)) return kFault;
  struct Clock {
    uint64_t userdata;
    uint64_t deadline;  // monotonic ns
  };
  std::vector<Clock> clocks;
  std::vector<pollfd> fds;
  std::vector<std::pair<uint64_t, uint8_t>> fd_subs;  // (userdata, type)
  uint32_t events = 0;
  auto emit = [&](uint64_t userdata, uint16_t error, uint8_t type, uint64_t nbytes) {
    uint32_t e = out + 32 * events++;
    std::memset(c.at(e, 32), 0, 32);
    c.store(e, userdata);
    c.store<uint16_t>(e + 8, error);
    c.store<uint8_t>(e + 10, type);
    c.store<uint64_t>(e + 16, nbytes);
  };
  timespec now_ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &now_ts);
  uint64_t now = nanoseconds(now_ts);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t s = in + 48 * i;
    uint64_t userdata = 0;
    uint8_t tag = 0;
    c.load(s, userdata);
    c.load(s + 8, tag);
    if (tag == 0) {
      uint32_t id = 0;
      uint64_t timeout = 0;
      uint16_t flags = 0;
      c.load(s + 16, id);
      c.load(s + 24, timeout);
      c.load(s + 40, flags);
      clockid_t host;
      if (!host_clock(id, host)) {
        emit(userdata, kInval, 0, 0);
        continue;
      }
      uint64_t deadline = now + timeout;
      if (flags & 1) {  // absolute time on the subscription's own clock
        timespec t{};
        ::clock_gettime(host, &t);
        uint64_t clock_now = nanoseconds(t);
        deadline = timeout > clock_now ? now + (timeout - clock_now) : now;
      }
      clocks.push_back({userdata, deadline});
    } else if (tag == 1 || tag == 2) {
      uint32_t fd = 0;
      c.load(s + 16, fd);
      Errno e = kSuccess;
      Descriptor* d = c.fd(fd, kRightPollFdReadwrite, e);
      if (!d) {
        emit(userdata, e, tag, 0);
        continue;
      }
      fds.push_back({d->host_fd, static_cast<short>(tag == 1 ? POLLIN : POLLOUT), 0});
      fd_subs.emplace_back(userdata, tag);
    } else {
      emit(userdata, kInval, tag, 0);
    }
  }
  if (events == 0) {
    int timeout_ms = -1;
    if (!clocks.empty()) {
      uint64_t first = std::min_element(clocks.begin(), clocks.end(), [](auto& a, auto& b) {
                         return a.deadline < b.deadline;
                       })->deadline;
      uint64_t wait = first > now ? first - now : 0;
      if (fds.empty()) {
        timespec t{static_cast<time_t>(wait / 1'000'000'000ull),
                   static_cast<long>(wait % 1'000'000'000ull)};
        while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
        }
      } else {
        timeout_ms = static_cast<int>((wait + 999'999) / 1'000'000);
      }
    }
    if (!fds.empty()) {
      int ready = ::poll(fds.data(), fds.size(), timeout_ms);
      if (ready < 0) return last_error();
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        int available = 0;
        if (fd_subs[i].second == 1) ::ioctl(fds[i].fd, FIONREAD, &available);
        emit(fd_subs[i].first, 0, fd_subs[i].second, static_cast<uint64_t>(available));
      }
    }
    ::clock_gettime(CLOCK_MONOTONIC, &now_ts);
    now = nanoseconds(now_ts);
    for (const auto& clock : clocks) {
      if (clock.deadline <= now || events == 0) emit(clock.userdata, 0, 0, 0);
    }
  }
  return c.store(c.u32(3), events) ? kSuccess : kFault;
}

bool is_socket(Call& c, uint32_t fd) {
  Descriptor* d = c.wasi().find(fd);
  return d && (d->filetype == kFiletypeSocketStream || d->filetype == kFiletypeSocketDgram);
}

// The errno for a socket call on `fd` before its rights are looked at.
Errno socket_problem(Call& c, uint32_t fd) {
  if (!c.wasi().find(fd)) return kBadf;
  return is_socket(c, fd) ? kSuccess : kNotSock;
}

Errno sock_accept(Call& c) {
  if (Errno bad = socket_problem(c, c.u32(0)); bad != kSuccess) return bad;
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightSockAccept, e);
  if (!d) return e;
  int flags = SOCK_CLOEXEC | ((c.u32(1) & kFdflagNonblock) ? SOCK_NONBLOCK : 0);
  int fd = ::accept4(d->host_fd, nullptr, nullptr, flags);
  if (fd < 0) return last_error();
  auto conn = std::make_unique<Descriptor>();
  conn->host_fd = fd;
  conn->filetype = kFiletypeSocketStream;
  conn->rights_base = kRightFdRead | kRightFdWrite | kRightPollFdReadwrite | kRightSockShutdown |
                      kRightFdFdstatSetFlags | kRightFdFilestatGet;
  uint32_t guest = c.wasi().insert(std::move(conn));
  return c.store(c.u32(2), guest) ? kSuccess : kFault;
}

Errno sock_recv(Call& c) {
  if (Errno bad = socket_problem(c, c.u32(0)); bad != kSuccess) return bad;
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdRead, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  uint16_t riflags = static_cast<uint16_t>(c.u32(3));
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  int flags = ((riflags & 1) ? MSG_PEEK : 0) | ((riflags & 2) ? MSG_WAITALL : 0);
  ssize_t n = ::recvmsg(d->host_fd, &msg, flags);
  if (n < 0) return last_error();
  uint16_t roflags = (msg.msg_flags & MSG_TRUNC) ? 1 : 0;
  if (!c.store(c.u32(4), static_cast<uint32_t>(n)) || !c.store(c.u32(5), roflags)) return kFault;
  return kSuccess;
}

Errno sock_send(Call& c) {
  if (Errno bad = socket_problem(c, c.u32(0)); bad != kSuccess) return bad;
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightFdWrite, e);
  if (!d) return e;
  std::vector<iovec> iov;
  if (!c.iovecs(1, iov)) return kFault;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  return finish_io(c, ::sendmsg(d->host_fd, &msg, MSG_NOSIGNAL), 4);
}

Errno sock_shutdown(Call& c) {
  if (Errno bad = socket_problem(c, c.u32(0)); bad != kSuccess) return bad;
  Errno e = kSuccess;
  Descriptor* d = c.fd(c.u32(0), kRightSockShutdown, e);
  if (!d) return e;
  uint32_t how = c.u32(1);
  if (how == 0 || how > 3) return kInval;
  int host = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
  return ::shutdown(d->host_fd, host) == 0 ? kSuccess : last_error();
}

// ---- registration ------------------------------------------------------------------------

using Handler = Errno (*)(Call&);

struct Function {
  const char* name;
  const char* params;  // 'i' = i32, 'I' = i64
  Handler handler;
};

constexpr Function kFunctions[] = {
    {"args_get", "ii", args_get},
    {"args_sizes_get", "ii", args_sizes_get},
    {"environ_get", "ii", environ_get},
    {"environ_sizes_get", "ii", environ_sizes_get},
    {"clock_res_get", "ii", clock_res_get},
    {"clock_time_get", "iIi", clock_time_get},
    {"fd_advise", "iIIi", fd_advise},
    {"fd_allocate", "iII", fd_allocate},
    {"fd_close", "i", fd_close},
    {"fd_datasync", "i", fd_datasync},
    {"fd_fdstat_get", "ii", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", fd_filestat_get},
    {"fd_filestat_set_size", "iI", fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", fd_filestat_set_times},
    {"fd_pread", "iiiIi", fd_pread},
    {"fd_prestat_get", "ii", fd_prestat_get},
    {"fd_prestat_dir_name", "iii", fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", fd_pwrite},
    {"fd_read", "iiii", fd_read},
    {"fd_readdir", "iiiIi", fd_readdir},
    {"fd_renumber", "ii", fd_renumber},
    {"fd_seek", "iIii", fd_seek},
    {"fd_sync", "i", fd_sync},
    {"fd_tell", "ii", fd_tell},
    {"fd_write", "iiii", fd_write},
    {"path_create_directory", "iii", path_create_directory},
    {"path_filestat_get", "iiiii", path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", path_filestat_set_times},
    {"path_link", "iiiiiii", path_link},
    {"path_open", "iiiiiIIii", path_open},
    {"path_readlink", "iiiiii", path_readlink},
    {"path_remove_directory", "iii", path_remove_directory},
    {"path_rename", "iiiiii", path_rename},
    {"path_symlink", "iiiii", path_symlink},
    {"path_unlink_file", "iii", path_unlink_file},
    {"poll_oneoff", "iiii", poll_oneoff},
    {"random_get", "ii", random_get},
    {"sched_yield", "", sched_yield_},
    {"sock_accept", "iii", sock_accept},
    {"sock_recv", "iiiiii", sock_recv},
    {"sock_send", "iiiii", sock_send},
    {"sock_shutdown", "ii", sock_shutdown},
};

wasm::FuncType signature(const char* params, bool returns_errno) {
  wasm::FuncType t;
  for (const char* p = params; *p; ++p)
    t.params.push_back(*p == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
  if (returns_errno) t.results.push_back(wasm::ValType::I32);
  return t;
}

}  // namespace

void add_to_linker(wasm::Linker& linker) {
  constexpr const char* kModule = "wasi_snapshot_preview1";
  for (const auto& f : kFunctions) {
    Handler handler = f.handler;
    linker.define_host(kModule, f.name, signature(f.params, true),
                       [handler](HostContext& ctx, std::span<const RawValue> args,
                                 std::span<RawValue> results) -> Result<void, Trap> {
                         if (!ctx.store().host_state()) {
                           return unexpected(Trap::make(Trap::Kind::Host, "WASI is not set up"));
                         }
                         Call call(ctx, args);
                         results[0] = handler(call);
                         return {};
                       });
  }
  linker.define_host(
      kModule, "proc_exit", signature("i", false),
      [](HostContext&, std::span<const RawValue> args, std::span<RawValue>) -> Result<void, Trap> {
        return unexpected(Trap::exit(static_cast<int32_t>(args[0])));
      });
  linker.define_host(
      kModule, "proc_raise", signature("i", true),
      [](HostContext&, std::span<const RawValue> args, std::span<RawValue>) -> Result<void, Trap> {
        return unexpected(Trap::make(
            Trap::Kind::Host, "the guest raised signal " + std::to_string(uint32_t(args[0]))));
      });
}

}  // namespace wasmdapr::wasi
