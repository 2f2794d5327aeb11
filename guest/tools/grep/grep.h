/*
 * Grep: searches file contents with a POSIX extended regular expression.
 * This header is shared by the tool's option handling (grep.c) and its
 * per-file search (grep_scan.c).
 */

#ifndef BOXAGNTS_GUEST_TOOLS_GREP_GREP_H_
#define BOXAGNTS_GUEST_TOOLS_GREP_GREP_H_

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum {
  MODE_FILES_WITH_MATCHES,
  MODE_CONTENT,
  MODE_COUNT,
} output_mode;

/* A file with at least one match. */
typedef struct {
  char* path;
  long long mtime_ns;
  long long matched_lines;
} matched_file;

typedef struct {
  /* Options. */
  regex_t regex;
  output_mode mode;
  long long lines_before;    /* -B, or -C */
  long long lines_after;     /* -A, or -C */
  bool line_numbers;         /* -n, content mode */
  bool show_paths;           /* false when searching one file */
  long long head_limit;      /* output entries; 0 means no limit */

  /* Results. */
  buf output;                /* content mode lines */
  long long entries;         /* content mode lines written */
  bool limited;              /* head_limit or the size cap cut output */
  bool printed_any;          /* content mode: a line was printed */
  matched_file* files;
  size_t file_count;
  size_t file_capacity;
  long long matched_lines;
  long long files_searched;
  long long skipped_binary;
  long long skipped_large;
  long long unreadable;
} grep_search;

/* Bytes of output in content mode after which the search stops. */
#define GREP_MAX_OUTPUT_BYTES (1024 * 1024)
/* Files larger than this are skipped. */
#define GREP_MAX_FILE_BYTES (64 * 1024 * 1024)

/*
 * Searches the file at `path` (shown as `path` in results) and records
 * what it finds in `search`. Returns false once no more output is wanted
 * (head_limit reached or the output cap hit), so the caller stops.
 */
bool grep_file(grep_search* search, const char* path, long long mtime_ns);

#endif /* BOXAGNTS_GUEST_TOOLS_GREP_GREP_H_ */
