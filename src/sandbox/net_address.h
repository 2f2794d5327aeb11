// IP addresses and networks for the sandbox network policy.
//
// IpAddress is one IPv4 or IPv6 address, and IpNetwork is a CIDR range.
// Both are plain values: copyable, comparable and safe to share between
// threads once built.

#ifndef BOXAGNTS_SANDBOX_NET_ADDRESS_H_
#define BOXAGNTS_SANDBOX_NET_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxagnts::sandbox {

class IpAddress {
 public:
  // Creates 0.0.0.0.
  IpAddress() = default;

  // Creates an IPv4 address from its value in host byte order.
  static IpAddress FromV4(uint32_t value);
  // Creates an IPv6 address from its 16 bytes in network byte order. An
  // IPv4-mapped address stays IPv6 until UnmapV4() converts it.
  static IpAddress FromV6(const std::array<uint8_t, 16>& bytes);

  // Parses a dotted quad with four decimal parts and no leading zeros
  // ("10.0.0.1"). Returns nullopt for any other text.
  static std::optional<IpAddress> ParseV4(std::string_view text);
  // Parses IPv6 text as RFC 4291 writes it, without brackets or zone
  // ("fe80::1", "::ffff:127.0.0.1"). Returns nullopt for any other text.
  static std::optional<IpAddress> ParseV6(std::string_view text);
  // Parses either form above.
  static std::optional<IpAddress> Parse(std::string_view text);

  bool is_v4() const { return !is_v6_; }
  bool is_v6() const { return is_v6_; }
  // Number of bits: 32 or 128.
  int bit_length() const { return is_v6_ ? 128 : 32; }
  // REQUIRES: is_v4(). Host byte order.
  uint32_t v4() const;
  // The bytes in network byte order. IPv4 uses the first four.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // Returns a dotted quad, or RFC 5952 text for IPv6 (lower case, longest
  // run of two or more zero groups shortened to "::", no dotted tail).
  std::string ToString() const;
  // Returns ToString(), in brackets for IPv6, as a URL host is written.
  std::string ToUrlHost() const;

  // Returns a.b.c.d for an IPv4-mapped address ::ffff:a.b.c.d, else nullopt.
  std::optional<IpAddress> UnmapV4() const;

  // Returns the IPv4 addresses that an IPv6 address carries by a known
  // transition scheme: IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96,
  // NAT64 64:ff9b::/96 and 64:ff9b:1::/48 (RFC 6052 layouts for /96 and
  // /48), 6to4 2002::/16, and Teredo 2001::/32 (server and client). Empty
  // for IPv4 and for other IPv6 addresses.
  std::vector<IpAddress> EmbeddedV4() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  bool is_v6_ = false;
  std::array<uint8_t, 16> bytes_{};
};

class IpNetwork {
 public:
  // REQUIRES: 0 <= prefix_length <= base.bit_length() and the bits of
  // `base` past the prefix are zero.
  IpNetwork(IpAddress base, int prefix_length)
      : base_(base), prefix_length_(prefix_length) {}

  // Parses "a.b.c.d/n", "ipv6/n" or a bare address (a /32 or /128). IPv4
  // must be a full dotted quad and IPv6 is written without brackets. The
  // bits past the prefix must be zero. Errors: InvalidArgument whose
  // message is the reason alone (the caller names the entry).
  static Result<IpNetwork> Parse(std::string_view text);

  const IpAddress& base() const { return base_; }
  int prefix_length() const { return prefix_length_; }

  // True when `address` is of the same family and inside the range.
  bool Contains(const IpAddress& address) const;
  // Returns "base/prefix_length".
  std::string ToString() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;

 private:
  IpAddress base_;
  int prefix_length_ = 0;
};

// Returns `address` with every bit past `prefix_length` cleared.
IpAddress MaskAddress(const IpAddress& address, int prefix_length);

// Applies the IPv4 host parser of the WHATWG URL Standard to a lower-case
// host: 1 to 4 parts in decimal, octal (leading 0) or hex (0x), the last
// part filling the remaining bytes, one trailing dot allowed. Returns
// nullopt when the host does not end in a number, because it is a domain
// name. Returns the address when it parses. Returns InvalidArgument, with
// the reason alone, when the host ends in a number but is not a valid
// IPv4 address, such as "1.2.3.4.5" or "256.0.0.1".
Result<std::optional<IpAddress>> ParseUrlIpv4Host(std::string_view host);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_ADDRESS_H_
