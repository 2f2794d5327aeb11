#include "sandbox/net_url_prefix.h"

namespace boxagnts::sandbox {

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
    prefix.path_ = url->path;
    if (url->query) prefix.path_ += "?" + *url->query;
  }
  prefix.text_ = prefix.origin_ + (prefix.path_.empty() ? "/" : prefix.path_);
  return prefix;
}

bool UrlPrefix::Matches(const HttpUrl& url) const {
  if (BlockUrlOrigin(url) != origin_) return false;
  if (path_.empty()) return true;
  if (has_query_) {
    std::string target = url.path;
    if (url.query) target += "?" + *url.query;
    return target.starts_with(path_);
  }
  const std::string& path = url.path;
  if (!path.starts_with(path_)) return false;
  // Match whole segments: "/admin" covers "/admin/x", not "/administrator".
  return path_.back() == '/' || path.size() == path_.size() ||
         path[path_.size()] == '/';
}

}  // namespace boxagnts::sandbox
