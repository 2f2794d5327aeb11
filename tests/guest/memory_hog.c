// Allocates argv[1] MiB in 1 MiB steps, touching each page, and prints
// the total. A denied memory growth stops the run before malloc returns.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Keeps the blocks reachable so the compiler cannot drop the allocations.
static char* volatile blocks[4096];

int main(int argc, char** argv) {
  long mib = argc > 1 ? atol(argv[1]) : 1024;
  long done = 0;
  long checksum = 0;
  for (long i = 0; i < mib && i < 4096; ++i) {
    char* p = malloc(1 << 20);
    if (!p) {
      printf("malloc failed after %ld MiB\n", done);
      return 3;
    }
    memset(p, (int)(i & 0x7f), 1 << 20);
    blocks[i] = p;
    checksum += blocks[i][i % (1 << 20)];
    ++done;
  }
  printf("allocated %ld MiB\n", done);
  return checksum < 0 ? 1 : 0;
}
