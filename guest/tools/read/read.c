/*
 * Read: returns lines of a text file numbered like `cat -n`.
 *
 * Input: file_path (required), offset (first line, 1-based), limit (lines,
 * default 2000). The file is streamed, so offset and limit work on files
 * of any size. Without both, files over 256 KiB are rejected, so that one
 * call cannot flood the model's context.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "tool.h"

enum {
  kDefaultLimit = 2000,
  kMaxLineChars = 2000,                 /* longer lines are cut */
  kMaxWholeFileBytes = 256 * 1024,      /* without offset and limit */
  kMaxContentBytes = 1024 * 1024,       /* of numbered lines returned */
  kMaxLineBytes = kMaxLineChars * 4,    /* UTF-8 bytes of a kept line */
};

typedef struct {
  long long first_line;   /* 1-based */
  long long max_lines;
  long long line_number;  /* of the line being read */
  long long returned;
  bool truncated;         /* lines in range were left out */
  buf content;
  buf line;               /* the first kMaxLineChars characters */
  long long line_chars;   /* characters in the whole line */
} reader;

static bool line_wanted(const reader* r) {
  return r->line_number >= r->first_line;
}

/* Adds bytes of the current line, keeping its first kMaxLineChars
 * characters and counting the rest. */
static void add_line_bytes(reader* r, const char* data, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    unsigned char c = (unsigned char)data[i];
    bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char) ++r->line_chars;
    if (r->line_chars <= kMaxLineChars && r->line.length < kMaxLineBytes) {
      buf_append_char(&r->line, (char)c);
    }
  }
}

static void end_line(reader* r) {
  if (line_wanted(r)) {
    if (r->returned >= r->max_lines ||
        r->content.length >= kMaxContentBytes) {
      r->truncated = true;
    } else {
      if (r->returned > 0) buf_append_char(&r->content, '\n');
      buf_printf(&r->content, "%6lld\t", r->line_number);
      buf_append(&r->content, r->line.data, r->line.length);
      if (r->line_chars > kMaxLineChars) {
        buf_printf(&r->content, " [... line truncated: %lld characters, "
                   "first %d shown]", r->line_chars, kMaxLineChars);
      }
      ++r->returned;
    }
  }
  ++r->line_number;
  buf_truncate(&r->line, 0);
  r->line_chars = 0;
}

/* Splits a chunk of the file into lines. Lines before the offset only
 * count newlines. */
static void add_chunk(reader* r, const char* data, size_t length) {
  while (length > 0) {
    const char* newline = memchr(data, '\n', length);
    size_t part = newline ? (size_t)(newline - data) : length;
    if (line_wanted(r) && !r->truncated) add_line_bytes(r, data, part);
    if (newline == NULL) return;
    end_line(r);
    data += part + 1;
    length -= part + 1;
  }
}

/* Rejects binary files, then files too large to read without a range. */
static void check_first_chunk(const char* path, const char* chunk,
                              size_t length, long long file_bytes,
                              bool has_range) {
  if (looks_binary(chunk, length)) {
    tool_fail("%s looks like a binary file (it contains NUL bytes); "
              "Read returns text files only", path);
  }
  if (!has_range && file_bytes > kMaxWholeFileBytes) {
    tool_fail("%s is %lld bytes, more than the %d bytes Read returns at "
              "once; read it in parts with offset and limit (for example "
              "offset 1, limit 2000), or use Grep to find the lines you "
              "need", path, file_bytes, kMaxWholeFileBytes);
  }
}

/* Streams the file through `r`; returns its size in bytes. */
static long long read_lines(const char* path, long long file_bytes,
                            bool has_range, reader* r) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) tool_fail_errno("reading", path, errno, NULL);
  static char chunk[64 * 1024];
  bool ends_with_newline = false;
  long long total_bytes = 0;
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) tool_fail_errno("reading", path, errno, NULL);
    if (n == 0) break;
    if (total_bytes == 0) {
      check_first_chunk(path, chunk, (size_t)n, file_bytes, has_range);
    }
    total_bytes += n;
    ends_with_newline = chunk[n - 1] == '\n';
    add_chunk(r, chunk, (size_t)n);
  }
  close(fd);
  if (total_bytes > 0 && !ends_with_newline) end_line(r);
  return total_bytes;
}

int main(void) {
  json_value* input = tool_read_input();
  const char* raw_path = input_string(input, "file_path", true, NULL);
  bool has_range = input_present(input, "offset") ||
                   input_present(input, "limit");
  long long offset = input_integer(input, "offset", 1, 1, 1LL << 40);
  long long limit = input_integer(input, "limit", kDefaultLimit, 1,
                                  1LL << 40);
  char* path = tool_resolve_path(raw_path, "file_path");

  struct stat info;
  if (stat(path, &info) != 0) {
    tool_fail_errno("reading", path, errno,
                    "check the path, or use Glob to find the file");
  }
  if (S_ISDIR(info.st_mode)) {
    tool_fail("%s is a directory, not a file; use LS to list it", path);
  }
  if (!S_ISREG(info.st_mode)) {
    tool_fail("%s is not a regular file; Read reads regular files only",
              path);
  }
  reader r = {.first_line = offset, .max_lines = limit, .line_number = 1};
  long long total_bytes = read_lines(path, info.st_size, has_range, &r);
  long long total_lines = r.line_number - 1;

  meta_int("total_lines", total_lines);
  meta_int("lines_returned", r.returned);
  meta_bool("truncated", r.truncated);
  if (total_bytes == 0) {
    buf message = {0};
    buf_printf(&message, "%s is empty (0 bytes).", path);
    tool_finish(message.data, message.length, false);
  }
  if (offset > total_lines) {
    tool_fail("offset %lld is past the end of %s, which has %lld lines; "
              "use an offset from 1 to %lld", offset, path, total_lines,
              total_lines);
  }
  if (r.truncated) {
    long long last = offset + r.returned - 1;
    buf_printf(&r.content, "\n\n(Showing lines %lld-%lld of %lld. Read "
               "more with offset %lld.)", offset, last, total_lines,
               last + 1);
  }
  tool_finish(r.content.data, r.content.length, false);
}
