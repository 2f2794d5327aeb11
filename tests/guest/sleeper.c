// Sleeps for argv[1] milliseconds (through WASI poll_oneoff), then prints
// "awake" and exits 0.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  long ms = argc > 1 ? atol(argv[1]) : 1000;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  printf("awake\n");
  return 0;
}
