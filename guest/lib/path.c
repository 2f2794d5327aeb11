/* Path resolution and file error messages for guest tools (tool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tool.h"

const char* tool_work_dir(void) {
  const char* work_dir = getenv("BOXAGNTS_WORK_DIR");
  return work_dir != NULL && work_dir[0] != '\0' ? work_dir : NULL;
}

/* Appends the segments of `path` to `out`, a path of the form "/a/b" ("" for
 * the root), resolving "." and ".." against the segments already there. */
static void push_segments(buf* out, const char* path) {
  const char* p = path;
  while (*p != '\0') {
    while (*p == '/') ++p;
    const char* end = p;
    while (*end != '\0' && *end != '/') ++end;
    size_t length = (size_t)(end - p);
    if (length == 0 || (length == 1 && p[0] == '.')) {
      /* Nothing to add. */
    } else if (length == 2 && p[0] == '.' && p[1] == '.') {
      char* slash = out->length > 0 ? strrchr(out->data, '/') : NULL;
      buf_truncate(out, slash != NULL ? (size_t)(slash - out->data) : 0);
    } else {
      buf_append_char(out, '/');
      buf_append(out, p, length);
    }
    p = end;
  }
}

char* tool_resolve_path(const char* path, const char* field_name) {
  if (path == NULL || path[0] == '\0') {
    tool_fail("field \"%s\" is empty; give a file path", field_name);
  }
  buf out = {0};
  if (path[0] != '/') {
    const char* work_dir = tool_work_dir();
    if (work_dir == NULL) {
      tool_fail("relative path \"%s\" needs BOXAGNTS_WORK_DIR, which is "
                "not set; give an absolute path", path);
    }
    push_segments(&out, work_dir);
  }
  push_segments(&out, path);
  if (out.length == 0) buf_append_char(&out, '/');
  return buf_release(&out);
}

_Noreturn void tool_fail_errno(const char* operation, const char* path,
                               int error_number, const char* hint) {
  buf message = {0};
  switch (error_number) {
    case ENOENT:
    case ENOTCAPABLE:
      /* A path outside every mount does not exist for the guest. */
      buf_printf(&message, "file not found: %s", path);
      break;
    case ENOTDIR:
      buf_printf(&message, "file not found: %s (a parent in the path is a "
                 "file, not a directory)", path);
      break;
    case EROFS:
    case EPERM:
    case EACCES:
      buf_printf(&message, "%s %s failed: permission denied (the path may "
                 "be in a read-only directory)", operation, path);
      break;
    default:
      buf_printf(&message, "%s %s failed: %s", operation, path,
                 strerror(error_number));
      break;
  }
  if (hint != NULL) buf_printf(&message, "; %s", hint);
  tool_finish(message.data, message.length, true);
}
