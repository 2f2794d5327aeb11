// A Provider that speaks one wire protocol over HTTP: builds the request,
// streams the response through the protocol's decoder, retries what a
// retry can fix, and records exchanges when asked.
//
// Retry rules: rate limits, overload, server errors and network failures
// are retried up to RetryPolicy::max_attempts in all, but only while no
// callback has fired, and a network failure only when no byte of the
// response arrived. A Retry-After from the server is used as the delay as
// given; a longer one than max_retry_after_ms ends the call. Each retry is
// logged with the request id, attempt number and delay.

#ifndef BOXAGNTS_PROVIDERS_HTTP_PROVIDER_H_
#define BOXAGNTS_PROVIDERS_HTTP_PROVIDER_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "providers/provider.h"
#include "providers/recording.h"
#include "providers/retry.h"
#include "providers/wire_protocol.h"

namespace boxagnts::providers {

struct HttpProviderOptions {
  RetryPolicy retry;
  int64_t connect_timeout_ms = 10'000;
  int64_t stall_timeout_ms = 90'000;
  int64_t max_response_bytes = int64_t{64} << 20;
  // When set, every HTTP attempt is appended to this recording.
  std::shared_ptr<SessionRecorder> recorder;
};

class HttpProvider : public Provider {
 public:
  // `id` is the "provider/model" id used in logs and messages.
  HttpProvider(std::string id, std::unique_ptr<WireProtocol> protocol,
               Endpoint endpoint, HttpProviderOptions options);

  std::string id() const override { return id_; }

  CompletionResult Complete(const Request& request, StreamCallbacks& callbacks,
                            const CancellationToken& cancel) override;

 private:
  struct Attempt;
  CompletionResult RunAttempt(const WireRequest& wire,
                              const std::string& body,
                              StreamCallbacks& callbacks,
                              const CancellationToken& cancel,
                              Attempt& attempt);
  // Decides whether `error` after attempt number `attempt` is retried and
  // returns the delay, or nullopt to give up.
  std::optional<int64_t> RetryDelayMs(const ProviderError& error, int attempt,
                                      bool delivered, int64_t bytes_received);
  void Record(int call, int attempt_number, bool final,
              const std::string& model, const WireRequest& wire,
              const Attempt& attempt);

  std::string id_;
  std::unique_ptr<WireProtocol> protocol_;
  Endpoint endpoint_;
  HttpProviderOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_HTTP_PROVIDER_H_
