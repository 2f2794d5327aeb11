// One entry of `block_url`: a URL prefix that the sandbox never requests.
//
// The prefix and every request URL are normalised the same way (see
// net_url.h), and both map `localhost` and `*.localhost` to 127.0.0.1, so
// spellings such as http://2130706433/, http://0x7f.1/ or
// http://[::ffff:127.0.0.1]/ cannot dodge a prefix written with
// 127.0.0.1 or localhost.
//
// Matching: scheme, host and port must be equal (the port is always
// explicit after normalisation). Then
//   - a prefix without a path, or with the path "/", matches every URL of
//     that origin;
//   - a path prefix that ends in '/' matches paths that start with it;
//   - any other path prefix matches at a segment boundary: "/admin"
//     matches "/admin", "/admin/users" and "/admin?x=1" but not
//     "/administrator";
//   - a prefix with a query ("/search?q=") is matched as plain text
//     against the path and query.
// Paths are compared case-sensitively. The match is on the URL only: a
// name that resolves to a blocked address is the job of block_networks.

#ifndef BOXAGNTS_SANDBOX_NET_URL_PREFIX_H_
#define BOXAGNTS_SANDBOX_NET_URL_PREFIX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "sandbox/net_url.h"

namespace boxagnts::sandbox {

class UrlPrefix {
 public:
  // Parses one entry, an absolute http or https URL without user
  // information or fragment. Errors: InvalidArgument, as
  //   invalid block_url entry "<entry>": <reason and fix>
  static Result<UrlPrefix> Parse(std::string_view entry);

  bool Matches(const HttpUrl& url) const;

  // The normalised prefix, such as "http://127.0.0.1:80/admin".
  const std::string& text() const { return text_; }

 private:
  UrlPrefix() = default;

  std::string origin_;       // "scheme://host:port" with the mapped host
  std::string path_;         // "" for a whole origin
  bool has_query_ = false;
  std::string text_;
};

// Returns "scheme://host:port" for `url` with localhost names mapped to
// 127.0.0.1: the origin that block_url compares.
std::string BlockUrlOrigin(const HttpUrl& url);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_URL_PREFIX_H_
