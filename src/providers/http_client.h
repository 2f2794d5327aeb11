// A streaming HTTP POST over libcurl, with prompt cancellation and a stall
// timeout.
//
// The transfer runs on a curl multi handle on the calling thread. A
// cancellation callback wakes curl_multi_poll() at once, and the loop
// checks the time since the last received byte on every wakeup (at least
// every 100 ms), so both cancellation and stalls end the call within about
// 100 ms of happening.

#ifndef BOXAGNTS_PROVIDERS_HTTP_CLIENT_H_
#define BOXAGNTS_PROVIDERS_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"

namespace boxagnts::providers {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string url;
  HttpHeaders headers;
  std::string body;
  int64_t connect_timeout_ms = 10'000;
  // Maximum silence, from sending the request or from the last received
  // byte, before the call fails with kStall. Default 90 s.
  int64_t stall_timeout_ms = 90'000;
  // Maximum size of a response body. Default 64 MiB.
  int64_t max_response_bytes = int64_t{64} << 20;
};

enum class HttpFailure {
  kNone,
  kNetwork,    // connect failure, reset, truncated body
  kStall,      // no byte for stall_timeout_ms
  kCancelled,  // the cancellation token fired
  kAborted,    // the body handler returned an error
  kTooLarge,   // the body passed max_response_bytes
};

struct HttpResponse {
  int status = 0;  // 0 when no status line arrived
  // Header names in lower case; the last value wins.
  std::map<std::string, std::string> headers;
  // Body of a response whose status is not 2xx (at most 64 KiB); 2xx
  // bodies go to the handler instead.
  std::string error_body;
  int64_t bytes_received = 0;
  HttpFailure failure = HttpFailure::kNone;
  // Reason of the failure, OK when failure is kNone. For kAborted it is
  // the handler's status.
  Status failure_status;
};

// Receives the body of a 2xx response in arrival order. A non-OK status
// aborts the transfer with kAborted.
using HttpBodyHandler = std::function<Status(std::string_view bytes)>;

// Sends a POST and streams the body to `on_body`. Redirects are not
// followed. Failures are reported in the returned HttpResponse.
HttpResponse PostStreaming(const HttpRequest& request,
                           const HttpBodyHandler& on_body,
                           const CancellationToken& cancel);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_HTTP_CLIENT_H_
