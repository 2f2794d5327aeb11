// The request, response and limits of one HTTP exchange that a sandboxed
// tool makes through the network broker.

#ifndef BOXAGNTS_SANDBOX_NET_HTTP_H_
#define BOXAGNTS_SANDBOX_NET_HTTP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace boxagnts::sandbox {

struct HttpRequest {
  // GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (upper case).
  std::string method = "GET";
  // An absolute http or https URL.
  std::string url;
  // Sent in order. Host, Content-Length, Transfer-Encoding, Connection,
  // Keep-Alive, Upgrade, TE, Trailer, Expect and Proxy-* are set by the
  // broker and rejected here. An empty value is sent as an empty header.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // The headers of the final response in the order received. A redirect
  // is returned as is, with its Location header.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // True when the body was cut at NetworkLimits::max_response_bytes.
  bool body_truncated = false;
};

struct NetworkLimits {
  uint64_t max_request_bytes = 1 << 20;        // body, 1 MiB
  uint64_t max_response_bytes = 8 << 20;       // body, 8 MiB
  uint64_t request_timeout_ms = 30000;         // per request
  uint64_t max_request_header_bytes = 64 << 10;   // names and values, 64 KiB
  uint64_t max_response_header_bytes = 64 << 10;  // raw header lines, 64 KiB
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_HTTP_H_
