// Parsing and normalisation of http and https URLs for the network policy.
//
// Every URL that the policy checks, and every URL prefix and host that its
// configuration names, goes through the same normalisation, so that one
// destination has one spelling:
//   - scheme and host in lower case, with a trailing dot removed;
//   - percent-escapes in the host decoded, and international domain names
//     converted to punycode (IDNA 2008 with UTS 46 mapping, libidn2);
//   - IPv4 in any spelling the WHATWG URL Standard accepts (decimal,
//     octal, hex, 1 to 4 parts) written as a dotted quad;
//   - IPv6 in RFC 5952 form, and IPv4-mapped IPv6 (::ffff:a.b.c.d) written
//     as the IPv4 address it maps;
//   - the port always known (80 for http, 443 for https when absent);
//   - in the path and query, escapes of unreserved characters decoded,
//     other escapes in upper case, characters outside RFC 3986 escaped,
//     and dot segments removed from the path.
// URLs with user information (user@host) are rejected, as are control
// characters and backslashes, which parsers disagree about.

#ifndef BOXAGNTS_SANDBOX_NET_URL_H_
#define BOXAGNTS_SANDBOX_NET_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "sandbox/net_address.h"

namespace boxagnts::sandbox {

// Longest URL, in bytes, that ParseHttpUrl accepts.
inline constexpr size_t kMaxUrlBytes = 8192;

enum class HostKind { kName, kIpv4, kIpv6 };

// A host after normalisation.
struct UrlHost {
  // A lower-case ASCII name without trailing dot, a dotted quad, or RFC 5952
  // IPv6 text without brackets.
  std::string text;
  HostKind kind = HostKind::kName;
  // Set for kIpv4 and kIpv6.
  std::optional<IpAddress> address;

  // Returns `text`, in brackets for IPv6.
  std::string ToUrlHost() const;
};

// A normalised absolute http or https URL. The fragment is dropped.
struct HttpUrl {
  std::string scheme;  // "http" or "https"
  UrlHost host;
  uint16_t port = 0;   // explicit, or the scheme's default; never 0
  std::string path;    // normalised, starts with '/'
  std::optional<std::string> query;  // without the '?'

  // Returns "scheme://host:port/path?query" with the port always written.
  // This is the form that block_url prefixes are matched against.
  std::string ToString() const;
  // Returns ToString() without the query, for messages and logs, because
  // queries often carry keys.
  std::string ToStringWithoutQuery() const;
  // Returns the URL to send: like ToString() but without a default port.
  std::string ToRequestUrl() const;
};

// Returns 80 for "http", 443 for "https" and 0 otherwise.
uint16_t DefaultPort(std::string_view scheme);

// True for "localhost" and names ending in ".localhost" (RFC 6761), which
// the policy treats as 127.0.0.1.
bool IsLocalhostName(std::string_view normalized_name);

// Normalises a host as written in a URL authority: "[ipv6]", an IPv4
// address in any WHATWG spelling, or a domain name (percent-escapes, case,
// IDN, one trailing dot). Errors: InvalidArgument whose message is the
// reason alone, for the caller to prefix with the value it parsed.
Result<UrlHost> NormalizeUrlHost(std::string_view raw_host);

// Parses and normalises an absolute http or https URL. `value_name` names
// the text in errors. Errors: InvalidArgument, as
// `invalid <value_name> "<text>": <reason>`, for example
//   invalid URL "ftp://x/": scheme "ftp" is not supported (use http or https)
Result<HttpUrl> ParseHttpUrl(std::string_view text,
                             std::string_view value_name = "URL");

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_URL_H_
