// Shortening of tool results that are too large for a model's context.

#ifndef BOXAGNTS_TOOLS_TRUNCATE_H_
#define BOXAGNTS_TOOLS_TRUNCATE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace boxagnts::tools {

// Default cap on a tool result sent to the model, in bytes.
inline constexpr uint64_t kDefaultMaxResultBytes = 100'000;

// Returns `text` unchanged when it fits in `max_bytes`. Otherwise keeps
// the head and the tail (about half each, cut at UTF-8 character and, when
// one is near, line boundaries) around a marker line that states how many
// bytes and lines were cut. The result never exceeds `max_bytes` unless
// `max_bytes` is smaller than the marker itself.
std::string TruncateHeadTail(std::string_view text, uint64_t max_bytes);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_TRUNCATE_H_
