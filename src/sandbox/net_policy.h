// The sandbox network policy: which URLs and addresses a sandboxed tool
// may reach through the network broker.
//
// Three lists decide, and deny wins:
//   allowed_outbound_hosts  scheme, host and port that may be requested
//                           (see net_allow_list.h). Empty: no network.
//   block_networks          CIDR ranges that are never connected to,
//                           unless an allow entry names the address or
//                           range literally. IPv4 carried inside IPv6 (see
//                           IpAddress::EmbeddedV4) is checked too.
//   block_url               URL prefixes that are never requested (see
//                           net_url_prefix.h).
// A request is checked on its parsed URL and then on every address its
// host resolves to. One blocked address rejects the whole request.
//
// Thread safety: a NetworkPolicy is immutable after Create(), so const
// members may be called from any thread.

#ifndef BOXAGNTS_SANDBOX_NET_POLICY_H_
#define BOXAGNTS_SANDBOX_NET_POLICY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sandbox/net_address.h"
#include "sandbox/net_allow_list.h"
#include "sandbox/net_url.h"
#include "sandbox/net_url_prefix.h"

namespace boxagnts::sandbox {

struct NetworkPolicyConfig {
  std::vector<std::string> allowed_outbound_hosts;  // empty: no network
  // nullopt: DefaultBlockNetworks(). An explicit list replaces the default.
  std::optional<std::vector<std::string>> block_networks;
  std::vector<std::string> block_url;
};

// Returns the default block_networks: loopback, private, link-local (and
// so cloud metadata endpoints), unique-local, carrier-grade NAT,
// multicast, reserved and unspecified ranges, and the IPv6 ranges that
// carry IPv4 (mapped, compatible, NAT64, 6to4, Teredo).
const std::vector<std::string>& DefaultBlockNetworks();

// The outcome of one check.
struct NetworkDecision {
  bool allowed = false;
  // The rule that decided, naming policy entries. It shows policy
  // internals, so it goes to logs only and never to a guest.
  std::string reason;
};

class NetworkPolicy {
 public:
  // Parses and checks every entry. Errors are InvalidArgument and name the
  // bad entry, what is wrong and the fix.
  static Result<NetworkPolicy> Create(const NetworkPolicyConfig& config);

  // False when the allow-list is empty.
  bool AllowsAnyNetwork() const { return !allowed_.empty(); }

  // Checks a parsed URL against the allow-list and block_url, and, when its
  // host is an IP address, that address against block_networks.
  NetworkDecision CheckUrl(const HttpUrl& url) const;

  // Parses `url` and checks it as above. Errors: InvalidArgument for a
  // malformed URL.
  Result<NetworkDecision> CheckUrl(std::string_view url) const;

  // Checks one address that the host of `url` resolves to (or the address
  // the URL names) against block_networks and the literal opt-ins for the
  // scheme and port of `url`.
  NetworkDecision CheckAddress(const HttpUrl& url,
                               const IpAddress& address) const;

 private:
  NetworkPolicy() = default;

  // Returns the block network that contains `address` or an IPv4 address
  // embedded in it, with a note on the embedded address. Returns nullopt
  // when no block network matches.
  std::optional<std::string> FindBlockedRange(const IpAddress& address) const;

  std::vector<AllowedHost> allowed_;
  std::vector<IpNetwork> blocked_;
  std::vector<UrlPrefix> blocked_urls_;
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_POLICY_H_
