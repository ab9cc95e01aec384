// Tiny assertion helper for the WASI test guests: prints what failed and exits 1.
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      printf("FAILED %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond,     \
             errno, strerror(errno));                                            \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

#define CHECK_ERRNO(expr, expected)                                              \
  do {                                                                           \
    errno = 0;                                                                   \
    long result_ = (long)(expr);                                                 \
    if (result_ != -1 || errno != (expected)) {                                  \
      printf("FAILED %s:%d: %s gave %ld, errno %d (%s), expected errno %d (%s)\n", \
             __FILE__, __LINE__, #expr, result_, errno, strerror(errno), expected, \
             strerror(expected));                                                \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)
