#include "sandbox/net_resolver.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace boxagnts::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Returns an address after the test releases it, or after ten seconds.
class SlowResolver : public Resolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    std::unique_lock<std::mutex> lock(mu_);
    released_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
    return std::vector<std::string>{"192.0.2.1"};
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    released_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool open_ = false;
};

class FixedResolver : public Resolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    if (host == "known.test") return std::vector<std::string>{"127.0.0.2"};
    return Status::NotFound("host \"" + host + "\" not found");
  }
};

TEST(ResolveWithDeadline, ReturnsResolverAnswer) {
  auto resolver = std::make_shared<FixedResolver>();
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  Result<std::vector<std::string>> known =
      ResolveWithDeadline(resolver, "known.test", deadline,
                          CancellationToken());
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  EXPECT_EQ(*known, std::vector<std::string>{"127.0.0.2"});
  Result<std::vector<std::string>> unknown =
      ResolveWithDeadline(resolver, "unknown.test", deadline,
                          CancellationToken());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST(ResolveWithDeadline, StopsAtDeadline) {
  auto resolver = std::make_shared<SlowResolver>();
  Clock::time_point start = Clock::now();
  Result<std::vector<std::string>> result = ResolveWithDeadline(
      resolver, "slow.test", start + milliseconds(100), CancellationToken());
  auto elapsed = Clock::now() - start;
  resolver->Release();
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(result.status().message(),
            "resolving host \"slow.test\" timed out");
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(ResolveWithDeadline, StopsWhenCancelled) {
  auto resolver = std::make_shared<SlowResolver>();
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    source.Cancel();
  });
  Clock::time_point start = Clock::now();
  Result<std::vector<std::string>> result = ResolveWithDeadline(
      resolver, "slow.test", start + std::chrono::seconds(10),
      source.token());
  auto elapsed = Clock::now() - start;
  canceller.join();
  resolver->Release();
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(SystemResolver, ResolvesNumericHostWithoutLookup) {
  // A numeric host needs no DNS query, so this test sends no traffic.
  Result<std::vector<std::string>> addresses =
      SystemResolver()->Resolve("127.0.0.2");
  ASSERT_TRUE(addresses.ok()) << addresses.status().ToString();
  EXPECT_EQ(*addresses, std::vector<std::string>{"127.0.0.2"});
}

}  // namespace
}  // namespace boxagnts::sandbox
