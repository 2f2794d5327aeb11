#include "tools/truncate.h"

#include <algorithm>

namespace boxagnts::tools {

namespace {

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Moves `pos` back to the start of a UTF-8 character.
size_t CharBoundaryBefore(std::string_view text, size_t pos) {
  while (pos > 0 && pos < text.size() && IsContinuationByte(text[pos])) --pos;
  return pos;
}

// Moves `pos` forward to the start of a UTF-8 character.
size_t CharBoundaryAfter(std::string_view text, size_t pos) {
  while (pos < text.size() && IsContinuationByte(text[pos])) ++pos;
  return pos;
}

std::string Marker(uint64_t bytes, uint64_t lines) {
  return "\n[... " + std::to_string(bytes) + " bytes (" +
         std::to_string(lines) + " lines) cut from the middle ...]\n";
}

}  // namespace

std::string TruncateHeadTail(std::string_view text, uint64_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  // The marker's length depends on the counts, so size it for the worst
  // case: every count as long as the text size.
  std::string widest = Marker(text.size(), text.size());
  if (max_bytes <= widest.size()) return Marker(text.size(), 0);
  size_t budget = max_bytes - widest.size();
  size_t head_end = CharBoundaryBefore(text, budget / 2);
  size_t tail_start = CharBoundaryAfter(text, text.size() - (budget - budget / 2));

  // Prefer whole lines when a newline is within the last fifth.
  size_t newline = text.rfind('\n', head_end == 0 ? 0 : head_end - 1);
  if (newline != std::string_view::npos && newline + 1 >= head_end * 4 / 5) {
    head_end = newline + 1;
  }
  size_t next_line = text.find('\n', tail_start);
  if (next_line != std::string_view::npos &&
      next_line + 1 - tail_start <= (text.size() - tail_start) / 5) {
    tail_start = next_line + 1;
  }

  std::string_view cut = text.substr(head_end, tail_start - head_end);
  uint64_t cut_lines = static_cast<uint64_t>(std::count(cut.begin(), cut.end(), '\n'));
  std::string out(text.substr(0, head_end));
  out += Marker(cut.size(), cut_lines);
  out += text.substr(tail_start);
  return out;
}

}  // namespace boxagnts::tools
