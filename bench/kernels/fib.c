// Recursive Fibonacci: call and return overhead, almost no memory traffic.
#include "kernel.h"

#define FIB_DEPTH 25u

// `salt` only shifts the leaves, so every repetition has the same call tree but a different
// result, which keeps the call from being treated as loop-invariant.
static uint32_t fib(uint32_t n, uint32_t salt) {
  if (n < 2) return n + salt;
  return fib(n - 1, salt) + fib(n - 2, salt);
}

uint32_t bench_fib(uint32_t reps) {
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) hash = checksum_mix(hash, fib(FIB_DEPTH, hash & 1u));
  return hash;
}
