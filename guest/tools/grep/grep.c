/*
 * Grep: searches file contents with a POSIX extended regular expression.
 *
 * Input fields:
 *   pattern       the expression (required)
 *   path          file or directory to search (default the work dir)
 *   glob          file name filter, ignored when path is a file
 *   output_mode   "files_with_matches" (default), "content" or "count"
 *   -A, -B, -C    context lines after, before, or both (content mode)
 *   -n            line numbers in content mode (default true)
 *   -i            ignore case
 *   head_limit    keep the first N output entries (0: all)
 * Binary files, files over 64 MiB and .git directories are skipped. Each
 * line is matched on its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "glob.h"
#include "grep.h"
#include "tool.h"
#include "walk.h"

typedef struct {
  grep_search* search;
  const char* glob;       /* NULL: every file */
  bool glob_has_slash;    /* match the relative path, else the name */
  bool glob_too_complex;
} walk_context;

static bool visit(const walk_file* file, void* context) {
  walk_context* w = context;
  if (w->glob != NULL) {
    const char* subject = file->relative;
    const char* slash = strrchr(subject, '/');
    if (!w->glob_has_slash && slash != NULL) subject = slash + 1;
    glob_result result = glob_match(w->glob, subject);
    if (result == GLOB_TOO_COMPLEX) {
      w->glob_too_complex = true;
      return false;
    }
    if (result == GLOB_NO_MATCH) return true;
  }
  return grep_file(w->search, file->path, file->mtime_ns);
}

static output_mode parse_mode(const char* mode) {
  if (mode == NULL || strcmp(mode, "files_with_matches") == 0) {
    return MODE_FILES_WITH_MATCHES;
  }
  if (strcmp(mode, "content") == 0) return MODE_CONTENT;
  if (strcmp(mode, "count") == 0) return MODE_COUNT;
  tool_fail("output_mode \"%s\" is not supported; use \"content\", "
            "\"files_with_matches\" or \"count\"", mode);
}

static void compile_pattern(grep_search* s, const char* pattern,
                            bool ignore_case) {
  /* POSIX leaves \1 undefined in extended syntax and musl reads it as a
   * literal digit, which would silently search for something else. */
  for (const char* p = pattern; *p != '\0'; ++p) {
    if (*p != '\\') continue;
    if (p[1] >= '1' && p[1] <= '9') {
      tool_fail("invalid regular expression \"%s\": back-references such "
                "as \\%c are not supported in POSIX extended syntax; "
                "repeat the text instead", pattern, p[1]);
    }
    if (p[1] != '\0') ++p;
  }
  int flags = REG_EXTENDED | REG_NOSUB | (ignore_case ? REG_ICASE : 0);
  int error = regcomp(&s->regex, pattern, flags);
  if (error == 0) return;
  char reason[256];
  regerror(error, &s->regex, reason, sizeof(reason));
  tool_fail("invalid regular expression \"%s\": %s; Grep uses POSIX "
            "extended syntax, so escape a literal ( ) [ ] { } . * + ? | ^ "
            "$ or \\ with a backslash", pattern, reason);
}

static int newest_first(const void* a, const void* b) {
  const matched_file* x = a;
  const matched_file* y = b;
  if (x->mtime_ns != y->mtime_ns) return x->mtime_ns > y->mtime_ns ? -1 : 1;
  return strcmp(x->path, y->path);
}

/* Formats the files_with_matches and count modes. */
static void print_files(grep_search* s, buf* out) {
  if (s->mode == MODE_FILES_WITH_MATCHES) {
    qsort(s->files, s->file_count, sizeof(matched_file), newest_first);
  }
  for (size_t i = 0; i < s->file_count; ++i) {
    if (s->head_limit > 0 && (long long)i >= s->head_limit) {
      s->limited = true;
      break;
    }
    const matched_file* file = &s->files[i];
    if (s->mode == MODE_FILES_WITH_MATCHES) {
      buf_printf(out, "%s\n", file->path);
    } else if (s->show_paths) {
      buf_printf(out, "%s:%lld\n", file->path, file->matched_lines);
    } else {
      buf_printf(out, "%lld\n", file->matched_lines);
    }
  }
}

int main(void) {
  json_value* input = tool_read_input();
  const char* pattern = input_string(input, "pattern", true, NULL);
  const char* raw_path = input_string(input, "path", false, NULL);
  const char* glob = input_string(input, "glob", false, NULL);
  grep_search s = {0};
  s.mode = parse_mode(input_string(input, "output_mode", false, NULL));
  long long context = input_integer(input, "-C", 0, 0, 10000);
  s.lines_before = input_integer(input, "-B", context, 0, 10000);
  s.lines_after = input_integer(input, "-A", context, 0, 10000);
  s.line_numbers = input_bool(input, "-n", true);
  bool ignore_case = input_bool(input, "-i", false);
  s.head_limit = input_integer(input, "head_limit", 0, 0, 1LL << 40);
  compile_pattern(&s, pattern, ignore_case);
  char* path = tool_resolve_path(raw_path ? raw_path : ".", "path");

  struct stat info;
  if (stat(path, &info) != 0) {
    tool_fail_errno("searching", path, errno,
                    "check the path, or use Glob to find files");
  }
  walk_context w = {&s, glob != NULL && glob[0] != '\0' ? glob : NULL,
                    glob != NULL && strchr(glob, '/') != NULL, false};
  if (S_ISDIR(info.st_mode)) {
    s.show_paths = true;
    walk_files(path, visit, &w, NULL);
  } else {
    grep_file(&s, path, 0);
  }
  if (w.glob_too_complex) {
    tool_fail("glob \"%s\" is too complex to match; use fewer '*' "
              "wildcards", glob);
  }

  buf out = {0};
  if (s.mode == MODE_CONTENT) {
    buf_append(&out, s.output.data, s.output.length);
  } else {
    print_files(&s, &out);
  }
  meta_string("mode", s.mode == MODE_CONTENT ? "content"
                      : s.mode == MODE_COUNT ? "count"
                                             : "files_with_matches");
  meta_int("files_searched", s.files_searched);
  meta_int("files_matched", (long long)s.file_count);
  if (s.mode != MODE_FILES_WITH_MATCHES) {
    meta_int("matched_lines", s.matched_lines);
  }
  meta_int("skipped_binary", s.skipped_binary);
  meta_int("skipped_large", s.skipped_large);
  meta_int("unreadable", s.unreadable);
  meta_bool("truncated", s.limited);
  if (s.file_count == 0) {
    buf_printf(&out, "No matches for \"%s\" in %s.", pattern, path);
    if (s.skipped_large > 0) {
      buf_printf(&out, " %lld file%s larger than %d bytes %s skipped.",
                 s.skipped_large, s.skipped_large == 1 ? "" : "s",
                 GREP_MAX_FILE_BYTES, s.skipped_large == 1 ? "was" : "were");
    }
  } else if (s.limited) {
    if (s.output.length >= GREP_MAX_OUTPUT_BYTES) {
      buf_printf(&out, "... output cut at %d bytes", GREP_MAX_OUTPUT_BYTES);
    } else {
      buf_printf(&out, "... output cut at head_limit %lld", s.head_limit);
    }
    buf_append_str(&out, "; narrow the search with path, glob or a more "
                   "specific pattern");
  } else {
    buf_truncate(&out, out.length - 1); /* the last newline */
  }
  tool_finish(out.data, out.length, false);
}
