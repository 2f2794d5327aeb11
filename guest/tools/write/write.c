/*
 * Write: creates or replaces a file with the given content.
 *
 * Input: file_path, content. Missing parent directories are created. The
 * file is replaced atomically (a temporary file in the same directory,
 * then rename), so a failed write leaves the old contents in place. A
 * symbolic link is written through, keeping the link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fileio.h"
#include "tool.h"

int main(void) {
  json_value* input = tool_read_input();
  const char* raw_path = input_string(input, "file_path", true, NULL);
  size_t content_length = 0;
  const char* content = input_string(input, "content", true,
                                     &content_length);
  size_t raw_length = strlen(raw_path);
  if (raw_length > 0 && raw_path[raw_length - 1] == '/') {
    tool_fail("file_path \"%s\" ends with '/', which names a directory; "
              "give the path of a file", raw_path);
  }
  char* requested = tool_resolve_path(raw_path, "file_path");
  char* path = resolve_final_symlinks(requested);

  struct stat info;
  bool exists = stat(path, &info) == 0;
  if (exists && S_ISDIR(info.st_mode)) {
    tool_fail("%s is a directory; give the path of a file to write",
              requested);
  }
  if (!exists) {
    char* failed = NULL;
    int error = make_parent_directories(path, &failed);
    if (error == ENOTDIR) {
      tool_fail("%s is a file, so it cannot be a directory above %s; "
                "choose another path", failed, requested);
    }
    if (error == ENOENT || error == ENOTCAPABLE) {
      tool_fail("cannot create directory %s: it is outside the work dir "
                "and mapped directories, the only places this tool can "
                "write", failed);
    }
    if (error != 0) {
      tool_fail_errno("creating directory", failed, error, NULL);
    }
  }
  int error = write_file_atomic(path, content, content_length);
  if (error != 0) tool_fail_errno("writing", requested, error, NULL);

  meta_int("bytes_written", (long long)content_length);
  meta_bool("created", !exists);
  buf message = {0};
  buf_printf(&message, "%s %s (%zu byte%s).",
             exists ? "Replaced" : "Created", requested, content_length,
             content_length == 1 ? "" : "s");
  tool_finish(message.data, message.length, false);
}
