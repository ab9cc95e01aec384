// Memory-heavy loops in the style of memset, memcpy and memmove on a 64 KiB buffer.
#include "kernel.h"

#define COPY_WORDS (16u * 1024u)
#define COPY_BYTES (COPY_WORDS * 4u)

static uint32_t source[COPY_WORDS];
static uint32_t target[COPY_WORDS];

static void fill_bytes(uint8_t* bytes, uint8_t value, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) bytes[i] = value;
}

static void copy_words(uint32_t* to, const uint32_t* from, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) to[i] = from[i];
}

// An overlapping byte copy one position up, walking backwards as memmove must.
static void shift_bytes_up(uint8_t* bytes, uint32_t count) {
  for (uint32_t i = count - 1; i > 0; --i) bytes[i] = bytes[i - 1];
}

uint32_t bench_memcopy(uint32_t reps) {
  uint32_t fill = 12345u;
  for (uint32_t i = 0; i < COPY_WORDS; ++i) source[i] = xorshift32(&fill);
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    fill_bytes((uint8_t*)target, (uint8_t)hash, COPY_BYTES);
    copy_words(target + (r & 7u), source, COPY_WORDS - 8u);
    shift_bytes_up((uint8_t*)target, COPY_BYTES);
    copy_words(source, target, COPY_WORDS);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < COPY_WORDS; i += 64) sum += source[i] ^ i;
    hash = checksum_mix(hash, sum);
  }
  return hash;
}
