#include "sandbox/net_allow_list.h"

namespace boxagnts::sandbox {
namespace {

constexpr std::string_view kEntryForm =
    "write scheme://host[:port], for example https://example.com";

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<std::optional<uint16_t>> ParseEntryPort(std::string_view text) {
  if (text == "*") return std::optional<uint16_t>();
  bool digits = !text.empty() && text.size() <= 5;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  int value = digits ? std::stoi(std::string(text)) : 0;
  if (value < 1 || value > 65535) {
    return Status::InvalidArgument("port \"" + std::string(text) +
                                   "\" is not a number from 1 to 65535 or *");
  }
  return std::optional<uint16_t>(static_cast<uint16_t>(value));
}

// Parses "10.0.0.0/8" or "[fd00::]/8" from the host and prefix parts.
Result<IpNetwork> ParseEntryNetwork(std::string_view host,
                                    std::string_view prefix_length) {
  bool bracketed = !host.empty() && host.front() == '[';
  if (bracketed) {
    if (host.back() != ']') {
      return Status::InvalidArgument("host \"" + std::string(host) +
                                     "\" has no closing ']'");
    }
    host = host.substr(1, host.size() - 2);
  }
  Result<IpNetwork> network = IpNetwork::Parse(std::string(host) + "/" +
                                               std::string(prefix_length));
  if (network.ok() && bracketed != network->base().is_v6()) {
    return Status::InvalidArgument(
        "a range needs an IPv4 dotted quad such as 10.0.0.0/8 or IPv6 in "
        "brackets such as [fd00::]/8");
  }
  return network;
}

}  // namespace

Result<AllowedHost> AllowedHost::Parse(std::string_view entry) {
  auto fail = [entry](std::string_view reason) {
    return Status::InvalidArgument("invalid allowed_outbound_hosts entry \"" +
                                   std::string(entry) + "\": " +
                                   std::string(reason));
  };
  if (entry.empty()) {
    return fail("the entry is empty (" + std::string(kEntryForm) + ")");
  }
  if (entry == "*") {
    return fail(
        "\"*\" alone is not accepted (write *://*:* to allow every host on "
        "every port, or https://* for every host on port 443)");
  }
  size_t separator = entry.find("://");
  if (separator == std::string_view::npos) {
    return fail("the scheme is missing (" + std::string(kEntryForm) + ")");
  }
  AllowedHost out;
  out.scheme_ = ToLower(entry.substr(0, separator));
  if (out.scheme_ != "http" && out.scheme_ != "https" && out.scheme_ != "*") {
    return fail("scheme \"" + out.scheme_ +
                "\" is not supported (use http, https or *)");
  }

  std::string_view rest = entry.substr(separator + 3);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('@') != std::string_view::npos) {
    return fail("user information (user@host) is not allowed");
  }

  // Split "host[/prefix_length][:port]".
  size_t host_end = rest.find_first_of(":/");
  if (!rest.empty() && rest.front() == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) {
      return fail("host \"" + std::string(rest) + "\" has no closing ']'");
    }
    ++host_end;
  }
  std::string_view host = rest.substr(0, host_end);
  std::string_view after =
      host_end == std::string_view::npos ? "" : rest.substr(host_end);
  std::string_view prefix_length;
  bool has_prefix = after.starts_with('/');
  if (has_prefix) {
    size_t colon = after.find(':');
    prefix_length = after.substr(1, colon == std::string_view::npos
                                        ? std::string_view::npos
                                        : colon - 1);
    after = colon == std::string_view::npos ? "" : after.substr(colon);
    bool digits = !prefix_length.empty();
    for (char c : prefix_length) digits = digits && c >= '0' && c <= '9';
    if (!digits) {
      return fail(
          "entries name hosts only, so a path is not allowed (use block_url "
          "to block paths)");
    }
  }
  std::string_view port_text;
  bool has_port = after.starts_with(':');
  if (has_port) {
    size_t slash = after.find('/');
    port_text = after.substr(1, slash == std::string_view::npos
                                    ? std::string_view::npos
                                    : slash - 1);
    after = slash == std::string_view::npos ? "" : after.substr(slash);
  }
  if (!after.empty()) {
    return fail(
        "entries name hosts only, so a path is not allowed (use block_url "
        "to block paths)");
  }

  // The port: a number, "*", or the default port of the request's scheme.
  out.port_ = 0;
  if (has_port) {
    Result<std::optional<uint16_t>> port = ParseEntryPort(port_text);
    if (!port.ok()) return fail(port.status().message());
    out.port_ = *port;
  }

  // The host.
  if (host.empty()) {
    return fail("the host is empty (" + std::string(kEntryForm) + ")");
  }
  if (has_prefix) {
    Result<IpNetwork> network = ParseEntryNetwork(host, prefix_length);
    if (!network.ok()) return fail(network.status().message());
    out.host_match_ = HostMatch::kNetwork;
    out.network_ = *network;
    return out;
  }
  if (host == "*") {
    out.host_match_ = HostMatch::kAnyHost;
    return out;
  }
  bool subdomains = host.starts_with("*.");
  if (subdomains) host.remove_prefix(2);
  if (host.find('*') != std::string_view::npos) {
    return fail(
        "\"*\" may only be the whole host or a leading \"*.\" label, as in "
        "*.example.com");
  }
  Result<UrlHost> normalized = NormalizeUrlHost(host);
  if (!normalized.ok()) return fail(normalized.status().message());
  if (normalized->kind != HostKind::kName) {
    if (subdomains) {
      return fail("\"*.\" must be followed by a domain name, not an address");
    }
    out.host_match_ = HostMatch::kNetwork;
    out.network_ = IpNetwork(*normalized->address,
                             normalized->address->bit_length());
    return out;
  }
  out.host_match_ = subdomains ? HostMatch::kSubdomains : HostMatch::kName;
  out.name_ = normalized->text;
  return out;
}

bool AllowedHost::MatchesSchemeAndPort(std::string_view scheme,
                                       uint16_t port) const {
  if (scheme_ != "*" && scheme_ != scheme) return false;
  if (!port_) return true;
  if (*port_ == 0) return port == DefaultPort(scheme);
  return port == *port_;
}

bool AllowedHost::Matches(const HttpUrl& url) const {
  if (!MatchesSchemeAndPort(url.scheme, url.port)) return false;
  const UrlHost& host = url.host;
  switch (host_match_) {
    case HostMatch::kAnyHost:
      return true;
    case HostMatch::kSubdomains:
      return host.kind == HostKind::kName &&
             host.text.size() > name_.size() + 1 &&
             host.text.ends_with("." + name_);
    case HostMatch::kName:
      return host.kind == HostKind::kName && host.text == name_;
    case HostMatch::kNetwork:
      return host.address.has_value() && network_.Contains(*host.address);
  }
  return false;
}

bool AllowedHost::OptsIn(const IpAddress& address, std::string_view scheme,
                         uint16_t port) const {
  return host_match_ == HostMatch::kNetwork && network_.Contains(address) &&
         MatchesSchemeAndPort(scheme, port);
}

std::string AllowedHost::ToString() const {
  std::string out = scheme_ + "://";
  switch (host_match_) {
    case HostMatch::kAnyHost:
      out += "*";
      break;
    case HostMatch::kSubdomains:
      out += "*." + name_;
      break;
    case HostMatch::kName:
      out += name_;
      break;
    case HostMatch::kNetwork:
      out += network_.base().ToUrlHost();
      if (network_.prefix_length() != network_.base().bit_length()) {
        out += "/" + std::to_string(network_.prefix_length());
      }
      break;
  }
  if (!port_) return out + ":*";
  if (*port_ != 0) return out + ":" + std::to_string(*port_);
  if (scheme_ == "*") return out;
  return out + ":" + std::to_string(DefaultPort(scheme_));
}

}  // namespace boxagnts::sandbox
