/*
 * Edit: replaces an exact string in a file.
 *
 * Input: file_path, old_string, new_string, replace_all (default false).
 * old_string must occur exactly once unless replace_all is true. The
 * comparison is byte for byte, whitespace included. The file is replaced
 * atomically, as Write does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"
#include "tool.h"

enum { kMaxFileBytes = 16 * 1024 * 1024 };

/* Returns the first occurrence of `needle` in `haystack`, or NULL. */
static const char* find_bytes(const char* haystack, size_t haystack_length,
                              const char* needle, size_t needle_length) {
  if (needle_length > haystack_length) return NULL;
  const char* last = haystack + (haystack_length - needle_length);
  for (const char* p = haystack; p <= last; ++p) {
    p = memchr(p, needle[0], (size_t)(last - p) + 1);
    if (p == NULL) return NULL;
    if (memcmp(p, needle, needle_length) == 0) return p;
  }
  return NULL;
}

/* Counts non-overlapping occurrences, scanning left to right. */
static long long count_occurrences(const buf* text, const char* needle,
                                   size_t needle_length) {
  long long count = 0;
  const char* p = text->data;
  const char* end = text->data + text->length;
  while ((p = find_bytes(p, (size_t)(end - p), needle, needle_length))) {
    ++count;
    p += needle_length;
  }
  return count;
}

int main(void) {
  json_value* input = tool_read_input();
  const char* raw_path = input_string(input, "file_path", true, NULL);
  size_t old_length = 0;
  size_t new_length = 0;
  const char* old_string = input_string(input, "old_string", true,
                                        &old_length);
  const char* new_string = input_string(input, "new_string", true,
                                        &new_length);
  bool replace_all = input_bool(input, "replace_all", false);
  char* requested = tool_resolve_path(raw_path, "file_path");
  char* path = resolve_final_symlinks(requested);

  if (old_length == 0) {
    tool_fail("old_string is empty; give the exact text to replace (to "
              "create a file or replace all of it, use Write)");
  }
  if (old_length == new_length &&
      memcmp(old_string, new_string, old_length) == 0) {
    tool_fail("old_string and new_string are identical, so the edit would "
              "change nothing; give the new text in new_string");
  }
  buf text = {0};
  int error = read_file(path, kMaxFileBytes, &text);
  if (error == EISDIR) {
    tool_fail("%s is a directory, not a file; give the path of a file",
              requested);
  }
  if (error == EFBIG) {
    tool_fail("%s is larger than %d bytes, more than Edit changes; use "
              "Write to replace it", requested, kMaxFileBytes);
  }
  if (error != 0) {
    tool_fail_errno("reading", requested, error,
                    "check the path; to create a file, use Write");
  }

  long long count = count_occurrences(&text, old_string, old_length);
  if (count == 0) {
    tool_fail("old_string was not found in %s; Read the file and copy the "
              "text exactly, including whitespace and indentation",
              requested);
  }
  if (count > 1 && !replace_all) {
    tool_fail("old_string appears %lld times in %s; include more "
              "surrounding lines to make it unique, or set replace_all to "
              "true to replace every occurrence", count, requested);
  }

  buf edited = {0};
  buf_reserve(&edited, text.length);
  const char* p = text.data;
  const char* end = text.data + text.length;
  const char* match;
  while ((match = find_bytes(p, (size_t)(end - p), old_string, old_length))) {
    buf_append(&edited, p, (size_t)(match - p));
    buf_append(&edited, new_string, new_length);
    p = match + old_length;
  }
  buf_append(&edited, p, (size_t)(end - p));
  error = write_file_atomic(path, edited.data, edited.length);
  if (error != 0) tool_fail_errno("writing", requested, error, NULL);

  meta_int("replacements", count);
  buf message = {0};
  buf_printf(&message, "Replaced %lld occurrence%s in %s.", count,
             count == 1 ? "" : "s", requested);
  tool_finish(message.data, message.length, false);
}
