// Host directories that a run can see: the work dir and `map_dirs`
// entries. Nothing else of the host file system is visible to a guest.

#ifndef BOXAGNTS_SANDBOX_MOUNTS_H_
#define BOXAGNTS_SANDBOX_MOUNTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxagnts::sandbox {

struct Mount {
  std::string host_path;   // a directory on the host
  std::string guest_path;  // absolute path of the directory inside the guest
  bool read_only = false;
};

// Parses a `map_dirs` entry: `HOST`, `HOST::GUEST`, either followed by
// `:ro` (read-only) or `:rw` (the default). Without `::GUEST` the directory
// appears in the guest at its host path. Paths are not checked here.
Result<Mount> ParseMapDir(std::string_view spec);

// Returns `path` as an absolute guest path with `.` segments, repeated and
// trailing slashes removed. Rejects relative paths and `..` segments.
Result<std::string> NormalizeGuestPath(std::string_view path);

// Checks each mount and makes host paths canonical (symlinks resolved),
// after which a guest path defaults to the canonical host path when the
// entry gave none. `work_dir`, when not empty, is mounted read-write first.
// Errors name the entry: a missing host directory, a host path that is not
// a directory, or two mounts at the same guest path.
Result<std::vector<Mount>> ResolveMounts(const std::string& work_dir,
                                         const std::vector<Mount>& map_dirs);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_MOUNTS_H_
