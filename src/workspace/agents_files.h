// AGENTS.md discovery: the instruction files an agent reads before it
// starts, from the user's workspace folder and from each directory on the
// path to its work dir.

#ifndef BOXAGNTS_WORKSPACE_AGENTS_FILES_H_
#define BOXAGNTS_WORKSPACE_AGENTS_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace boxagnts::workspace {

inline constexpr uint64_t kDefaultMaxAgentsFileBytes = 64 * 1024;

struct InstructionFile {
  std::string path;     // as looked up, before any symlink is resolved
  std::string content;  // valid UTF-8, possibly cut (see FindAgentsFiles)
};

// Returns the AGENTS.md files that apply to `work_dir`, in order: the
// user-level <workspace_dir>/AGENTS.md first (skipped when workspace_dir
// is ""), then one per directory from the filesystem root down to
// work_dir, root-most first and work_dir's own last. The directories are
// those of `work_dir` as given after lexical normalisation ("a/../b" is
// "b"), not of its canonical form. Missing files are left out, and a file
// reached twice (by a symlink or because the workspace is on the path) is
// listed once, at its first place.
//
// A file of more than `max_bytes_each` bytes is cut at the last character
// boundary within that many bytes. A line such as
//   [truncated: 1234 bytes left out; the limit is 65536 bytes per file]
// then follows the kept text.
//
// Only regular files are read. A FIFO, socket, device or directory named
// AGENTS.md is skipped without being opened, so it can never block. A
// symlinked AGENTS.md is followed only when it resolves to a regular
// file, and a dangling symlink or a loop is skipped.
//
// Errors: InvalidArgument for a relative or empty work_dir or a zero
// max_bytes_each, and for a file that is not valid UTF-8 (naming the path
// and byte offset); an error from the operating system, naming the path,
// for a file that exists but cannot be read.
Result<std::vector<InstructionFile>> FindAgentsFiles(
    const std::string& work_dir, const std::string& workspace_dir,
    uint64_t max_bytes_each = kDefaultMaxAgentsFileBytes);

}  // namespace boxagnts::workspace

#endif  // BOXAGNTS_WORKSPACE_AGENTS_FILES_H_
