// Tiny assertion helper for the WASI test guests: prints what failed and exits 1.
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      printf("FAILED %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, errno, \
             strerror(errno));                                                      \
      exit(1);                                                                      \
    }                                                                               \
  } while (0)

#define CHECK_ERRNO(expr, expected)                                                           \
  do {                                                                                        \
    errno = 0;                                                                                \
    long result_ = (long)(expr);                                                              \
    if (result_ != -1 || errno != (expected)) {                                               \
      printf("FAILED %s:%d: %s gave %ld, errno %d (%s), expected errno %d (%s)\n", __FILE__,  \
             __LINE__, #expr, result_, errno, strerror(errno), expected, strerror(expected)); \
      exit(1);                                                                                \
    }                                                                                         \
  } while (0)

// For the raw wasi_snapshot_preview1 calls of <wasi/api.h>, which return the errno.
#define CHECK_WASI(expr, expected)                                                            \
  do {                                                                                        \
    int got_ = (int)(expr);                                                                   \
    if (got_ != (int)(expected)) {                                                            \
      printf("FAILED %s:%d: %s gave WASI errno %d, expected %d\n", __FILE__, __LINE__, #expr, \
             got_, (int)(expected));                                                          \
      exit(1);                                                                                \
    }                                                                                         \
  } while (0)
