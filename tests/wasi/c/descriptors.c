// Descriptor calls at their edges, through the raw wasi_snapshot_preview1 API.
#include <fcntl.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
  __wasi_fdstat_t stat;
  CHECK_WASI(__wasi_fd_fdstat_get(fd, &stat), __WASI_ERRNO_SUCCESS);
  return stat;
}

int main(void) {
  int dir = open("/work", O_RDONLY | O_DIRECTORY);
  CHECK(dir >= 0);

  // Renumbering a descriptor onto itself leaves it open, like dup2(fd, fd).
  CHECK_WASI(__wasi_fd_renumber(dir, dir), __WASI_ERRNO_SUCCESS);
  CHECK(fdstat(dir).fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK_WASI(__wasi_fd_renumber(999, 999), __WASI_ERRNO_BADF);
  CHECK_WASI(__wasi_fd_renumber(dir, 999), __WASI_ERRNO_BADF);
  CHECK(fdstat(dir).fs_filetype == __WASI_FILETYPE_DIRECTORY);

  // More buffers than the host takes in one call (IOV_MAX, 1024) is a valid request: the write
  // is short, never an error; a read likewise.
  static __wasi_ciovec_t out[1500];
  static char bytes[1500];
  for (int i = 0; i < 1500; ++i) out[i] = (__wasi_ciovec_t){(const uint8_t*)&bytes[i], 1};
  int file = open("/work/many", O_RDWR | O_CREAT, 0644);
  CHECK(file >= 0);
  size_t done = 0;
  CHECK_WASI(__wasi_fd_write(file, out, 1500, &done), __WASI_ERRNO_SUCCESS);
  CHECK(done > 0 && done <= 1500);
  CHECK(write(file, bytes, 1500 - done) == (ssize_t)(1500 - done));
  static __wasi_iovec_t in[1500];
  for (int i = 0; i < 1500; ++i) in[i] = (__wasi_iovec_t){(uint8_t*)&bytes[i], 1};
  CHECK_WASI(__wasi_fd_pread(file, in, 1500, 0, &done), __WASI_ERRNO_SUCCESS);
  CHECK(done > 0 && done <= 1500);
  // An iovec array outside memory is still a fault.
  CHECK_WASI(__wasi_fd_write(file, (const __wasi_ciovec_t*)0xfffffff0, 4, &done),
             __WASI_ERRNO_FAULT);
  close(file);

  printf("descriptors ok\n");
  return 0;
}
