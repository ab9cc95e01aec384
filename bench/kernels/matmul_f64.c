// Dense matrix multiply in double precision. Inputs are small integers, so every product and
// partial sum is exact and the result does not depend on how an engine orders the additions.
#include "kernel.h"

#define MATMUL_N 64

static double a[MATMUL_N][MATMUL_N];
static double b[MATMUL_N][MATMUL_N];
static double c[MATMUL_N][MATMUL_N];

static void fill_inputs(uint32_t round) {
  for (int i = 0; i < MATMUL_N; ++i) {
    for (int j = 0; j < MATMUL_N; ++j) {
      a[i][j] = (double)((int)((i * 7u + j * 3u + round) % 11u) - 5);
      b[i][j] = (double)((int)((i * 5u + j * 13u + round) % 9u) - 4);
    }
  }
}

static void multiply(void) {
  for (int i = 0; i < MATMUL_N; ++i) {
    for (int j = 0; j < MATMUL_N; ++j) c[i][j] = 0.0;
    for (int k = 0; k < MATMUL_N; ++k) {
      double aik = a[i][k];
      for (int j = 0; j < MATMUL_N; ++j) c[i][j] += aik * b[k][j];
    }
  }
}

uint32_t bench_matmul_f64(uint32_t reps) {
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    fill_inputs(r + (hash & 1u));
    multiply();
    for (int i = 0; i < MATMUL_N; ++i) {
      for (int j = 0; j < MATMUL_N; ++j) hash = checksum_mix(hash, (uint32_t)(int32_t)c[i][j]);
    }
  }
  return hash;
}
