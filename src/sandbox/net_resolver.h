// Name resolution for the network broker.
//
// The broker resolves each host itself, checks every address against the
// policy and pins the connection to those addresses. The resolver is
// called once per request, so a second lookup result cannot move the
// connection elsewhere. Tests inject their own Resolver to control names.

#ifndef BOXAGNTS_SANDBOX_NET_RESOLVER_H_
#define BOXAGNTS_SANDBOX_NET_RESOLVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"

namespace boxagnts::sandbox {

class Resolver {  // thread-safe
 public:
  virtual ~Resolver() = default;
  // Returns the IPv4/IPv6 addresses of `host` as text, or NotFound.
  virtual Result<std::vector<std::string>> Resolve(const std::string& host) = 0;
};

// Returns a resolver that calls getaddrinfo. Errors: NotFound when the
// name does not exist, Unavailable for other failures.
std::shared_ptr<Resolver> SystemResolver();

// Calls resolver->Resolve(host) on a helper thread and waits until it
// returns, `deadline` passes (DeadlineExceeded) or `cancel` fires
// (Cancelled). A call that outlives the wait finishes on its own thread,
// keeping `resolver` alive, and its result is dropped.
Result<std::vector<std::string>> ResolveWithDeadline(
    std::shared_ptr<Resolver> resolver, const std::string& host,
    std::chrono::steady_clock::time_point deadline,
    const CancellationToken& cancel);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_NET_RESOLVER_H_
