// A minimal guest: prints a greeting and its arguments, then exits 0.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("hello from the boxagnts sandbox\n");
  for (int i = 1; i < argc; ++i) printf("arg %d: %s\n", i, argv[i]);
  return 0;
}
