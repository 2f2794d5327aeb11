/* Counts lines, words and bytes of a text, as wc(1) does. */
#ifndef WC_H
#define WC_H

#include <stddef.h>

struct wc_counts {
  size_t lines; /* newline characters */
  size_t words; /* runs of characters other than white space */
  size_t bytes;
};

/* Fills *counts with the counts of the len bytes at text. */
void wc_count(const char *text, size_t len, struct wc_counts *counts);

#endif
