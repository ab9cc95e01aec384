// Arguments, environment, clocks, randomness, sleeping, stdin and the exit status.
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char** argv) {
  CHECK(argc == 3);
  CHECK(strcmp(argv[1], "first") == 0 && strcmp(argv[2], "second arg") == 0);
  CHECK(getenv("GREETING") && strcmp(getenv("GREETING"), "hi there") == 0);
  CHECK(getenv("PATH") == NULL);  // nothing leaks from the host environment
  extern char** environ;
  int vars = 0;
  for (char** e = environ; *e; ++e) ++vars;
  CHECK(vars == 1);

  struct timespec a, b, res;
  CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  struct timespec nap = {0, 20 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
  int64_t slept = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
  CHECK(slept >= 20 * 1000 * 1000);
  CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);

  unsigned char r1[32] = {0}, r2[32] = {0};
  CHECK(getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0);
  CHECK(memcmp(r1, r2, sizeof r1) != 0);

  // Echo stdin to stdout, upper-cased.
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    for (char* p = line; *p; ++p) {
      if (*p >= 'a' && *p <= 'z') *p -= 32;
    }
    fputs(line, stdout);
  }
  fflush(stdout);
  exit(42);
}
