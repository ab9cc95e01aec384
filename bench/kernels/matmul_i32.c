// Dense matrix multiply on 32-bit integers with wrap-around arithmetic.
#include "kernel.h"

#define MATMUL_N 64

static uint32_t a[MATMUL_N][MATMUL_N];
static uint32_t b[MATMUL_N][MATMUL_N];
static uint32_t c[MATMUL_N][MATMUL_N];

static void fill_inputs(uint32_t seed) {
  uint32_t state = seed | 1u;
  for (int i = 0; i < MATMUL_N; ++i) {
    for (int j = 0; j < MATMUL_N; ++j) {
      a[i][j] = xorshift32(&state);
      b[i][j] = xorshift32(&state);
    }
  }
}

static void multiply(void) {
  for (int i = 0; i < MATMUL_N; ++i) {
    for (int j = 0; j < MATMUL_N; ++j) c[i][j] = 0;
    for (int k = 0; k < MATMUL_N; ++k) {
      uint32_t aik = a[i][k];
      for (int j = 0; j < MATMUL_N; ++j) c[i][j] += aik * b[k][j];
    }
  }
}

uint32_t bench_matmul_i32(uint32_t reps) {
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    fill_inputs(hash);
    multiply();
    for (int i = 0; i < MATMUL_N; ++i) {
      for (int j = 0; j < MATMUL_N; ++j) hash = checksum_mix(hash, c[i][j]);
    }
  }
  return hash;
}
