/* Searches one file for Grep: splits it into lines and prints matches
 * with their context lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "grep.h"

/* Longer lines are cut in content mode. */
enum { kMaxLineBytes = 2000 };

/* Returns true when content mode may print another line. */
static bool room_for_line(grep_search* s) {
  if (s->head_limit > 0 && s->entries >= s->head_limit) {
    s->limited = true;
    return false;
  }
  if (s->output.length >= GREP_MAX_OUTPUT_BYTES) {
    s->limited = true;
    return false;
  }
  return true;
}

/* Prints line `index` (0-based) of `lines` in content mode, with ':'
 * after the path and number for a match and '-' for a context line. */
static void print_line(grep_search* s, const char* path, char** lines,
                       long long index, bool is_match) {
  char separator = is_match ? ':' : '-';
  if (s->show_paths) buf_printf(&s->output, "%s%c", path, separator);
  if (s->line_numbers) {
    buf_printf(&s->output, "%lld%c", index + 1, separator);
  }
  const char* text = lines[index];
  size_t length = strlen(text);
  if (length > kMaxLineBytes) {
    size_t cut = kMaxLineBytes;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80) --cut;
    buf_append(&s->output, text, cut);
    buf_printf(&s->output, " [... line truncated: %zu bytes]", length);
  } else {
    buf_append(&s->output, text, length);
  }
  buf_append_char(&s->output, '\n');
  ++s->entries;
}

/* Splits `text` at newlines in place; returns the line starts. */
static char** split_lines(buf* text, long long* count) {
  long long n = 0;
  for (size_t i = 0; i < text->length; ++i) n += text->data[i] == '\n';
  if (text->length > 0 && text->data[text->length - 1] != '\n') ++n;
  char** lines = xmalloc((size_t)(n + 1) * sizeof(char*));
  long long index = 0;
  char* start = text->data;
  for (size_t i = 0; i < text->length; ++i) {
    if (text->data[i] != '\n') continue;
    text->data[i] = '\0';
    lines[index++] = start;
    start = text->data + i + 1;
  }
  if (index < n) lines[index++] = start;
  *count = n;
  return lines;
}

/* Prints matches and context of one file; returns false to stop. */
static bool print_content(grep_search* s, const char* path, char** lines,
                          long long line_count, long long* matches) {
  bool has_context = s->lines_before > 0 || s->lines_after > 0;
  long long last_printed = -1;
  long long after_left = 0;
  for (long long i = 0; i < line_count; ++i) {
    bool is_match = regexec(&s->regex, lines[i], 0, NULL, 0) == 0;
    if (is_match) ++*matches;
    if (!is_match && after_left == 0) continue;
    long long first = i;
    if (is_match) {
      first = i - s->lines_before < 0 ? 0 : i - s->lines_before;
      if (first <= last_printed) first = last_printed + 1;
    }
    /* "--" separates groups of lines that are not adjacent. */
    if (has_context && s->printed_any &&
        (last_printed < 0 || first > last_printed + 1)) {
      buf_append_str(&s->output, "--\n");
    }
    for (long long j = first; j <= i; ++j) {
      if (!room_for_line(s)) return false;
      print_line(s, path, lines, j, j == i && is_match);
      s->printed_any = true;
    }
    last_printed = i;
    after_left = is_match ? s->lines_after : after_left - 1;
  }
  return true;
}

static void add_matched_file(grep_search* s, const char* path,
                             long long mtime_ns, long long matches) {
  if (s->file_count == s->file_capacity) {
    s->file_capacity = s->file_capacity == 0 ? 32 : s->file_capacity * 2;
    s->files = xrealloc(s->files, s->file_capacity * sizeof(matched_file));
  }
  s->files[s->file_count++] = (matched_file){xstrdup(path), mtime_ns,
                                             matches};
}

bool grep_file(grep_search* s, const char* path, long long mtime_ns) {
  buf text = {0};
  bool binary = false;
  int error = read_text_file(path, GREP_MAX_FILE_BYTES, &text, &binary);
  if (error != 0) {
    buf_free(&text);
    if (error == EFBIG) {
      ++s->skipped_large;
    } else {
      ++s->unreadable;
    }
    return true;
  }

  ++s->files_searched;
  if (binary) {
    ++s->skipped_binary;
    buf_free(&text);
    return true;
  }

  long long line_count = 0;
  char** lines = split_lines(&text, &line_count);
  long long matches = 0;
  bool more = true;
  if (s->mode == MODE_CONTENT) {
    more = print_content(s, path, lines, line_count, &matches);
  } else {
    for (long long i = 0; i < line_count; ++i) {
      if (regexec(&s->regex, lines[i], 0, NULL, 0) != 0) continue;
      ++matches;
      if (s->mode == MODE_FILES_WITH_MATCHES) break;
    }
  }

  if (matches > 0) add_matched_file(s, path, mtime_ns, matches);
  s->matched_lines += matches;
  free(lines);
  buf_free(&text);
  return more;
}
