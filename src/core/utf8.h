// UTF-8 checks for text that must become JSON or a prompt: nlohmann::json
// throws on invalid UTF-8 when it serialises a string, so text from files,
// users and tools is checked or repaired before it goes there.
//
// Valid means well-formed as in RFC 3629: no overlong forms, no UTF-16
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.

#ifndef BOXAGNTS_CORE_UTF8_H_
#define BOXAGNTS_CORE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace boxagnts {

// Returns the byte offset of the first invalid UTF-8 sequence in `text`,
// or std::string_view::npos when all of `text` is valid.
size_t FindInvalidUtf8(std::string_view text);

// Returns a copy of `text` with each invalid sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view text);

// Returns the largest length n <= max_bytes such that text.substr(0, n)
// does not end inside a multi-byte character. REQUIRES: `text` is valid.
size_t Utf8PrefixBytes(std::string_view text, size_t max_bytes);

// Returns the number of code points in `text`. REQUIRES: `text` is valid.
size_t CountUtf8CodePoints(std::string_view text);

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_UTF8_H_
