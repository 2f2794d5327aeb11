// Budget pools: reservations never let spending cross a cap, nested pools
// charge their parents, and worst cases bound actual costs.

#include "query/budget.h"

#include <gtest/gtest.h>

#include <thread>

namespace boxagnts::query {
namespace {

TEST(BudgetPool, RefusesWhatWouldCrossTheCap) {
  BudgetPool pool(int64_t{1000});
  std::optional<Reservation> a = pool.TryReserve(600);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(pool.TryReserve(401).has_value());
  // A rejected try is not exhaustion: the caller may try a smaller call.
  EXPECT_FALSE(pool.exhausted());
  a->Settle(250);
  EXPECT_EQ(pool.spent_pico_usd(), 250);
  EXPECT_EQ(pool.reserved_pico_usd(), 0);
  EXPECT_EQ(*pool.available_pico_usd(), 750);
  EXPECT_TRUE(pool.TryReserve(750).has_value());  // released when dropped
  EXPECT_EQ(pool.reserved_pico_usd(), 0);
}

TEST(BudgetPool, NestedPoolsChargeEveryParent) {
  auto total = std::make_shared<BudgetPool>(int64_t{1000});
  BudgetPool executor_a(int64_t{700}, total);
  BudgetPool executor_b(std::nullopt, total);
  std::optional<Reservation> a = executor_a.TryReserve(700);
  ASSERT_TRUE(a.has_value());
  // The total has 300 left, and b has no cap of its own.
  EXPECT_FALSE(executor_b.TryReserve(301).has_value());
  EXPECT_EQ(total->reserved_pico_usd(), 700);  // the refusal was undone
  std::optional<Reservation> b = executor_b.TryReserve(300);
  ASSERT_TRUE(b.has_value());
  a->Settle(100);
  b->Settle(300);
  EXPECT_EQ(total->spent_pico_usd(), 400);
  EXPECT_EQ(executor_a.spent_pico_usd(), 100);
  EXPECT_EQ(*executor_a.available_pico_usd(), 600);
  EXPECT_EQ(*executor_b.available_pico_usd(), 600);
}

TEST(BudgetPool, ExhaustionMarksOnlyPoolsWithoutRoom) {
  auto total = std::make_shared<BudgetPool>(int64_t{1000});
  BudgetPool roomy(std::nullopt, total);
  BudgetPool small(int64_t{100}, total);
  small.MarkExhausted(200);
  EXPECT_TRUE(small.exhausted());
  EXPECT_FALSE(total->exhausted());  // 1000 left, enough for 200
  roomy.MarkExhausted(2000);
  EXPECT_TRUE(total->exhausted());
}

TEST(BudgetPool, ParallelReservationsNeverOvershoot) {
  BudgetPool pool(int64_t{10'000});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (auto r = pool.TryReserve(7)) r->Settle(7);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(pool.spent_pico_usd(), 9'996);  // 1428 calls of 7
}

TEST(BudgetWorstCase, UsesTheDearestInputPrice) {
  providers::ModelPrices prices{3'000'000, 15'000'000, 300'000, 3'750'000};
  EXPECT_EQ(WorstCaseCost(prices, 1000, 100),
            1000 * int64_t{3'750'000} + 100 * int64_t{15'000'000});
}

TEST(BudgetEstimate, BytesBoundTheInputTokens) {
  std::vector<providers::Message> messages = {
      providers::Message::UserText(std::string(5000, 'x'))};
  InputEstimate first = EstimateInputTokens("sys", {}, messages, std::nullopt, 0);
  EXPECT_FALSE(first.from_previous_usage);
  EXPECT_GT(first.tokens, 5000 + 1024);
  messages.push_back(providers::Message::AssistantText("ok"));
  messages.push_back(providers::Message::UserText("more"));
  InputEstimate next = EstimateInputTokens("sys", {}, messages, 1400, 1);
  EXPECT_TRUE(next.from_previous_usage);
  EXPECT_GT(next.tokens, 1400);
  EXPECT_LT(next.tokens, 1400 + 200);
}

TEST(BudgetUsd, RejectsBadAmounts) {
  EXPECT_EQ(*UsdToPico(0.5, "x"), int64_t{500'000'000'000});
  EXPECT_FALSE(UsdToPico(-1, "--max-budget-usd").ok());
  EXPECT_NE(UsdToPico(-1, "--max-budget-usd").status().message().find(
                "--max-budget-usd"),
            std::string::npos);
  EXPECT_FALSE(UsdToPico(1e7, "x").ok());
}

}  // namespace
}  // namespace boxagnts::query
