// Escape attempts from the preopened directories must fail: `..`, absolute paths, symlinks
// leading out, the preopen's parent, and writes through a read-only preopen (/ro).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void) {
  CHECK_ERRNO(open("/work/../outside.txt", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(opendir("/work/..") == NULL ? -1 : 0, ENOTCAPABLE);
  // Paths under no preopen have no capability to resolve them.
  CHECK_ERRNO(open("/etc/passwd", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(open("outside.txt", O_RDONLY), ENOTCAPABLE);

  // A symlink pointing out of the sandbox cannot be followed.
  CHECK(mkdir("/work/sub", 0755) == 0);
  CHECK_ERRNO(open("/work/sub/../../outside.txt", O_RDONLY), ENOTCAPABLE);
  CHECK(symlink("../..", "/work/sub/up") == 0);
  CHECK_ERRNO(open("/work/sub/up/outside.txt", O_RDONLY), ENOTCAPABLE);
  struct stat st;
  CHECK_ERRNO(stat("/work/sub/up", &st), ENOTCAPABLE);
  CHECK(symlink("..", "/work/sub/parent") == 0);  // inside: fine
  CHECK(stat("/work/sub/parent", &st) == 0 && S_ISDIR(st.st_mode));
  // Absolute link targets can never stay inside.
  CHECK_ERRNO(symlink("/etc/passwd", "/work/abs"), ENOTCAPABLE);
  // Creating, renaming or removing through `..` out of the preopen fails too.
  CHECK_ERRNO(mkdir("/work/../made-outside", 0755), ENOTCAPABLE);
  CHECK_ERRNO(rename("/work/sub", "/work/../moved"), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/work/../outside.txt"), ENOTCAPABLE);

  // The read-only preopen: reading works, changing anything does not.
  int fd = open("/ro/readme.txt", O_RDONLY);
  CHECK(fd >= 0);
  char buf[16] = {0};
  CHECK(read(fd, buf, sizeof buf) > 0);
  close(fd);
  // wasi-libc asks only for the rights the directory passes on, so opening for writing may
  // succeed with a descriptor that cannot write.
  fd = open("/ro/readme.txt", O_WRONLY);
  if (fd >= 0) {
    // wasi-libc reports the missing right as POSIX does for a descriptor not open for writing.
    errno = 0;
    CHECK(write(fd, "x", 1) == -1 && (errno == EBADF || errno == ENOTCAPABLE));
    errno = 0;
    CHECK(ftruncate(fd, 0) == -1 && (errno == EBADF || errno == ENOTCAPABLE || errno == EINVAL));
    close(fd);
  } else {
    CHECK(errno == ENOTCAPABLE);
  }
  CHECK_ERRNO(open("/ro/readme.txt", O_WRONLY | O_TRUNC), ENOTCAPABLE);
  CHECK_ERRNO(open("/ro/new.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/ro/readme.txt"), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/ro/dir", 0755), ENOTCAPABLE);
  printf("sandbox ok\n");
  return 0;
}
