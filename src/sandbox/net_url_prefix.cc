#include "sandbox/net_url_prefix.h"

#include <vector>

namespace boxagnts::sandbox {

namespace {

// Returns the path as servers commonly route it: repeated slashes merged
// (nginx and Python's http.server do so), ";parameters" dropped from each
// segment (Tomcat and Spring route "/admin;x" to "/admin"), and the "." and
// ".." segments that dropping them uncovers resolved. Used for matching
// only; the request keeps its own path.
std::string RoutingPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    segment = segment.substr(0, segment.find(';'));
    pos = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  // Keep a trailing slash, which prefixes use to mean "below".
  if (!path.empty() && path.back() == '/' && !out.empty()) out += '/';
  return out.empty() ? "/" : out;
}

}  // namespace

std::string BlockUrlOrigin(const HttpUrl& url) {
  std::string host = url.host.ToUrlHost();
  if (url.host.kind == HostKind::kName && IsLocalhostName(url.host.text)) {
    host = "127.0.0.1";
  }
  return url.scheme + "://" + host + ":" + std::to_string(url.port);
}

Result<UrlPrefix> UrlPrefix::Parse(std::string_view entry) {
  if (entry.find('#') != std::string_view::npos) {
    return Status::InvalidArgument(
        "invalid block_url entry \"" + std::string(entry) +
        "\": a fragment (#...) is never sent, so it cannot be blocked "
        "(remove it)");
  }
  Result<HttpUrl> url = ParseHttpUrl(entry, "block_url entry");
  if (!url.ok()) return url.status();

  UrlPrefix prefix;
  prefix.origin_ = BlockUrlOrigin(*url);
  prefix.has_query_ = url->query.has_value();
  if (url->path != "/" || prefix.has_query_) {
    prefix.path_ = RoutingPath(url->path);
    if (url->query) prefix.path_ += "?" + *url->query;
  }
  prefix.text_ = prefix.origin_ + (prefix.path_.empty() ? "/" : prefix.path_);
  return prefix;
}

bool UrlPrefix::Matches(const HttpUrl& url) const {
  if (BlockUrlOrigin(url) != origin_) return false;
  if (path_.empty()) return true;
  if (has_query_) {
    std::string target = RoutingPath(url.path);
    if (url.query) target += "?" + *url.query;
    return target.starts_with(path_);
  }
  const std::string path = RoutingPath(url.path);
  if (!path.starts_with(path_)) return false;
  // Match whole segments: "/admin" covers "/admin/x", not "/administrator".
  return path_.back() == '/' || path.size() == path_.size() ||
         path[path_.size()] == '/';
}

}  // namespace boxagnts::sandbox
