/* wc: prints the lines, words and bytes of each file, or of standard
 * input when no file is given. */
#include <stdio.h>
#include <stdlib.h>

#include "wc.h"

/* Reads all of in into a buffer that the caller frees; NULL on error. */
static char *read_all(FILE *in, size_t *len) {
  size_t cap = 4096;
  char *buf = malloc(cap);
  *len = 0;
  while (buf != NULL) {
    *len += fread(buf + *len, 1, cap - *len, in);
    if (*len < cap) break; /* end of input, or a read error */
    char *bigger = realloc(buf, cap * 2);
    if (bigger == NULL) free(buf);
    buf = bigger;
    cap *= 2;
  }
  if (buf != NULL && ferror(in)) {
    free(buf);
    buf = NULL;
  }
  return buf;
}

static int count_stream(FILE *in, const char *name) {
  size_t len;
  char *text = read_all(in, &len);
  if (text == NULL) {
    fprintf(stderr, "wc: %s: read failed\n", name);
    return 1;
  }
  struct wc_counts counts;
  wc_count(text, len, &counts);
  free(text);
  printf("%7zu %7zu %7zu %s\n", counts.lines, counts.words, counts.bytes,
         name);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return count_stream(stdin, "-");
  int status = 0;
  for (int i = 1; i < argc; i++) {
    FILE *in = fopen(argv[i], "rb");
    if (in == NULL) {
      perror(argv[i]);
      status = 1;
      continue;
    }
    status |= count_stream(in, argv[i]);
    fclose(in);
  }
  return status;
}
