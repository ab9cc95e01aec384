#include "wasi/wasi_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/wasi_abi.h"

namespace wasmdapr::wasi {

Descriptor::~Descriptor() {
  if (host_fd >= 0) ::close(host_fd);
}

namespace {

std::unique_ptr<Descriptor> stdio_descriptor(int host_fd, bool readable) {
  auto d = std::make_unique<Descriptor>();
  d->host_fd = ::fcntl(host_fd, F_DUPFD_CLOEXEC, 0);
  struct stat st {};
  d->filetype = (d->host_fd >= 0 && ::fstat(d->host_fd, &st) == 0) ? filetype_of(st.st_mode)
                                                                   : kFiletypeCharacterDevice;
  d->rights_base = readable ? kRightsStdin : kRightsStdout;
  if (d->filetype == kFiletypeRegularFile) d->rights_base |= kRightFdSeek | kRightFdTell;
  return d;
}

}  // namespace

Result<std::unique_ptr<WasiContext>, std::string> WasiContext::create(const WasiConfig& config) {
  auto ctx = std::make_unique<WasiContext>();
  ctx->config_ = config;
  ctx->fds_[0] = stdio_descriptor(config.stdin_fd, true);
  ctx->fds_[1] = stdio_descriptor(config.stdout_fd, false);
  ctx->fds_[2] = stdio_descriptor(config.stderr_fd, false);
  uint32_t next = 3;
  for (const auto& p : config.preopens) {
    int fd = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return unexpected("cannot preopen " + p.host_path + ": " + std::strerror(errno));
    }
    auto d = std::make_unique<Descriptor>();
    d->host_fd = fd;
    d->filetype = kFiletypeDirectory;
    d->rights_base = p.read_only ? kRightsDirectoryReadOnly : kRightsDirectory;
    d->rights_inheriting = p.read_only ? kRightsReadOnlyInherited : kRightsAll;
    d->is_preopen = true;
    d->preopen_name = p.guest_path;
    ctx->fds_[next++] = std::move(d);
  }
  for (int socket : config.listen_sockets) {
    auto d = std::make_unique<Descriptor>();
    d->host_fd = ::fcntl(socket, F_DUPFD_CLOEXEC, 0);
    if (d->host_fd < 0)
      return unexpected(std::string("cannot preopen a socket: ") + std::strerror(errno));
    d->filetype = kFiletypeSocketStream;
    d->rights_base =
        kRightSockAccept | kRightPollFdReadwrite | kRightFdFdstatSetFlags | kRightFdFilestatGet;
    ctx->fds_[next++] = std::move(d);
  }
  return ctx;
}

Descriptor* WasiContext::find(uint32_t fd) {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : it->second.get();
}

uint32_t WasiContext::insert(std::unique_ptr<Descriptor> d) {
  uint32_t fd = 0;
  while (fds_.contains(fd)) ++fd;
  fds_[fd] = std::move(d);
  return fd;
}

bool WasiContext::close(uint32_t fd) {
  return fds_.erase(fd) > 0;
}

bool WasiContext::renumber(uint32_t from, uint32_t to) {
  auto it = fds_.find(from);
  if (it == fds_.end() || !fds_.contains(to)) return false;
  if (from == to) return true;  // moving onto itself must not close it
  fds_[to] = std::move(it->second);
  fds_.erase(from);
  return true;
}

}  // namespace wasmdapr::wasi
