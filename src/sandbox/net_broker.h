// The network broker: the only way a sandboxed tool reaches the network.
//
// Guests have no sockets. Their one HTTP host import calls Fetch, which
//   1. checks the request's method, headers and body size;
//   2. parses and normalises the URL and checks it against the policy
//      (allow-list, block_url, and block_networks for an IP host);
//   3. resolves a name once through the Resolver (localhost and
//      *.localhost are 127.0.0.1 without asking it) and checks every
//      address; one blocked address rejects the request;
//   4. sends the request pinned to the vetted addresses (net_transfer.h)
//      and returns the response, redirects included, without following
//      them.
// Every rejection is logged at info level with the rule that decided. The
// status returned to the guest never names the rule, the block list or a
// host file path.

#ifndef BOXAGNTS_SANDBOX_NET_BROKER_H_
#define BOXAGNTS_SANDBOX_NET_BROKER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "sandbox/net_address.h"
#include "sandbox/net_http.h"
#include "sandbox/net_policy.h"
#include "sandbox/net_resolver.h"
#include "sandbox/net_url.h"

namespace boxagnts::sandbox {

class NetworkBroker {  // thread-safe; one per sandbox run or shared
 public:
  // A null `resolver` means SystemResolver(). `log_id` (a run id, say)
  // starts every log line of this broker.
  NetworkBroker(NetworkPolicy policy, NetworkLimits limits,
                std::shared_ptr<Resolver> resolver, std::string log_id = "");

  // Status codes: InvalidArgument (malformed request or URL),
  // PermissionDenied (policy), Unavailable (DNS/connect/TLS failure),
  // DeadlineExceeded (request timeout or `deadline`), ResourceExhausted
  // (request body or headers too large), Cancelled. Messages are
  // guest-safe. The request stops at the earlier of `deadline` and
  // limits.request_timeout_ms from now.
  Result<HttpResponse> Fetch(const HttpRequest& request,
                             std::chrono::steady_clock::time_point deadline,
                             const CancellationToken& cancel);

  const NetworkPolicy& policy() const { return policy_; }
  const NetworkLimits& limits() const { return limits_; }

 private:
  // Checks the method, the header names and values, and the sizes.
  Status CheckRequestShape(const HttpRequest& request) const;

  // Returns the addresses to connect to, each one allowed by the policy.
  Result<std::vector<IpAddress>> ResolveAndCheck(
      const HttpUrl& url, std::chrono::steady_clock::time_point deadline,
      const CancellationToken& cancel, const std::string& log_prefix) const;

  const NetworkPolicy policy_;
  const NetworkLimits limits_;
  const std::shared_ptr<Resolver> resolver_;
  const std::string log_id_;
  std::atomic<uint64_t> next_request_id_{1};
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_BROKER_H_
