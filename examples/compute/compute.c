// A small compute module for wasmdapr: built with clang-16 --target=wasm32, no libc.
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("fib") uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

// Number of primes below n (sieve of Eratosthenes over a static bitmap).
static uint8_t composite[1 << 20];

EXPORT("primes") uint32_t primes(uint32_t n) {
  if (n > sizeof composite) n = sizeof composite;
  uint32_t count = 0;
  for (uint32_t i = 0; i < n; ++i) composite[i] = 0;
  for (uint32_t i = 2; i < n; ++i) {
    if (composite[i]) continue;
    ++count;
    for (uint32_t j = i * 2; j < n; j += i) composite[j] = 1;
  }
  return count;
}
