// Shared by every kernel. Kernels are freestanding C: no libc, so the same source builds for
// wasm32 (without a sysroot) and for the native harness.
//
// Contract of a kernel: `uint32_t bench_<name>(uint32_t reps)` repeats one fixed unit of work
// `reps` times and returns a checksum of everything it computed. Each repetition depends on
// the previous one's result, so a compiler cannot hoist the work out of the loop, and the
// time per repetition is the same whatever `reps` is (the driver normalises by it).
#pragma once

#include <stdint.h>

#define KERNEL_SEED 2166136261u

// Folds one value into a running checksum (FNV-style multiply plus a shift to spread high bits).
static inline uint32_t checksum_mix(uint32_t hash, uint32_t value) {
  hash ^= value;
  hash *= 16777619u;
  return hash ^ (hash >> 15);
}

// A small deterministic generator for filling buffers.
static inline uint32_t xorshift32(uint32_t* state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}
