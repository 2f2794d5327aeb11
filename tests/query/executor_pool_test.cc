// The executor pool: queue order, the concurrency cap, the fan-out limit,
// refusals before start and cancellation of one executor.

#include "query/executor_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace boxagnts::query {
namespace {

// Runs an executor by sleeping until cancelled or `sleep_ms` passed.
class SleepingRunner : public ExecutorRunner {
 public:
  explicit SleepingRunner(int sleep_ms) : sleep_ms_(sleep_ms) {}
  ExecutorReport RunExecutor(const std::string& id, const ExecutorSpec& spec,
                             const CancellationToken& cancel) override {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(id);
    }
    for (int i = 0; i < sleep_ms_ && !cancel.IsCancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    --running;
    ExecutorReport report;
    report.result.stop =
        cancel.IsCancelled() ? StopKind::kCancelled : StopKind::kEndTurn;
    report.result.result = "did " + spec.description;
    return report;
  }
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::mutex mu;
  std::vector<std::string> order;

 private:
  int sleep_ms_;
};

ExecutorSpec Task(const std::string& name) {
  ExecutorSpec spec;
  spec.description = name;
  spec.prompt = name;
  return spec;
}

TEST(ExecutorPool, QueuesBeyondTheCapInOrder) {
  SleepingRunner runner(30);
  CancellationSource session;
  std::vector<std::string> events;
  std::mutex mu;
  ExecutorPool pool(&runner, {2, 10}, session.token(), [] { return ""; },
                    [&](const std::string& type, const Json&) {
                      std::lock_guard<std::mutex> lock(mu);
                      events.push_back(type);
                    });
  std::vector<std::string> ids;
  for (int i = 1; i <= 6; ++i) ids.push_back(*pool.Submit(Task("t" + std::to_string(i))));
  EXPECT_EQ(ids.front(), "ex-1");
  for (const std::string& id : ids) {
    auto report = pool.Wait(id, CancellationSource().token());
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->has_value());
    EXPECT_EQ((*report)->status, "completed");
    EXPECT_EQ((*report)->id, id);
  }
  EXPECT_EQ(runner.peak.load(), 2);
  EXPECT_EQ(pool.peak_running(), 2);
  // Slots are granted in submission order; two executors granted at the
  // same moment may record their start in either order.
  ASSERT_EQ(runner.order.size(), 6u);
  for (int k = 1; k <= 6; ++k) {
    auto at = std::find(runner.order.begin(), runner.order.end(),
                        "ex-" + std::to_string(k));
    ASSERT_NE(at, runner.order.end());
    EXPECT_LE(std::abs(int(at - runner.order.begin()) - (k - 1)), 1)
        << "ex-" << k;
  }
  EXPECT_EQ(std::count(events.begin(), events.end(), "executor_finish"), 6);
}

TEST(ExecutorPool, FanOutLimitRefusesMore) {
  SleepingRunner runner(0);
  ExecutorPool pool(&runner, {4, 2}, CancellationSource().token(),
                    [] { return ""; }, [](const std::string&, const Json&) {});
  EXPECT_TRUE(pool.Submit(Task("a")).ok());
  EXPECT_TRUE(pool.Submit(Task("b")).ok());
  Result<std::string> third = pool.Submit(Task("c"));
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.status().message().find("max_executors"), std::string::npos);
}

TEST(ExecutorPool, RefusedExecutorsNeverRun) {
  SleepingRunner runner(0);
  ExecutorPool pool(&runner, {4, 10}, CancellationSource().token(),
                    [] { return std::string("the total budget is spent"); },
                    [](const std::string&, const Json&) {});
  std::string id = *pool.Submit(Task("a"));
  auto report = pool.Wait(id, CancellationSource().token());
  EXPECT_EQ((*report)->status, "not_started");
  EXPECT_EQ((*report)->error, "the total budget is spent");
  EXPECT_TRUE((*report)->is_error());
  EXPECT_TRUE(runner.order.empty());
}

TEST(ExecutorPool, CancellingOneLeavesTheOthers) {
  SleepingRunner runner(300);
  ExecutorPool pool(&runner, {4, 10}, CancellationSource().token(),
                    [] { return ""; }, [](const std::string&, const Json&) {});
  std::string a = *pool.Submit(Task("a"));
  std::string b = *pool.Submit(Task("b"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(pool.Cancel(a).ok());
  EXPECT_EQ((*pool.Wait(a, CancellationSource().token()))->status, "cancelled");
  EXPECT_EQ((*pool.Wait(b, CancellationSource().token()))->status, "completed");
  EXPECT_FALSE(pool.Cancel("ex-9").ok());
}

TEST(ExecutorPool, SessionCancellationStopsQueuedAndRunning) {
  SleepingRunner runner(5000);
  CancellationSource session;
  ExecutorPool pool(&runner, {1, 10}, session.token(), [] { return ""; },
                    [](const std::string&, const Json&) {});
  std::string running = *pool.Submit(Task("a"));
  std::string queued = *pool.Submit(Task("b"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto start = std::chrono::steady_clock::now();
  session.Cancel();
  EXPECT_EQ((*pool.Wait(running, CancellationSource().token()))->status,
            "cancelled");
  EXPECT_EQ((*pool.Wait(queued, CancellationSource().token()))->status,
            "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(500));
  EXPECT_EQ(runner.order, std::vector<std::string>{"ex-1"});
}

}  // namespace
}  // namespace boxagnts::query
