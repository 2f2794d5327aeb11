#include "wc.h"

#include <ctype.h>

void wc_count(const char *text, size_t len, struct wc_counts *counts) {
  int in_word = 0;

  counts->lines = 0;
  counts->words = 0;
  counts->bytes = len;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\n') counts->lines++;
    if (isspace(c)) {
      /* A word ends at the first white space after it. */
      if (in_word) counts->words++;
      in_word = 0;
    } else {
      in_word = 1;
    }
  }
}
