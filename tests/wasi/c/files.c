// Files and directories in a preopened directory (/work): every path_* and fd_* call that
// ordinary C code makes.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(close(fd) == 0);
}

int main(void) {
  write_file("/work/a.txt", "hello, file");
  char buf[64] = {0};
  int fd = open("/work/a.txt", O_RDWR);
  CHECK(fd >= 0);
  CHECK(read(fd, buf, sizeof buf) == 11);
  CHECK(strcmp(buf, "hello, file") == 0);
  CHECK(lseek(fd, 7, SEEK_SET) == 7);
  CHECK(write(fd, "FILE", 4) == 4);
  CHECK(lseek(fd, 0, SEEK_CUR) == 11);
  CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0);
  CHECK(pwrite(fd, "J", 1, 0) == 1);
  CHECK(ftruncate(fd, 5) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
  CHECK(fsync(fd) == 0);
  CHECK(close(fd) == 0);
  memset(buf, 0, sizeof buf);
  fd = open("/work/a.txt", O_RDONLY);
  CHECK(read(fd, buf, sizeof buf) == 5 && strcmp(buf, "Jello") == 0);
  close(fd);

  // Appending.
  fd = open("/work/a.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0 && write(fd, "!", 1) == 1);
  close(fd);
  CHECK(stat("/work/a.txt", &st) == 0 && st.st_size == 6);

  // Exclusive creation of an existing file.
  CHECK_ERRNO(open("/work/a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK_ERRNO(open("/work/missing.txt", O_RDONLY), ENOENT);

  // Directories, listing, renames, links.
  CHECK(mkdir("/work/sub", 0755) == 0);
  CHECK_ERRNO(mkdir("/work/sub", 0755), EEXIST);
  write_file("/work/sub/one", "1");
  write_file("/work/sub/two", "2");
  CHECK(rename("/work/sub/two", "/work/sub/three") == 0);
  CHECK(link("/work/sub/one", "/work/sub/one-link") == 0);
  CHECK(symlink("one", "/work/sub/one-sym") == 0);
  char target[32] = {0};
  CHECK(readlink("/work/sub/one-sym", target, sizeof target) == 3 && strcmp(target, "one") == 0);
  CHECK(lstat("/work/sub/one-sym", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(stat("/work/sub/one-sym", &st) == 0 && S_ISREG(st.st_mode));

  DIR* dir = opendir("/work/sub");
  CHECK(dir != NULL);
  int names = 0, seen_three = 0;
  struct dirent* e;
  while ((e = readdir(dir)) != NULL) {
    ++names;
    if (strcmp(e->d_name, "three") == 0) seen_three = e->d_type == DT_REG;
  }
  closedir(dir);
  CHECK(names == 6);  // . .. one one-link one-sym three
  CHECK(seen_three);

  CHECK_ERRNO(rmdir("/work/sub"), ENOTEMPTY);
  CHECK(unlink("/work/sub/one") == 0 && unlink("/work/sub/one-link") == 0);
  CHECK(unlink("/work/sub/one-sym") == 0 && unlink("/work/sub/three") == 0);
  CHECK(rmdir("/work/sub") == 0);
  CHECK_ERRNO(unlink("/work/sub"), ENOENT);
  printf("files ok\n");
  return 0;
}
