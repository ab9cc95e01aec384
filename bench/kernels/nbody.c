// N-body simulation in double precision: divisions and square roots in a pair loop.
// Gravity is softened so bodies never meet, keeping every value finite; the checksum takes
// the exact bit patterns, which IEEE 754 arithmetic makes identical on every engine.
#include "kernel.h"

#define BODIES 5
#define STEPS_PER_REP 1000
#define SOFTENING 0.01
#define TIME_STEP 0.001

typedef struct {
  double x, y, z;
  double vx, vy, vz;
  double mass;
} Body;

static Body bodies[BODIES];

static void place_bodies(void) {
  for (int i = 0; i < BODIES; ++i) {
    bodies[i].x = (double)(i * 2 - 4);
    bodies[i].y = (double)((i * 3) % 5 - 2);
    bodies[i].z = (double)((i * 7) % 3 - 1) * 0.5;
    bodies[i].vx = (double)(i % 2) * 0.25 - 0.125;
    bodies[i].vy = (double)((i + 1) % 3) * 0.125;
    bodies[i].vz = 0.0;
    bodies[i].mass = i == 0 ? 10.0 : 1.0 + 0.25 * i;
  }
}

static void advance(double dt) {
  for (int i = 0; i < BODIES; ++i) {
    for (int j = i + 1; j < BODIES; ++j) {
      double dx = bodies[i].x - bodies[j].x;
      double dy = bodies[i].y - bodies[j].y;
      double dz = bodies[i].z - bodies[j].z;
      double distance_squared = dx * dx + dy * dy + dz * dz + SOFTENING;
      double distance = __builtin_sqrt(distance_squared);
      double magnitude = dt / (distance_squared * distance);
      bodies[i].vx -= dx * bodies[j].mass * magnitude;
      bodies[i].vy -= dy * bodies[j].mass * magnitude;
      bodies[i].vz -= dz * bodies[j].mass * magnitude;
      bodies[j].vx += dx * bodies[i].mass * magnitude;
      bodies[j].vy += dy * bodies[i].mass * magnitude;
      bodies[j].vz += dz * bodies[i].mass * magnitude;
    }
  }
  for (int i = 0; i < BODIES; ++i) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

static uint32_t bits_of(double value) {
  union {
    double d;
    uint64_t u;
  } pun = {value};
  return (uint32_t)pun.u ^ (uint32_t)(pun.u >> 32);
}

uint32_t bench_nbody(uint32_t reps) {
  place_bodies();
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    for (int s = 0; s < STEPS_PER_REP; ++s) advance(TIME_STEP);
    for (int i = 0; i < BODIES; ++i) {
      hash = checksum_mix(hash, bits_of(bodies[i].x));
      hash = checksum_mix(hash, bits_of(bodies[i].vy));
    }
  }
  return hash;
}
