// Path calls at their edges, through the raw wasi_snapshot_preview1 API: empty paths,
// trailing slashes, and calls that follow a symlink (which must stay inside the sandbox).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static __wasi_filestat_t path_stat(__wasi_fd_t dir, const char* path, int follow) {
  __wasi_filestat_t stat;
  CHECK_WASI(
      __wasi_path_filestat_get(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &stat),
      __WASI_ERRNO_SUCCESS);
  return stat;
}

int main(void) {
  int dir = open("/work", O_RDONLY | O_DIRECTORY);
  CHECK(dir >= 0);
  int fd = open("/work/file", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
  CHECK(mkdir("/work/sub", 0755) == 0);
  CHECK(symlink("file", "/work/inside") == 0);
  CHECK(symlink("..", "/work/up") == 0);                  // the directory holding /work
  CHECK(symlink("../outside.txt", "/work/secret") == 0);  // a file outside

  // An empty path names nothing.
  __wasi_fd_t opened;
  __wasi_filestat_t stat;
  size_t used;
  uint8_t buf[16];
  CHECK_WASI(__wasi_path_open(dir, 0, "", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened),
             __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_filestat_get(dir, 0, "", &stat), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_create_directory(dir, ""), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_remove_directory(dir, ""), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_unlink_file(dir, ""), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_readlink(dir, "", buf, sizeof buf, &used), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_rename(dir, "", dir, "renamed"), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_symlink("", dir, "empty_link"), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_symlink("file", dir, ""), __WASI_ERRNO_NOENT);
  CHECK_WASI(__wasi_path_link(dir, 0, "", dir, "linked"), __WASI_ERRNO_NOENT);
  CHECK(path_stat(dir, ".", 0).filetype == __WASI_FILETYPE_DIRECTORY);  // "." is the directory

  // Unlinking "name/": the name itself must be a directory; a symlink is not followed (so
  // nothing is learnt about where one leading out points).
  CHECK_WASI(__wasi_path_unlink_file(dir, "sub/"), __WASI_ERRNO_ISDIR);
  CHECK_WASI(__wasi_path_unlink_file(dir, "file/"), __WASI_ERRNO_NOTDIR);
  CHECK_WASI(__wasi_path_unlink_file(dir, "up/"), __WASI_ERRNO_NOTDIR);
  CHECK_WASI(__wasi_path_unlink_file(dir, "missing/"), __WASI_ERRNO_NOENT);

  // Linking from "name/": the slash follows a symlink, but only beneath the directory.
  CHECK_WASI(__wasi_path_link(dir, 0, "sub/", dir, "linked"), __WASI_ERRNO_PERM);
  CHECK_WASI(__wasi_path_link(dir, 0, "file/", dir, "linked"), __WASI_ERRNO_NOTDIR);
  CHECK_WASI(__wasi_path_link(dir, 0, "up/", dir, "linked"), __WASI_ERRNO_NOTCAPABLE);

  // Linking through a followed symlink links its target; one leading out is refused.
  CHECK_WASI(__wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "inside", dir, "hard"),
             __WASI_ERRNO_SUCCESS);
  __wasi_filestat_t hard = path_stat(dir, "hard", 0);
  CHECK(hard.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(hard.ino == path_stat(dir, "file", 0).ino && hard.nlink == 2);
  CHECK_WASI(__wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "secret", dir, "stolen"),
             __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_filestat_get(dir, 0, "stolen", &stat), __WASI_ERRNO_NOENT);
  // Without following, the symlink itself is linked.
  CHECK_WASI(__wasi_path_link(dir, 0, "secret", dir, "secret2"), __WASI_ERRNO_SUCCESS);
  CHECK(path_stat(dir, "secret2", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);

  // Setting times through a followed symlink changes its target, never one outside.
  const __wasi_timestamp_t when = 1000000000ull * 1234567;
  CHECK_WASI(__wasi_path_filestat_set_times(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "inside", 0,
                                            when, __WASI_FSTFLAGS_MTIM),
             __WASI_ERRNO_SUCCESS);
  CHECK(path_stat(dir, "file", 0).mtim == when);
  CHECK(path_stat(dir, "inside", 0).mtim != when);
  CHECK_WASI(__wasi_path_filestat_set_times(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "secret", 0,
                                            when, __WASI_FSTFLAGS_MTIM),
             __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_filestat_set_times(dir, 0, "secret", 0, when, __WASI_FSTFLAGS_MTIM),
             __WASI_ERRNO_SUCCESS);  // the link's own times: it is inside
  CHECK(path_stat(dir, "secret", 0).mtim == when);

  printf("paths ok\n");
  return 0;
}
