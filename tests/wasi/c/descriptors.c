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

  printf("descriptors ok\n");
  return 0;
}
