// Strided access over a 4 MiB matrix: column-order traversal (one 4 KiB stride per step) and a
// large odd stride around the whole array, so most accesses leave the cache line just read.
#include "kernel.h"

#define STRIDED_DIM 1024u
#define STRIDED_WORDS (STRIDED_DIM * STRIDED_DIM)
#define ODD_STRIDE 4099u

static uint32_t grid[STRIDED_WORDS];

uint32_t bench_strided(uint32_t reps) {
  for (uint32_t i = 0; i < STRIDED_WORDS; ++i) grid[i] = i * 2654435761u;
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    uint32_t column_sum = 0;
    for (uint32_t col = 0; col < STRIDED_DIM; col += 4) {
      for (uint32_t row = 0; row < STRIDED_DIM; ++row) {
        uint32_t* cell = &grid[row * STRIDED_DIM + col];
        column_sum += *cell;
        *cell ^= row + r;
      }
    }
    uint32_t index = hash & (STRIDED_WORDS - 1u);
    uint32_t walk_sum = 0;
    for (uint32_t step = 0; step < STRIDED_WORDS / 4u; ++step) {
      walk_sum += grid[index];
      index = (index + ODD_STRIDE) & (STRIDED_WORDS - 1u);
    }
    hash = checksum_mix(checksum_mix(hash, column_sum), walk_sum);
  }
  return hash;
}
