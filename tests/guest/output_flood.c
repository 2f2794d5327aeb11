// Writes argv[1] bytes of 'x' to stdout and argv[2] bytes of 'y' to stderr,
// then prints "done" to stderr's end and exits 7.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void flood(int fd, long count, char c) {
  char buf[4096];
  memset(buf, c, sizeof(buf));
  while (count > 0) {
    long n = count < (long)sizeof(buf) ? count : (long)sizeof(buf);
    write(fd, buf, (size_t)n);
    count -= n;
  }
}

int main(int argc, char** argv) {
  flood(1, argc > 1 ? atol(argv[1]) : 0, 'x');
  flood(2, argc > 2 ? atol(argv[2]) : 0, 'y');
  return 7;
}
