#include "sandbox/net_policy.h"

namespace boxagnts::sandbox {

const std::vector<std::string>& DefaultBlockNetworks() {
  static const std::vector<std::string> kNetworks = {
      // IPv4.
      "0.0.0.0/8",           // "this network", includes 0.0.0.0
      "10.0.0.0/8",          // private (RFC 1918)
      "100.64.0.0/10",       // carrier-grade NAT (RFC 6598)
      "127.0.0.0/8",         // loopback
      "169.254.0.0/16",      // link-local, cloud metadata 169.254.169.254
      "172.16.0.0/12",       // private
      "192.168.0.0/16",      // private
      "224.0.0.0/4",         // multicast
      "240.0.0.0/4",         // reserved
      "255.255.255.255/32",  // limited broadcast
      // IPv6.
      "::/128",              // unspecified
      "::1/128",             // loopback
      "fe80::/10",           // link-local
      "fc00::/7",            // unique-local, includes fd00:ec2::254
      "ff00::/8",            // multicast
      // IPv6 that carries IPv4. The embedded address is checked as well.
      "::ffff:0:0/96",       // IPv4-mapped
      "::/96",               // IPv4-compatible (deprecated)
      "64:ff9b::/96",        // NAT64 well-known prefix
      "64:ff9b:1::/48",      // NAT64 local-use prefix
      "2002::/16",           // 6to4
      "2001::/32",           // Teredo
  };
  return kNetworks;
}

Result<NetworkPolicy> NetworkPolicy::Create(const NetworkPolicyConfig& config) {
  NetworkPolicy policy;
  for (const std::string& entry : config.allowed_outbound_hosts) {
    Result<AllowedHost> allowed = AllowedHost::Parse(entry);
    if (!allowed.ok()) return allowed.status();
    policy.allowed_.push_back(std::move(*allowed));
  }
  const std::vector<std::string>& networks =
      config.block_networks ? *config.block_networks : DefaultBlockNetworks();
  for (const std::string& entry : networks) {
    Result<IpNetwork> network = IpNetwork::Parse(entry);
    if (!network.ok()) {
      return network.status().WithPrefix("invalid block_networks entry \"" +
                                         entry + "\"");
    }
    policy.blocked_.push_back(*network);
  }
  for (const std::string& entry : config.block_url) {
    Result<UrlPrefix> prefix = UrlPrefix::Parse(entry);
    if (!prefix.ok()) return prefix.status();
    policy.blocked_urls_.push_back(std::move(*prefix));
  }
  return policy;
}

NetworkDecision NetworkPolicy::CheckUrl(const HttpUrl& url) const {
  std::string target = url.ToStringWithoutQuery();
  if (allowed_.empty()) {
    return {false, "allowed_outbound_hosts is empty, so no request is allowed"};
  }
  const AllowedHost* match = nullptr;
  for (const AllowedHost& entry : allowed_) {
    if (entry.Matches(url)) {
      match = &entry;
      break;
    }
  }
  if (match == nullptr) {
    return {false, "no allowed_outbound_hosts entry matches " + target};
  }
  for (const UrlPrefix& prefix : blocked_urls_) {
    if (prefix.Matches(url)) {
      return {false, target + " matches block_url entry " + prefix.text()};
    }
  }
  if (url.host.address) return CheckAddress(url, *url.host.address);
  return {true, target + " matches allowed_outbound_hosts entry " +
                    match->ToString()};
}

Result<NetworkDecision> NetworkPolicy::CheckUrl(std::string_view url) const {
  Result<HttpUrl> parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  return CheckUrl(*parsed);
}

std::optional<std::string> NetworkPolicy::FindBlockedRange(
    const IpAddress& address) const {
  for (const IpNetwork& network : blocked_) {
    if (network.Contains(address)) return network.ToString();
  }
  // An IPv6 address that carries an IPv4 address reaches that address
  // through a translator, so the IPv4 blocks apply to it as well.
  for (const IpAddress& embedded : address.EmbeddedV4()) {
    for (const IpNetwork& network : blocked_) {
      if (network.Contains(embedded)) {
        return network.ToString() + " (through the embedded IPv4 address " +
               embedded.ToString() + ")";
      }
    }
  }
  return std::nullopt;
}

NetworkDecision NetworkPolicy::CheckAddress(const HttpUrl& url,
                                            const IpAddress& address) const {
  std::string text = address.ToString();
  std::optional<std::string> range = FindBlockedRange(address);
  if (!range) return {true, "address " + text + " is not in block_networks"};
  // An entry opts in an address only when the entry is at least as narrow
  // as every block range that contains the address. So an explicit block
  // such as 127.0.0.5/32 beats a wider allow such as 127.0.0.0/8, and
  // 0.0.0.0/0 opts in nothing that the default list blocks.
  std::vector<const IpNetwork*> holders;
  for (const IpNetwork& network : blocked_) {
    if (network.Contains(address)) holders.push_back(&network);
  }
  for (const AllowedHost& entry : allowed_) {
    const IpNetwork* named = entry.network();
    bool narrow_enough = named != nullptr;
    for (const IpNetwork* holder : holders) {
      if (!narrow_enough) break;
      narrow_enough = named->prefix_length() >= holder->prefix_length() &&
                      holder->Contains(named->base());
    }
    if (narrow_enough && entry.OptsIn(address, url.scheme, url.port)) {
      return {true, "address " + text + " is in block_networks range " +
                        *range + " but opted in by allowed_outbound_hosts "
                        "entry " + entry.ToString()};
    }
  }
  return {false,
          "address " + text + " is in block_networks range " + *range};
}

}  // namespace boxagnts::sandbox
