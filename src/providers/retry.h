// Retry timing: exponential backoff with jitter, and the server's
// Retry-After delay.

#ifndef BOXAGNTS_PROVIDERS_RETRY_H_
#define BOXAGNTS_PROVIDERS_RETRY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/cancellation.h"

namespace boxagnts::providers {

struct RetryPolicy {
  // Attempts in all, the first included. Default 4; 1 disables retries.
  int max_attempts = 4;
  // Delay before the first retry; doubles for each later one. Default 1 s.
  int64_t initial_backoff_ms = 1000;
  // Cap on one computed delay. Default 30 s.
  int64_t max_backoff_ms = 30'000;
  // A Retry-After longer than this ends the call instead. Default 60 s.
  int64_t max_retry_after_ms = 60'000;
};

// Parses a Retry-After value: delay seconds ("2", "1.5") or an HTTP date
// ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to `now`. A date in the past
// gives 0. Returns nullopt for anything else.
std::optional<int64_t> ParseRetryAfterMs(
    std::string_view value, std::chrono::system_clock::time_point now);

// Returns the delay from "retry-after-ms" or else "retry-after" in
// `headers` (names in lower case).
std::optional<int64_t> RetryAfterFromHeaders(
    const std::map<std::string, std::string>& headers,
    std::chrono::system_clock::time_point now);

// Returns the delay before retry number `retry` (1 for the first retry):
// initial_backoff_ms * 2^(retry-1), capped at max_backoff_ms, then a
// uniformly random value between half of that and all of it.
int64_t BackoffDelayMs(const RetryPolicy& policy, int retry,
                       std::mt19937_64& rng);

// Sleeps for `delay_ms` unless `cancel` fires first. Returns false when it
// was cancelled.
bool SleepUnlessCancelled(int64_t delay_ms, const CancellationToken& cancel);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_RETRY_H_
