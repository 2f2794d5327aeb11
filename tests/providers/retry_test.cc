#include "providers/retry.h"

#include <gtest/gtest.h>

#include <chrono>

namespace boxagnts::providers {
namespace {

using std::chrono::system_clock;

system_clock::time_point Epoch(int64_t seconds) {
  return system_clock::time_point(std::chrono::seconds(seconds));
}

TEST(RetryAfter, ParsesSecondsAndFractions) {
  EXPECT_EQ(ParseRetryAfterMs("2", Epoch(0)), 2000);
  EXPECT_EQ(ParseRetryAfterMs(" 0.5 ", Epoch(0)), 500);
  EXPECT_EQ(ParseRetryAfterMs("0", Epoch(0)), 0);
}

TEST(RetryAfter, ParsesHttpDate) {
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT",
                              Epoch(1445412470)),
            10'000);
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT",
                              Epoch(1445412490)),
            0);
}

TEST(RetryAfter, RejectsGarbage) {
  EXPECT_EQ(ParseRetryAfterMs("soon", Epoch(0)), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("", Epoch(0)), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("1.2.3", Epoch(0)), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("-1", Epoch(0)), std::nullopt);
}

TEST(RetryAfter, MillisecondHeaderWins) {
  std::map<std::string, std::string> headers = {{"retry-after", "3"},
                                                {"retry-after-ms", "250"}};
  EXPECT_EQ(RetryAfterFromHeaders(headers, Epoch(0)), 250);
  headers.erase("retry-after-ms");
  EXPECT_EQ(RetryAfterFromHeaders(headers, Epoch(0)), 3000);
  EXPECT_EQ(RetryAfterFromHeaders({}, Epoch(0)), std::nullopt);
}

TEST(Backoff, DoublesWithinJitterBounds) {
  RetryPolicy policy;
  policy.initial_backoff_ms = 1000;
  policy.max_backoff_ms = 5000;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    int64_t first = BackoffDelayMs(policy, 1, rng);
    EXPECT_GE(first, 500);
    EXPECT_LE(first, 1000);
    int64_t third = BackoffDelayMs(policy, 3, rng);
    EXPECT_GE(third, 2000);
    EXPECT_LE(third, 4000);
    int64_t capped = BackoffDelayMs(policy, 10, rng);
    EXPECT_GE(capped, 2500);
    EXPECT_LE(capped, 5000);
  }
}

TEST(Backoff, SleepReturnsFalseWhenCancelled) {
  CancellationSource source;
  source.Cancel("stop");
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(SleepUnlessCancelled(60'000, source.token()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(SleepUnlessCancelled(1, CancellationToken()));
}

}  // namespace
}  // namespace boxagnts::providers
