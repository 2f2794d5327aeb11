// One entry of `allowed_outbound_hosts`: which scheme, host and port a
// sandboxed tool may send requests to.
//
// Entry syntax: scheme://host[:port]
//   scheme  http, https, or * for either.
//   host    one of
//             - a domain name (case, trailing dot and IDN are normalised),
//             - *.example.com for every subdomain of example.com, but not
//               example.com itself,
//             - * for any host,
//             - an IPv4 address in any WHATWG spelling, or [IPv6],
//             - a CIDR range written 10.0.0.0/8 or [fd00::]/8.
//   port    a number, or * for any port. Without a port the entry allows
//           the default port of the request's scheme: 80 for http, 443
//           for https.
// A single trailing '/' is accepted, and any other path is an error. The
// entry "*" alone is an error because allowing everything must be written
// *://*:*.
//
// An entry whose host is an IP address or range ("literal") also opts
// that address or range in past `block_networks`, for its scheme and
// port only. Name and wildcard entries never do.

#ifndef BOXAGNTS_SANDBOX_NET_ALLOW_LIST_H_
#define BOXAGNTS_SANDBOX_NET_ALLOW_LIST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "sandbox/net_address.h"
#include "sandbox/net_url.h"

namespace boxagnts::sandbox {

class AllowedHost {
 public:
  enum class HostMatch {
    kAnyHost,     // "*"
    kSubdomains,  // "*.example.com": names below `name_`, not `name_`
    kName,        // "example.com": exactly `name_`
    kNetwork,     // an address or CIDR range: addresses in `network_`
  };

  // Parses one entry. Errors: InvalidArgument, as
  //   invalid allowed_outbound_hosts entry "<entry>": <reason and fix>
  static Result<AllowedHost> Parse(std::string_view entry);

  // True when the entry allows the scheme, host and port of `url`. A name
  // host is never matched by a network entry, even when it resolves
  // inside the range, and an IP host never by a name entry.
  bool Matches(const HttpUrl& url) const;
  // True when the entry names `address` literally (an address or range
  // that contains it) for `scheme` and `port`: the opt-in test.
  bool OptsIn(const IpAddress& address, std::string_view scheme,
              uint16_t port) const;

  HostMatch host_match() const { return host_match_; }
  // The entry in normalised form, such as "https://xn--bcher-kva.example:443"
  // or "*://*.example.com:*".
  std::string ToString() const;

  // The address or range the entry names; null for name and wildcard
  // entries.
  const IpNetwork* network() const {
    return host_match_ == HostMatch::kNetwork ? &network_ : nullptr;
  }

 private:
  AllowedHost() : network_(IpAddress(), 0) {}

  bool MatchesSchemeAndPort(std::string_view scheme, uint16_t port) const;

  std::string scheme_;  // "http", "https" or "*"
  HostMatch host_match_ = HostMatch::kName;
  std::string name_;    // kName and kSubdomains
  IpNetwork network_;   // kNetwork
  // nullopt for any port, 0 for the default port of the request scheme.
  std::optional<uint16_t> port_;
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_ALLOW_LIST_H_
