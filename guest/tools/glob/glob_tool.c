/*
 * Glob: finds files whose path matches a glob pattern (see glob.h).
 *
 * Input: pattern (required), path (directory to search, default the work
 * dir). Relative patterns match paths below `path`; an absolute pattern
 * names its own directory. Results are absolute paths, newest first by
 * modification time (ties by path), at most 100 of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "glob.h"
#include "tool.h"
#include "walk.h"

enum { kMaxResults = 100 };

typedef struct {
  char* path;
  long long mtime_ns;
} match;

typedef struct {
  const char* pattern;  /* relative to the walk root */
  match* matches;
  size_t count;
  size_t capacity;
  bool too_complex;
} search;

static bool visit(const walk_file* file, void* context) {
  search* s = context;
  glob_result result = glob_match(s->pattern, file->relative);
  if (result == GLOB_TOO_COMPLEX) {
    s->too_complex = true;
    return false;
  }
  if (result == GLOB_NO_MATCH) return true;
  if (s->count == s->capacity) {
    s->capacity = s->capacity == 0 ? 64 : s->capacity * 2;
    s->matches = xrealloc(s->matches, s->capacity * sizeof(match));
  }
  s->matches[s->count++] = (match){xstrdup(file->path), file->mtime_ns};
  return true;
}

static int newest_first(const void* a, const void* b) {
  const match* x = a;
  const match* y = b;
  if (x->mtime_ns != y->mtime_ns) return x->mtime_ns > y->mtime_ns ? -1 : 1;
  return strcmp(x->path, y->path);
}

int main(void) {
  json_value* input = tool_read_input();
  const char* pattern = input_string(input, "pattern", true, NULL);
  const char* raw_path = input_string(input, "path", false, NULL);
  if (pattern[0] == '\0') {
    tool_fail("field \"pattern\" is empty; give a glob such as "
              "\"**/*.c\"");
  }
  char* base = tool_resolve_path(raw_path ? raw_path : ".", "path");
  struct stat info;
  if (stat(base, &info) != 0) {
    tool_fail_errno("searching", base, errno, "give an existing directory");
  }
  if (!S_ISDIR(info.st_mode)) {
    tool_fail("%s is a file, not a directory; give a directory in path",
              base);
  }

  /* Start the walk at the pattern's literal directory prefix. */
  size_t prefix = glob_literal_prefix_length(pattern);
  buf root_text = {0};
  if (pattern[0] != '/') buf_printf(&root_text, "%s/", base);
  buf_append(&root_text, pattern, prefix);
  char* root = tool_resolve_path(root_text.data, "pattern");
  search s = {.pattern = pattern + prefix};
  int error = walk_files(root, visit, &s, NULL);
  if (error != 0 && error != ENOENT && error != ENOTDIR &&
      error != ENOTCAPABLE) {
    tool_fail_errno("searching", root, error, NULL);
  }
  if (s.too_complex) {
    tool_fail("pattern \"%s\" is too complex to match (more than %d steps "
              "for one path); use fewer '*' wildcards", pattern,
              GLOB_MAX_STEPS);
  }
  qsort(s.matches, s.count, sizeof(match), newest_first);

  meta_int("count", (long long)s.count);
  meta_bool("truncated", s.count > kMaxResults);
  buf out = {0};
  if (s.count == 0) {
    buf_printf(&out, "No files match \"%s\" in %s.", pattern, base);
    tool_finish(out.data, out.length, false);
  }
  for (size_t i = 0; i < s.count && i < kMaxResults; ++i) {
    if (i > 0) buf_append_char(&out, '\n');
    buf_append_str(&out, s.matches[i].path);
  }
  if (s.count > kMaxResults) {
    buf_printf(&out, "\n... and %zu more files (results are capped at %d; "
               "narrow the pattern or path)", s.count - kMaxResults,
               kMaxResults);
  }
  tool_finish(out.data, out.length, false);
}
