// The smallest useful WASI program: one line to stdout.
#include <stdio.h>

int main(void) {
  puts("hello");
  return 0;
}
