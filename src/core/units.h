// Parsing of the sizes and durations that users type on the command line
// and in config files.

#ifndef BOXAGNTS_CORE_UNITS_H_
#define BOXAGNTS_CORE_UNITS_H_

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace boxagnts {

// Parses a byte count: digits with an optional K, M or G suffix (binary
// multiples: K = 1024), upper or lower case, with an optional trailing B
// ("64M", "64MiB" is not accepted, "512k", "1G", "4096"). Rejects zero
// only when `allow_zero` is false. Errors name the text and the format.
Result<uint64_t> ParseByteSize(std::string_view text, bool allow_zero = false);

// Parses a duration in seconds, with optional fraction ("2", "0.5",
// "1.25") and an optional unit suffix of ms, s, m or h ("500ms", "2m").
// Returns milliseconds. Rejects zero and negative values.
Result<uint64_t> ParseDurationMs(std::string_view text);

// Parses a non-negative decimal integer that fits in uint64_t.
Result<uint64_t> ParseUint64(std::string_view text);

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_UNITS_H_
