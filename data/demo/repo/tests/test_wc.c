#include <stdio.h>
#include <string.h>

#include "../wc.h"

static int failures = 0;

static void expect_counts(const char *text, size_t lines, size_t words,
                          size_t bytes) {
  struct wc_counts got;
  wc_count(text, strlen(text), &got);
  if (got.lines != lines || got.words != words || got.bytes != bytes) {
    printf("FAIL \"%s\": got %zu %zu %zu, want %zu %zu %zu\n", text,
           got.lines, got.words, got.bytes, lines, words, bytes);
    failures++;
  }
}

int main(void) {
  expect_counts("", 0, 0, 0);
  expect_counts("hello world\n", 1, 2, 12);
  expect_counts("  two\tspaces  \n\n", 2, 2, 16);
  if (failures > 0) return 1;
  printf("all tests passed\n");
  return 0;
}
