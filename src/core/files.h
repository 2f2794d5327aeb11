// File helpers shared by every layer.

#ifndef BOXAGNTS_CORE_FILES_H_
#define BOXAGNTS_CORE_FILES_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace boxagnts {

// Reads the whole file at `path`. Errors name the path and the reason.
Result<std::string> ReadFileToString(const std::string& path);

// Replaces `path` with `contents` atomically: writes a temporary file in
// the same directory, syncs it, sets `mode`, and renames it over `path`.
// Readers see either the old file or the new one, never a partial one. On
// failure the temporary file is removed and `path` is unchanged.
Status WriteFileAtomic(const std::string& path, std::string_view contents,
                       int mode = 0644);

// Creates `path` and its missing parents with mode 0755 (like mkdir -p).
Status CreateDirectories(const std::string& path);

// Returns the lower-case hex SHA-256 digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_FILES_H_
