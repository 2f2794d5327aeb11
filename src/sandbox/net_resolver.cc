#include "sandbox/net_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace boxagnts::sandbox {
namespace {

class GetAddrInfoResolver : public Resolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    if (rc == EAI_NONAME || rc == EAI_NODATA) {
      return Status::NotFound("host \"" + host + "\" not found");
    }
    if (rc != 0) {
      return Status::Unavailable("resolving host \"" + host +
                                 "\" failed: " + gai_strerror(rc));
    }
    std::vector<std::string> addresses;
    for (addrinfo* it = list; it != nullptr; it = it->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* raw = nullptr;
      if (it->ai_family == AF_INET) {
        raw = &reinterpret_cast<sockaddr_in*>(it->ai_addr)->sin_addr;
      } else if (it->ai_family == AF_INET6) {
        raw = &reinterpret_cast<sockaddr_in6*>(it->ai_addr)->sin6_addr;
      }
      if (raw == nullptr ||
          inet_ntop(it->ai_family, raw, text, sizeof(text)) == nullptr) {
        continue;
      }
      if (std::find(addresses.begin(), addresses.end(), text) ==
          addresses.end()) {
        addresses.push_back(text);
      }
    }
    freeaddrinfo(list);
    if (addresses.empty()) {
      return Status::NotFound("host \"" + host + "\" has no IP address");
    }
    return addresses;
  }
};

// The state a resolver thread shares with the waiting caller.
struct PendingResolution {
  std::mutex mu;
  std::condition_variable changed;
  bool cancelled = false;  // guarded by mu
  std::optional<Result<std::vector<std::string>>> result;  // guarded by mu
};

}  // namespace

std::shared_ptr<Resolver> SystemResolver() {
  static const std::shared_ptr<Resolver> kResolver =
      std::make_shared<GetAddrInfoResolver>();
  return kResolver;
}

Result<std::vector<std::string>> ResolveWithDeadline(
    std::shared_ptr<Resolver> resolver, const std::string& host,
    std::chrono::steady_clock::time_point deadline,
    const CancellationToken& cancel) {
  auto pending = std::make_shared<PendingResolution>();
  try {
    std::thread([pending, resolver, host] {
      Result<std::vector<std::string>> result = resolver->Resolve(host);
      std::lock_guard<std::mutex> lock(pending->mu);
      pending->result.emplace(std::move(result));
      pending->changed.notify_all();
    }).detach();
  } catch (const std::system_error& error) {
    return Status::Internal("starting a thread to resolve host \"" + host +
                            "\" failed: " + error.what());
  }

  CancellationRegistration registration = cancel.OnCancel([pending] {
    std::lock_guard<std::mutex> lock(pending->mu);
    pending->cancelled = true;
    pending->changed.notify_all();
  });
  std::unique_lock<std::mutex> lock(pending->mu);
  bool finished = pending->changed.wait_until(lock, deadline, [&] {
    return pending->result.has_value() || pending->cancelled;
  });
  if (pending->cancelled) {
    return Status::Cancelled("resolving host \"" + host + "\" was cancelled");
  }
  if (!finished) {
    return Status::DeadlineExceeded("resolving host \"" + host +
                                    "\" timed out");
  }
  return std::move(*pending->result);
}

}  // namespace boxagnts::sandbox
