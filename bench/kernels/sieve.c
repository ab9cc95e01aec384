// Sieve of Eratosthenes over a byte array: byte stores with variable strides, tight loops.
#include "kernel.h"

#define SIEVE_LIMIT (1u << 17)

static uint8_t composite[SIEVE_LIMIT];

static uint32_t count_primes(void) {
  for (uint32_t i = 0; i < SIEVE_LIMIT; ++i) composite[i] = 0;
  for (uint32_t i = 2; i * i < SIEVE_LIMIT; ++i) {
    if (composite[i]) continue;
    for (uint32_t j = i * i; j < SIEVE_LIMIT; j += i) composite[j] = 1;
  }
  uint32_t count = 0;
  for (uint32_t i = 2; i < SIEVE_LIMIT; ++i) count += composite[i] ? 0u : 1u;
  return count;
}

uint32_t bench_sieve(uint32_t reps) {
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) hash = checksum_mix(hash, count_primes() + r);
  return hash;
}
