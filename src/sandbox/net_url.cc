#include "sandbox/net_url.h"

#include <idn2.h>

#include <memory>
#include <vector>

namespace boxagnts::sandbox {
namespace {

constexpr size_t kMaxHostBytes = 253;
constexpr size_t kMaxLabelBytes = 63;
constexpr char kHexUpper[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// RFC 3986 pchar without escapes, plus '/' (and '?' in a query).
bool IsAllowedInPathOrQuery(unsigned char c, bool is_query) {
  if (IsUnreserved(c)) return true;
  if (std::string_view("!$&'()*+,;=:@/").find(static_cast<char>(c)) !=
      std::string_view::npos) {
    return true;
  }
  return is_query && c == '?';
}

void AppendEscape(unsigned char c, std::string* out) {
  out->push_back('%');
  out->push_back(kHexUpper[c >> 4]);
  out->push_back(kHexUpper[c & 0xf]);
}

// Returns the byte that the escape at text[i] ("%XX") encodes, or -1.
int DecodeEscapeAt(std::string_view text, size_t i) {
  if (i + 2 >= text.size()) return -1;
  int high = HexValue(text[i + 1]);
  int low = HexValue(text[i + 2]);
  if (high < 0 || low < 0) return -1;
  return high * 16 + low;
}

Status InvalidEscape(std::string_view text, size_t i, std::string_view where) {
  return Status::InvalidArgument(
      "invalid percent-encoding \"" + std::string(text.substr(i, 3)) +
      "\" in the " + std::string(where) + " (write a literal % as %25)");
}

// Normalises the escapes of a path or query as the header describes.
Result<std::string> NormalizeEscapes(std::string_view text, bool is_query) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '%') {
      int byte = DecodeEscapeAt(text, i);
      if (byte < 0) return InvalidEscape(text, i, is_query ? "query" : "path");
      if (IsUnreserved(static_cast<unsigned char>(byte))) {
        out.push_back(static_cast<char>(byte));
      } else {
        AppendEscape(static_cast<unsigned char>(byte), &out);
      }
      i += 2;
    } else if (IsAllowedInPathOrQuery(c, is_query)) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendEscape(c, &out);
    }
  }
  return out;
}

// Removes "." and ".." segments (RFC 3986 section 5.2.4).
// REQUIRES: path starts with '/'.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(start, slash - start);
    bool is_last = slash == std::string_view::npos;
    if (segment == "." || segment == "..") {
      if (segment == ".." && !segments.empty()) segments.pop_back();
      // A trailing dot segment leaves the path ending in '/'.
      if (is_last) segments.push_back("");
    } else {
      segments.push_back(segment);
    }
    if (is_last) break;
    start = slash + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  return out.empty() ? "/" : out;
}

Result<std::string> PercentDecodeHost(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out.push_back(raw[i]);
      continue;
    }
    int byte = DecodeEscapeAt(raw, i);
    if (byte < 0) return InvalidEscape(raw, i, "host");
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  return out;
}

// Converts a name with non-ASCII characters or punycode labels to its
// ASCII form, checking it under IDNA 2008 with UTS 46 mapping.
Result<std::string> ToAsciiName(const std::string& name) {
  char* output = nullptr;
  int rc = idn2_to_ascii_8z(name.c_str(), &output,
                            IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> owned(output, &idn2_free);
  if (rc != IDN2_OK) {
    return Status::InvalidArgument("host \"" + name +
                                   "\" is not a valid international domain "
                                   "name: " + idn2_strerror(rc));
  }
  return ToLowerAscii(owned.get());
}

Status CheckDomainName(std::string_view name) {
  std::string quoted = "host \"" + std::string(name) + "\"";
  if (name.empty()) return Status::InvalidArgument("the host is empty");
  if (name.size() > kMaxHostBytes) {
    return Status::InvalidArgument(quoted + " is longer than 253 bytes");
  }
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) {
      return Status::InvalidArgument(quoted + " has an empty label");
    }
    if (label.size() > kMaxLabelBytes) {
      return Status::InvalidArgument(quoted +
                                     " has a label longer than 63 bytes");
    }
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
      if (!ok) {
        return Status::InvalidArgument(
            quoted + " contains the character '" + std::string(1, c) +
            "', which is not allowed in a host name");
      }
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

Result<UrlHost> NormalizeIpv6Host(std::string_view raw_host) {
  if (raw_host.size() < 2 || raw_host.back() != ']') {
    return Status::InvalidArgument("host \"" + std::string(raw_host) +
                                   "\" has no closing ']'");
  }
  std::string_view inner = raw_host.substr(1, raw_host.size() - 2);
  if (inner.find('%') != std::string_view::npos) {
    return Status::InvalidArgument("host \"" + std::string(raw_host) +
                                   "\" has an IPv6 zone, which is not "
                                   "allowed");
  }
  std::optional<IpAddress> address = IpAddress::ParseV6(inner);
  if (!address) {
    return Status::InvalidArgument("host \"" + std::string(raw_host) +
                                   "\" is not a valid IPv6 address");
  }
  if (std::optional<IpAddress> v4 = address->UnmapV4()) address = v4;
  UrlHost host;
  host.text = address->ToString();
  host.kind = address->is_v4() ? HostKind::kIpv4 : HostKind::kIpv6;
  host.address = address;
  return host;
}

Result<uint16_t> ParsePort(std::string_view text, std::string_view scheme) {
  if (text.empty()) return DefaultPort(scheme);
  bool digits = text.size() <= 5;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  int value = digits ? std::stoi(std::string(text)) : 0;
  if (value < 1 || value > 65535) {
    return Status::InvalidArgument("port \"" + std::string(text) +
                                   "\" is not a number from 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

bool IsSchemeText(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Parses the URL. Error messages carry the reason alone.
Result<HttpUrl> ParseHttpUrlParts(std::string_view text) {
  if (text.size() > kMaxUrlBytes) {
    return Status::InvalidArgument("the URL is longer than " +
                                   std::to_string(kMaxUrlBytes) + " bytes");
  }
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(
          "it contains a control character (escape it with %XX)");
    }
    if (c == '\\') {
      return Status::InvalidArgument(
          "it contains a backslash (escape it as %5C)");
    }
  }
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) {
    return Status::InvalidArgument("it starts or ends with a space");
  }

  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos ||
      !IsSchemeText(text.substr(0, scheme_end))) {
    return Status::InvalidArgument(
        "it is not an absolute URL (write http://host/path or "
        "https://host/path)");
  }
  HttpUrl url;
  url.scheme = ToLowerAscii(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return Status::InvalidArgument("scheme \"" + url.scheme +
                                   "\" is not supported (use http or https)");
  }

  // The authority ends at the first '/', '?' or '#', so
  // "http://a.com#@b.com/" has host a.com and "http://a.com@b.com/" has
  // user information, which is rejected below.
  std::string_view rest = text.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_and_query =
      authority_end == std::string_view::npos ? std::string_view()
                                              : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "user information (user@host) is not allowed in the URL (send "
        "credentials in a header)");
  }

  std::string_view raw_host = authority;
  std::string_view port_text;
  size_t host_end = authority.find(':');
  if (!authority.empty() && authority.front() == '[') {
    // NormalizeUrlHost reports a missing ']'.
    size_t close = authority.find(']');
    host_end = close == std::string_view::npos ? close : close + 1;
  }
  if (host_end != std::string_view::npos && host_end < authority.size()) {
    raw_host = authority.substr(0, host_end);
    if (authority[host_end] != ':') {
      return Status::InvalidArgument("unexpected text after the host in \"" +
                                     std::string(authority) + "\"");
    }
    port_text = authority.substr(host_end + 1);
  }
  Result<UrlHost> host = NormalizeUrlHost(raw_host);
  if (!host.ok()) return host.status();
  url.host = std::move(*host);
  Result<uint16_t> port = ParsePort(port_text, url.scheme);
  if (!port.ok()) return port.status();
  url.port = *port;

  size_t question = path_and_query.find('?');
  Result<std::string> path =
      NormalizeEscapes(path_and_query.substr(0, question), false);
  if (!path.ok()) return path.status();
  url.path = path->empty() ? "/" : RemoveDotSegments(*path);
  if (question != std::string_view::npos) {
    Result<std::string> query =
        NormalizeEscapes(path_and_query.substr(question + 1), true);
    if (!query.ok()) return query.status();
    url.query = std::move(*query);
  }
  return url;
}

}  // namespace

std::string UrlHost::ToUrlHost() const {
  return kind == HostKind::kIpv6 ? "[" + text + "]" : text;
}

std::string HttpUrl::ToStringWithoutQuery() const {
  return scheme + "://" + host.ToUrlHost() + ":" + std::to_string(port) +
         path;
}

std::string HttpUrl::ToString() const {
  std::string out = ToStringWithoutQuery();
  if (query) out += "?" + *query;
  return out;
}

std::string HttpUrl::ToRequestUrl() const {
  std::string out = scheme + "://" + host.ToUrlHost();
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  out += path;
  if (query) out += "?" + *query;
  return out;
}

uint16_t DefaultPort(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

bool IsLocalhostName(std::string_view name) {
  constexpr std::string_view kSuffix = ".localhost";
  return name == "localhost" ||
         (name.size() > kSuffix.size() && name.ends_with(kSuffix));
}

Result<UrlHost> NormalizeUrlHost(std::string_view raw_host) {
  if (raw_host.empty()) return Status::InvalidArgument("the host is empty");
  if (raw_host.front() == '[') return NormalizeIpv6Host(raw_host);

  Result<std::string> decoded = PercentDecodeHost(raw_host);
  if (!decoded.ok()) return decoded.status();
  bool needs_idna = false;
  for (char c : *decoded) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Status::InvalidArgument("host \"" + std::string(raw_host) +
                                     "\" contains a space or control "
                                     "character");
    }
    needs_idna = needs_idna || u >= 0x80;
  }
  std::string name = ToLowerAscii(*decoded);
  if (needs_idna || name.find("xn--") != std::string::npos) {
    Result<std::string> ascii = ToAsciiName(name);
    if (!ascii.ok()) return ascii.status();
    name = std::move(*ascii);
  }

  // A host that ends in a number is an IPv4 address or invalid.
  Result<std::optional<IpAddress>> v4 = ParseUrlIpv4Host(name);
  if (!v4.ok()) return v4.status();
  UrlHost host;
  if (v4->has_value()) {
    host.address = **v4;
    host.text = host.address->ToString();
    host.kind = HostKind::kIpv4;
    return host;
  }
  if (!name.empty() && name.back() == '.') name.pop_back();
  BOXAGNTS_RETURN_IF_ERROR(CheckDomainName(name));
  host.text = std::move(name);
  return host;
}

Result<HttpUrl> ParseHttpUrl(std::string_view text,
                             std::string_view value_name) {
  Result<HttpUrl> url = ParseHttpUrlParts(text);
  if (!url.ok()) {
    return url.status().WithPrefix("invalid " + std::string(value_name) +
                                   " \"" + std::string(text) + "\"");
  }
  return url;
}

}  // namespace boxagnts::sandbox
