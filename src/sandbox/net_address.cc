#include "sandbox/net_address.h"

#include <arpa/inet.h>

#include <cstdio>
#include <string>

namespace boxagnts::sandbox {
namespace {

// Cap for the value of one WHATWG IPv4 part. Any larger part is already
// invalid, so capping it keeps parsing from overflowing.
constexpr uint64_t kIpv4PartCap = uint64_t{1} << 33;

bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

uint32_t ReadV4(const std::array<uint8_t, 16>& bytes, int offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | uint32_t{bytes[offset + 3]};
}

bool HasPrefix(const std::array<uint8_t, 16>& bytes,
               std::initializer_list<uint8_t> prefix) {
  int i = 0;
  for (uint8_t b : prefix) {
    if (bytes[i++] != b) return false;
  }
  return true;
}

// Parses one part of a WHATWG IPv4 host. Returns nullopt when the part is
// not a number in its radix.
std::optional<uint64_t> ParseIpv4Part(std::string_view part) {
  if (part.empty()) return std::nullopt;
  int radix = 10;
  if (part.size() >= 2 && part[0] == '0' && part[1] == 'x') {
    radix = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    radix = 8;
    part.remove_prefix(1);
  }
  uint64_t value = 0;
  for (char c : part) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (radix == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0 || digit >= radix) return std::nullopt;
    value = value * radix + digit;
    if (value > kIpv4PartCap) value = kIpv4PartCap;
  }
  return value;
}

}  // namespace

IpAddress IpAddress::FromV4(uint32_t value) {
  IpAddress address;
  address.bytes_[0] = static_cast<uint8_t>(value >> 24);
  address.bytes_[1] = static_cast<uint8_t>(value >> 16);
  address.bytes_[2] = static_cast<uint8_t>(value >> 8);
  address.bytes_[3] = static_cast<uint8_t>(value);
  return address;
}

IpAddress IpAddress::FromV6(const std::array<uint8_t, 16>& bytes) {
  IpAddress address;
  address.is_v6_ = true;
  address.bytes_ = bytes;
  return address;
}

std::optional<IpAddress> IpAddress::ParseV4(std::string_view text) {
  uint32_t value = 0;
  int parts = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    if (!IsDigits(part) || part.size() > 3) return std::nullopt;
    if (part.size() > 1 && part[0] == '0') return std::nullopt;
    int number = std::stoi(std::string(part));
    if (number > 255 || ++parts > 4) return std::nullopt;
    value = (value << 8) | static_cast<uint32_t>(number);
    start = end + 1;
  }
  if (parts != 4) return std::nullopt;
  return FromV4(value);
}

std::optional<IpAddress> IpAddress::ParseV6(std::string_view text) {
  // inet_pton rejects zones, brackets and prefixes, which is what we want.
  std::array<uint8_t, 16> bytes{};
  std::string copy(text);
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) {
    return std::nullopt;
  }
  return FromV6(bytes);
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return ParseV6(text);
  return ParseV4(text);
}

uint32_t IpAddress::v4() const { return ReadV4(bytes_, 0); }

std::string IpAddress::ToString() const {
  if (is_v4()) {
    return std::to_string(bytes_[0]) + "." + std::to_string(bytes_[1]) + "." +
           std::to_string(bytes_[2]) + "." + std::to_string(bytes_[3]);
  }
  std::array<uint16_t, 8> groups{};
  for (int i = 0; i < 8; ++i) {
    groups[i] = static_cast<uint16_t>((bytes_[2 * i] << 8) | bytes_[2 * i + 1]);
  }
  // RFC 5952 section 4.2: shorten the longest run of at least two zero
  // groups, the first one on a tie.
  int best_start = -1;
  int best_length = 1;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    char hex[8];
    std::snprintf(hex, sizeof(hex), "%x", groups[i]);
    out += hex;
  }
  return out;
}

std::string IpAddress::ToUrlHost() const {
  return is_v6() ? "[" + ToString() + "]" : ToString();
}

std::optional<IpAddress> IpAddress::UnmapV4() const {
  if (is_v4()) return std::nullopt;
  if (!HasPrefix(bytes_, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) {
    return std::nullopt;
  }
  return FromV4(ReadV4(bytes_, 12));
}

std::vector<IpAddress> IpAddress::EmbeddedV4() const {
  std::vector<IpAddress> out;
  if (is_v4()) return out;
  const auto& b = bytes_;
  // ::ffff:0:0/96 (mapped) and ::/96 (compatible) carry it in the last
  // four bytes, as NAT64 with a /96 prefix does (RFC 6052).
  if (HasPrefix(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}) ||
      HasPrefix(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) ||
      HasPrefix(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    out.push_back(FromV4(ReadV4(b, 12)));
  }
  // 64:ff9b:1::/48 is a local-use NAT64 prefix that may be used at any
  // RFC 6052 length, so check the /48 layout (bytes 6, 7, 9, 10, skipping
  // the reserved byte 8) and the /96 layout.
  if (HasPrefix(b, {0, 0x64, 0xff, 0x9b, 0, 0x01})) {
    uint32_t v48 = (uint32_t{b[6]} << 24) | (uint32_t{b[7]} << 16) |
                   (uint32_t{b[9]} << 8) | uint32_t{b[10]};
    out.push_back(FromV4(v48));
    out.push_back(FromV4(ReadV4(b, 12)));
  }
  // 6to4 (RFC 3056): 2002:AABB:CCDD::/48.
  if (HasPrefix(b, {0x20, 0x02})) out.push_back(FromV4(ReadV4(b, 2)));
  // Teredo (RFC 4380): server in bytes 4-7, client inverted in bytes 12-15.
  if (HasPrefix(b, {0x20, 0x01, 0, 0})) {
    out.push_back(FromV4(ReadV4(b, 4)));
    out.push_back(FromV4(~ReadV4(b, 12)));
  }
  return out;
}

IpAddress MaskAddress(const IpAddress& address, int prefix_length) {
  std::array<uint8_t, 16> bytes = address.bytes();
  int total_bytes = address.bit_length() / 8;
  for (int i = 0; i < total_bytes; ++i) {
    int keep_bits = prefix_length - 8 * i;
    if (keep_bits >= 8) continue;
    if (keep_bits <= 0) {
      bytes[i] = 0;
    } else {
      bytes[i] &= static_cast<uint8_t>(0xff << (8 - keep_bits));
    }
  }
  if (address.is_v4()) return IpAddress::FromV4(ReadV4(bytes, 0));
  return IpAddress::FromV6(bytes);
}

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  size_t slash = text.find('/');
  std::string_view address_text = text.substr(0, slash);
  std::optional<IpAddress> base = IpAddress::Parse(address_text);
  if (!base) {
    return Status::InvalidArgument(
        "\"" + std::string(address_text) +
        "\" is not an IP address (write a dotted quad such as 10.0.0.0 or "
        "IPv6 without brackets such as fd00::)");
  }
  int prefix_length = base->bit_length();
  if (slash != std::string_view::npos) {
    std::string_view length_text = text.substr(slash + 1);
    if (!IsDigits(length_text) || length_text.size() > 3 ||
        std::stoi(std::string(length_text)) > base->bit_length()) {
      return Status::InvalidArgument(
          "prefix length \"" + std::string(length_text) +
          "\" is not a number from 0 to " +
          std::to_string(base->bit_length()));
    }
    prefix_length = std::stoi(std::string(length_text));
  }
  IpAddress masked = MaskAddress(*base, prefix_length);
  if (!(masked == *base)) {
    return Status::InvalidArgument(
        "address bits past the prefix length are set (did you mean " +
        masked.ToString() + "/" + std::to_string(prefix_length) + "?)");
  }
  return IpNetwork(*base, prefix_length);
}

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.is_v6() != base_.is_v6()) return false;
  return MaskAddress(address, prefix_length_) == base_;
}

std::string IpNetwork::ToString() const {
  return base_.ToString() + "/" + std::to_string(prefix_length_);
}

Result<std::optional<IpAddress>> ParseUrlIpv4Host(std::string_view host) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 1 && parts.back().empty()) parts.pop_back();

  // "Ends in a number": the last part is all digits or parses as a number
  // (which adds the hex forms such as "0x7f").
  std::string_view last = parts.back();
  if (!IsDigits(last) && !ParseIpv4Part(last)) {
    return std::optional<IpAddress>();
  }

  std::string quoted = "\"" + std::string(host) + "\"";
  if (parts.size() > 4) {
    return Status::InvalidArgument(
        quoted + " ends in a number but has more than four parts, so it is "
                 "neither an IPv4 address nor a domain name");
  }
  std::vector<uint64_t> numbers;
  for (std::string_view part : parts) {
    std::optional<uint64_t> number = ParseIpv4Part(part);
    if (!number) {
      return Status::InvalidArgument(
          quoted + " is not a valid IPv4 address: part \"" +
          std::string(part) + "\" is not a decimal, octal or hex number");
    }
    numbers.push_back(*number);
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    if (numbers[i] > 255) {
      return Status::InvalidArgument(quoted +
                                     " is not a valid IPv4 address: part \"" +
                                     std::string(parts[i]) + "\" exceeds 255");
    }
  }
  uint64_t limit = uint64_t{1} << (8 * (5 - numbers.size()));
  if (numbers.back() >= limit) {
    return Status::InvalidArgument(
        quoted + " is not a valid IPv4 address: last part \"" +
        std::string(parts.back()) + "\" is too large");
  }
  uint64_t value = numbers.back();
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    value += numbers[i] << (8 * (3 - i));
  }
  return std::optional<IpAddress>(
      IpAddress::FromV4(static_cast<uint32_t>(value)));
}

}  // namespace boxagnts::sandbox
