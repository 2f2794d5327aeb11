// One HTTP exchange over libcurl, pinned to addresses the policy vetted.
//
// The broker calls RunTransfer after the URL and every resolved address
// passed the policy. The transfer
//   - pins host:port to `vetted` with CURLOPT_RESOLVE, so libcurl never
//     resolves the name again;
//   - checks the peer of every socket it opens (open-socket callback) and
//     of the connection it sends on (pre-request callback) against
//     `vetted`, as a second line of defence;
//   - ignores proxies from the environment and speaks only http and https;
//   - never follows redirects;
//   - cuts the response body at limits.max_response_bytes and sets
//     HttpResponse::body_truncated;
//   - stops at `deadline` and within a few milliseconds of `cancel`
//     (curl_multi_wakeup from the cancellation callback).

#ifndef BOXAGNTS_SANDBOX_NET_TRANSFER_H_
#define BOXAGNTS_SANDBOX_NET_TRANSFER_H_

#include <chrono>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "sandbox/net_address.h"
#include "sandbox/net_http.h"
#include "sandbox/net_url.h"

namespace boxagnts::sandbox {

// Sends `request` to `url`, connecting only to `vetted`.
// REQUIRES: `request` was validated by the broker, `url` is
// ParseHttpUrl(request.url), `vetted` is not empty and contains the
// address of an IP-literal host, and EnsureCurlInitialized() succeeded.
// Errors (messages are safe to show a guest): PermissionDenied when a
// connection went to an address outside `vetted`, Unavailable for
// connect, TLS or protocol failures, DeadlineExceeded, Cancelled, and
// Internal when libcurl rejects an option.
Result<HttpResponse> RunTransfer(const HttpRequest& request,
                                 const HttpUrl& url,
                                 const std::vector<IpAddress>& vetted,
                                 const NetworkLimits& limits,
                                 std::chrono::steady_clock::time_point deadline,
                                 const CancellationToken& cancel,
                                 const std::string& log_prefix);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_TRANSFER_H_
