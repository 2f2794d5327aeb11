// Path normalisation for permission checks.
//
// A path from a tool's input is checked in two forms:
//   - as written: made absolute (relative to the work dir, "~" expanded)
//     and normalised lexically ("." and ".." segments, repeated '/');
//   - resolved: every symbolic link in the longest existing prefix
//     followed, as the kernel would, and the missing rest appended.
// The two forms differ when a symbolic link is involved, for example
// "<work dir>/link/x" with link -> /etc resolves to "/etc/x".

#ifndef BOXAGNTS_TOOLS_PERMISSION_PATHS_H_
#define BOXAGNTS_TOOLS_PERMISSION_PATHS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxagnts::tools {

// Maximum symbolic links followed while resolving one path, as Linux's
// MAXSYMLINKS (40).
inline constexpr int kMaxSymlinkHops = 40;

// Normalises an absolute path lexically: removes "." segments, repeated
// and trailing '/', and applies ".." to the segment before it (".." at
// the root stays at the root). The file system is not read.
// REQUIRES: absolute_path starts with '/'.
std::string NormalizePathLexically(std::string_view absolute_path);

// Makes `path` absolute and normalises it lexically. "~" and "~/rest"
// expand to `home_dir` when it is not empty; other relative paths,
// including "" and "~user/x", are relative to `base_dir`. Errors
// (InvalidArgument) name the path: a NUL byte, a relative `base_dir`, or
// a relative `home_dir`.
Result<std::string> MakeAbsolutePath(std::string_view path,
                                     std::string_view base_dir,
                                     std::string_view home_dir);

// Resolves the symbolic links of an absolute path: walks it from the
// root, following each link (at most kMaxSymlinkHops), until a component
// does not exist, then appends the remaining components lexically. A
// dangling link is followed to its missing target. Errors name the path:
// IoError for a loop or too many links, and the errno-based code
// (PermissionDenied, IoError) for a component that cannot be examined.
// REQUIRES: absolute_path starts with '/'.
Result<std::string> ResolvePath(std::string_view absolute_path);

// True when the normalised absolute `path` is `dir` or lies under it.
bool IsSameOrInside(std::string_view path, std::string_view dir);

// Returns the segments of `path` below `dir` (empty when they are equal),
// or nullopt when `path` is not inside `dir`. The views point into
// `path`. Both must be normalised absolute paths.
std::optional<std::vector<std::string_view>> SegmentsBelow(
    std::string_view path, std::string_view dir);

// Returns $HOME, else the home directory in the password database, else
// "" (then "~" paths and rules cannot be used).
std::string HomeDirectory();

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_PATHS_H_
