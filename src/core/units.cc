#include "core/units.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace boxagnts {

static std::string Quote(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

Result<uint64_t> ParseUint64(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return Status::InvalidArgument("invalid number " + Quote(text) +
                                   ": expected a non-negative integer");
  }
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("number " + Quote(text) + " is too large");
  }
  return value;
}

Result<uint64_t> ParseByteSize(std::string_view text, bool allow_zero) {
  std::string_view digits = text;
  if (!digits.empty() && (digits.back() == 'B' || digits.back() == 'b')) {
    digits.remove_suffix(1);
  }
  uint64_t multiplier = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k': case 'K': multiplier = 1ULL << 10; break;
      case 'm': case 'M': multiplier = 1ULL << 20; break;
      case 'g': case 'G': multiplier = 1ULL << 30; break;
      default: break;
    }
    if (multiplier != 1) digits.remove_suffix(1);
  }
  Result<uint64_t> number = ParseUint64(digits);
  if (!number.ok()) {
    return Status::InvalidArgument("invalid size " + Quote(text) +
                                   ": expected bytes with an optional K, M "
                                   "or G suffix, such as 64M");
  }
  if (*number > std::numeric_limits<uint64_t>::max() / multiplier) {
    return Status::InvalidArgument("size " + Quote(text) + " is too large");
  }
  if (*number == 0 && !allow_zero) {
    return Status::InvalidArgument("size " + Quote(text) +
                                   " must be greater than zero");
  }
  return *number * multiplier;
}

Result<uint64_t> ParseDurationMs(std::string_view text) {
  std::string_view number = text;
  double scale_ms = 1000.0;
  if (number.size() > 2 && number.substr(number.size() - 2) == "ms") {
    scale_ms = 1.0;
    number.remove_suffix(2);
  } else if (!number.empty() && number.back() == 's') {
    number.remove_suffix(1);
  } else if (!number.empty() && number.back() == 'm') {
    scale_ms = 60000.0;
    number.remove_suffix(1);
  } else if (!number.empty() && number.back() == 'h') {
    scale_ms = 3600000.0;
    number.remove_suffix(1);
  }
  double value = 0;
  const char* end = number.data() + number.size();
  auto [ptr, ec] = std::from_chars(number.data(), end, value);
  if (number.empty() || ec != std::errc() || ptr != end ||
      !std::isfinite(value)) {
    return Status::InvalidArgument(
        "invalid duration " + Quote(text) +
        ": expected seconds such as 2 or 0.5, or a value with ms, s, m or h");
  }
  double ms = value * scale_ms;
  if (ms < 1.0) {
    return Status::InvalidArgument("duration " + Quote(text) +
                                   " must be at least 1 ms");
  }
  if (ms > 1e15) {
    return Status::InvalidArgument("duration " + Quote(text) + " is too large");
  }
  return static_cast<uint64_t>(std::llround(ms));
}

}  // namespace boxagnts
