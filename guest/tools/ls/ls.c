/*
 * LS: lists the entries of one directory, sorted by name.
 *
 * Input: path (required), ignore (glob patterns matched against entry
 * names). Each line gives the name, with a trailing '/' for directories,
 * and the type; files also give their size and symbolic links their
 * target.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "glob.h"
#include "tool.h"
#include "walk.h"

enum { kMaxEntries = 1000 };

/* Returns true when `name` matches one of the ignore patterns. */
static bool is_ignored(const json_value* ignore, const char* name) {
  if (ignore == NULL) return false;
  for (size_t i = 0; i < ignore->count; ++i) {
    if (glob_match(ignore->items[i]->string, name) == GLOB_MATCH) {
      return true;
    }
  }
  return false;
}

static void append_entry(buf* out, const char* directory,
                         const dir_entry* entry) {
  switch (entry->type) {
    case ENTRY_DIRECTORY:
      buf_printf(out, "- %s/ (dir)\n", entry->name);
      break;
    case ENTRY_FILE:
      buf_printf(out, "- %s (file, %lld bytes)\n", entry->name,
                 entry->size_bytes);
      break;
    case ENTRY_SYMLINK: {
      char* full = join_path(directory, entry->name);
      char target[4096];
      ssize_t n = readlink(full, target, sizeof(target) - 1);
      free(full);
      target[n > 0 ? n : 0] = '\0';
      buf_printf(out, "- %s (symlink to %s)\n", entry->name,
                 n > 0 ? target : "an unreadable target");
      break;
    }
    case ENTRY_OTHER:
      buf_printf(out, "- %s (other)\n", entry->name);
      break;
  }
}

int main(void) {
  json_value* input = tool_read_input();
  const char* raw_path = input_string(input, "path", true, NULL);
  const json_value* ignore = input_array(input, "ignore");
  for (size_t i = 0; ignore != NULL && i < ignore->count; ++i) {
    if (ignore->items[i]->type != JSON_STRING) {
      tool_fail("ignore[%zu] must be a string glob pattern, not %s", i,
                json_type_name(ignore->items[i]->type));
    }
  }
  char* path = tool_resolve_path(raw_path, "path");

  struct stat info;
  if (stat(path, &info) != 0) {
    tool_fail_errno("listing", path, errno,
                    "check the path, or use Glob to find files");
  }
  if (!S_ISDIR(info.st_mode)) {
    tool_fail("%s is a file, not a directory; use Read to read it", path);
  }
  dir_entry* entries;
  size_t count;
  int error = read_directory(path, &entries, &count);
  if (error != 0) tool_fail_errno("listing", path, error, NULL);

  buf listing = {0};
  size_t listed = 0;
  size_t kept = 0;
  for (size_t i = 0; i < count; ++i) {
    if (is_ignored(ignore, entries[i].name)) continue;
    ++kept;
    if (listed == kMaxEntries) continue;
    append_entry(&listing, path, &entries[i]);
    ++listed;
  }
  meta_int("count", (long long)kept);
  meta_bool("truncated", kept > listed);

  buf out = {0};
  if (kept == 0) {
    buf_printf(&out, "%s is an empty directory%s.", path,
               count > 0 ? " (after ignore patterns)" : "");
    tool_finish(out.data, out.length, false);
  }
  buf_printf(&out, "%s%s (%zu entr%s):\n", path,
             path[1] == '\0' ? "" : "/", kept, kept == 1 ? "y" : "ies");
  buf_append(&out, listing.data, listing.length);
  if (kept > listed) {
    buf_printf(&out, "... and %zu more entries; narrow the listing with "
               "ignore patterns, or use Glob\n", kept - listed);
  }
  buf_truncate(&out, out.length - 1); /* the last newline */
  tool_finish(out.data, out.length, false);
}
