#include "providers/retry.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <mutex>

namespace boxagnts::providers {

std::optional<int64_t> ParseRetryAfterMs(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  // Delay in seconds, possibly with a fraction.
  bool numeric = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (numeric) {
    if (std::count(value.begin(), value.end(), '.') > 1 || value == ".") {
      return std::nullopt;
    }
    double seconds = std::strtod(std::string(value).c_str(), nullptr);
    if (!std::isfinite(seconds) || seconds > 1e9) return std::nullopt;
    return static_cast<int64_t>(std::llround(seconds * 1000.0));
  }

  // HTTP date, IMF-fixdate form.
  std::tm tm{};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  std::time_t when = timegm(&tm);
  auto target = std::chrono::system_clock::from_time_t(when);
  auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(
                   target - now)
                   .count();
  return std::max<int64_t>(0, delta);
}

std::optional<int64_t> RetryAfterFromHeaders(
    const std::map<std::string, std::string>& headers,
    std::chrono::system_clock::time_point now) {
  auto ms = headers.find("retry-after-ms");
  if (ms != headers.end() && !ms->second.empty() && ms->second.size() < 12 &&
      ms->second.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(ms->second);
  }
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  return ParseRetryAfterMs(it->second, now);
}

int64_t BackoffDelayMs(const RetryPolicy& policy, int retry,
                       std::mt19937_64& rng) {
  int64_t delay = std::max<int64_t>(0, policy.initial_backoff_ms);
  for (int i = 1; i < retry && delay < policy.max_backoff_ms; ++i) delay *= 2;
  delay = std::min(delay, policy.max_backoff_ms);
  if (delay <= 1) return delay;
  std::uniform_int_distribution<int64_t> jitter(delay / 2, delay);
  return jitter(rng);
}

bool SleepUnlessCancelled(int64_t delay_ms, const CancellationToken& cancel) {
  std::mutex mu;
  std::condition_variable cv;
  bool cancelled = false;
  CancellationRegistration registration = cancel.OnCancel([&] {
    std::lock_guard<std::mutex> lock(mu);
    cancelled = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::milliseconds(delay_ms),
              [&] { return cancelled; });
  return !cancelled;
}

}  // namespace boxagnts::providers
