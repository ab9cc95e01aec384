// Native harness: runs one kernel compiled from the same C as the wasm modules.
//   bench_native KERNEL REPS     prints "checksum=<u32> seconds=<in-process time>"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint32_t bench_fib(uint32_t reps);
uint32_t bench_sieve(uint32_t reps);
uint32_t bench_matmul_f64(uint32_t reps);
uint32_t bench_matmul_i32(uint32_t reps);
uint32_t bench_sha256(uint32_t reps);
uint32_t bench_memcopy(uint32_t reps);
uint32_t bench_strided(uint32_t reps);
uint32_t bench_interp(uint32_t reps);
uint32_t bench_nbody(uint32_t reps);

typedef uint32_t (*KernelFn)(uint32_t);

static const struct {
  const char* name;
  KernelFn run;
} kernels[] = {
    {"fib", bench_fib},
    {"sieve", bench_sieve},
    {"matmul_f64", bench_matmul_f64},
    {"matmul_i32", bench_matmul_i32},
    {"sha256", bench_sha256},
    {"memcopy", bench_memcopy},
    {"strided", bench_strided},
    {"interp", bench_interp},
    {"nbody", bench_nbody},
};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(void) {
  fprintf(stderr, "usage: bench_native KERNEL REPS\nkernels:");
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; ++i)
    fprintf(stderr, " %s", kernels[i].name);
  fprintf(stderr, "\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc != 3) return usage();
  char* end = NULL;
  errno = 0;
  unsigned long reps = strtoul(argv[2], &end, 10);
  if (errno != 0 || *end != '\0' || reps > UINT32_MAX) {
    fprintf(stderr, "bench_native: REPS must be an unsigned 32-bit integer, got '%s'\n", argv[2]);
    return 2;
  }
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
    if (strcmp(kernels[i].name, argv[1]) != 0) continue;
    double start = now_seconds();
    uint32_t checksum = kernels[i].run((uint32_t)reps);
    double elapsed = now_seconds() - start;
    printf("checksum=%u seconds=%.6f\n", checksum, elapsed);
    return 0;
  }
  fprintf(stderr, "bench_native: unknown kernel '%s'\n", argv[1]);
  return usage();
}
