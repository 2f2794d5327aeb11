#include "core/utf8.h"

#include <cstdint>

namespace boxagnts {

namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Returns the length of the valid sequence that starts at text[pos], or 0
// when the bytes there are not a valid sequence.
size_t ValidSequenceLength(std::string_view text, size_t pos) {
  unsigned char lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t min_code_point;
  uint32_t code_point;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    min_code_point = 0x80;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    min_code_point = 0x800;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    min_code_point = 0x10000;
    code_point = lead & 0x07;
  } else {
    return 0;
  }

  if (text.size() - pos < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    unsigned char byte = static_cast<unsigned char>(text[pos + i]);
    if (!IsContinuation(byte)) return 0;
    code_point = (code_point << 6) | (byte & 0x3F);
  }

  if (code_point < min_code_point) return 0;  // overlong form
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  if (code_point > 0x10FFFF) return 0;
  return length;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t length = ValidSequenceLength(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::string_view::npos;
}

std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t length = ValidSequenceLength(text, pos);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
      continue;
    }
    out.append(text.substr(pos, length));
    pos += length;
  }
  return out;
}

size_t Utf8PrefixBytes(std::string_view text, size_t max_bytes) {
  if (max_bytes >= text.size()) return text.size();
  size_t end = max_bytes;
  // Step back over continuation bytes to the start of the character that
  // the cut would split.
  while (end > 0 && IsContinuation(static_cast<unsigned char>(text[end]))) {
    --end;
  }
  return end;
}

size_t CountUtf8CodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

}  // namespace boxagnts
