// The query loop against a scripted model on loopback: turns, tool
// rounds, limits, recoveries, budget, cancellation and compaction.

#include "query/query_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "loop_test_support.h"

namespace boxagnts::query {
namespace {

using testing::EchoTool;
using testing::FunctionTool;
using testing::LoopFixture;
using testing::ToolCall;

Json Usage(int64_t input, int64_t output) {
  return {{"input_tokens", input}, {"output_tokens", output}};
}

// Picodollars of `input` and `output` tokens at the test prices.
int64_t Cost(int64_t input, int64_t output) {
  return input * 1'000'000 + output * 5'000'000;
}

// The content blocks of message `index` of request `request`.
Json Content(const Json& request, size_t index) {
  return request["messages"][index]["content"];
}

TEST(QueryLoop, TextReplyEndsTheTurn) {
  LoopFixture f(Json::array(
      {{{"text", "Hello there."}, {"usage", Usage(120, 7)}}}));
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("Say hello", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_FALSE(result.is_error);
  EXPECT_EQ(result.result, "Hello there.");
  EXPECT_EQ(result.num_turns, 1);
  EXPECT_EQ(result.cost_pico_usd, Cost(120, 7));
  EXPECT_EQ(f.observer.streamed, "Hello there.");
  ASSERT_EQ(loop.history().size(), 2u);
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["system"].dump().find("You are a test.") !=
                std::string::npos,
            true);
  EXPECT_EQ(requests[0]["tools"][0]["name"], "Echo");
  EXPECT_EQ(requests[0]["max_tokens"], 1000);
}

TEST(QueryLoop, OutputLimitCappedAtModelMaximum) {
  LoopFixture f(Json::array({{{"text", "hi"}}}));
  f.config.max_output_tokens = 99'999;  // the test model's maximum is 8000
  QueryLoop loop(f.Deps(), f.config);
  ASSERT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  EXPECT_EQ(f.Requests()[0]["max_tokens"], 8000);
}

TEST(QueryLoop, ToolResultsKeepTheOrderOfCalls) {
  // A slow first call and a fast second one, run in parallel.
  auto slow_first = std::make_shared<FunctionTool>(
      "Echo", true, [](const Json& input, const CancellationToken&) {
        if (input.value("text", "") == "first") {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        tools::ToolResult r;
        r.content = input.value("text", "");
        return r;
      });
  LoopFixture f(
      Json::array({{{"tool_calls",
                     {ToolCall("c1", "Echo", {{"text", "first"}}),
                      ToolCall("c2", "Echo", {{"text", "second"}})}},
                    {"usage", Usage(100, 20)}},
                   {{"text", "done"}, {"usage", Usage(150, 5)}}}),
      {slow_first});
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(result.num_turns, 2);
  EXPECT_EQ(result.cost_pico_usd, Cost(100, 20) + Cost(150, 5));
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 2u);
  Json results = Content(requests[1], 2);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["tool_use_id"], "c1");
  EXPECT_EQ(results[0]["content"][0]["text"], "first");
  EXPECT_EQ(results[1]["tool_use_id"], "c2");
  EXPECT_EQ(results[1]["content"][0]["text"], "second");
  EXPECT_EQ(f.observer.tool_results,
            (std::vector<std::string>{"c1:ok", "c2:ok"}));
}

// Counts how many calls run at the same time.
struct ConcurrencyProbe {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  tools::ToolResult Enter() {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    --running;
    tools::ToolResult r;
    r.content = "ok";
    return r;
  }
};

Json ThreeCalls(const std::string& name) {
  return {ToolCall("a", name, Json::object()), ToolCall("b", name, Json::object()),
          ToolCall("c", name, Json::object())};
}

TEST(QueryLoop, SafeToolsRunInParallelUpToTheCap) {
  ConcurrencyProbe probe;
  auto tool = std::make_shared<FunctionTool>(
      "Probe", true,
      [&](const Json&, const CancellationToken&) { return probe.Enter(); });
  LoopFixture f(Json::array({{{"tool_calls", ThreeCalls("Probe")}},
                             {{"text", "done"}}}),
                {tool});
  f.config.max_parallel_tools = 2;
  QueryLoop loop(f.Deps(), f.config);
  ASSERT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  EXPECT_EQ(probe.peak.load(), 2);
}

TEST(QueryLoop, UnsafeToolsRunOneAtATime) {
  ConcurrencyProbe probe;
  auto tool = std::make_shared<FunctionTool>(
      "Probe", false,
      [&](const Json&, const CancellationToken&) { return probe.Enter(); });
  LoopFixture f(Json::array({{{"tool_calls", ThreeCalls("Probe")}},
                             {{"text", "done"}}}),
                {tool});
  QueryLoop loop(f.Deps(), f.config);
  ASSERT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  EXPECT_EQ(probe.peak.load(), 1);
}

TEST(QueryLoop, ToolErrorsAndBadCallsGoBackToTheModel) {
  std::atomic<int> ran{0};
  auto failing = std::make_shared<FunctionTool>(
      "Fail", true, [&](const Json&, const CancellationToken&) {
        ++ran;
        return tools::ToolResult::Error("disk on fire");
      });
  Json bad_args = {{"id", "c2"}, {"name", "Fail"}, {"arguments_raw", "{\"x\": "}};
  LoopFixture f(
      Json::array({{{"tool_calls",
                     {ToolCall("c1", "Fail", Json::object()), bad_args,
                      ToolCall("c3", "Nope", Json::object())}}},
                   {{"text", "understood"}}}),
      {failing});
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(ran.load(), 1);  // the malformed call never ran
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 2u);
  Json results = Content(requests[1], 2);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]["is_error"].get<bool>());
  EXPECT_EQ(results[0]["content"][0]["text"], "disk on fire");
  EXPECT_TRUE(results[1]["is_error"].get<bool>());
  EXPECT_NE(results[1]["content"][0]["text"].get<std::string>().find(
                "not a valid JSON object"),
            std::string::npos);
  EXPECT_TRUE(results[2]["is_error"].get<bool>());
  EXPECT_NE(results[2]["content"][0]["text"].get<std::string>().find("Nope"),
            std::string::npos);
}

TEST(QueryLoop, EmptyAndRepeatedToolIdsGetUniqueOnes) {
  LoopFixture f(Json::array(
      {{{"tool_calls", {ToolCall("d1", "Echo", {{"text", "a"}}),
                        ToolCall("d1", "Echo", {{"text", "b"}}),
                        ToolCall("", "Echo", {{"text", "c"}}),
                        ToolCall("e3", "", Json::object())}}},
       {{"text", "done"}}}));
  QueryLoop loop(f.Deps(), f.config);
  ASSERT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  Json messages = f.Requests()[1]["messages"];
  std::vector<std::string> uses, results;
  for (const Json& block : messages[1]["content"]) uses.push_back(block["id"]);
  for (const Json& block : messages[2]["content"]) {
    results.push_back(block["tool_use_id"]);
  }
  EXPECT_EQ(uses, (std::vector<std::string>{"d1", "boxagnts_1_2",
                                            "boxagnts_1_3", "e3"}));
  EXPECT_EQ(results, uses);
  EXPECT_EQ(messages[2]["content"][1]["content"][0]["text"], "b");
  EXPECT_TRUE(messages[2]["content"][3]["is_error"].get<bool>());
}

TEST(QueryLoop, MaxTurnsCountsEveryModelCall) {
  Json script = Json::array();
  for (int i = 0; i < 10; ++i) {
    script.push_back(
        {{"tool_calls", {ToolCall("c" + std::to_string(i), "Echo",
                                  {{"text", "again"}})}}});
  }
  LoopFixture f(script);
  f.config.max_turns = 3;
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("loop forever", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kMaxTurns);
  EXPECT_TRUE(result.is_error);
  EXPECT_EQ(result.num_turns, 3);
  EXPECT_EQ(f.server->requests().size(), 3u);
  // The last tool round has its results, so the session can be resumed.
  EXPECT_EQ(loop.history().back().role, providers::Role::kUser);
}

TEST(QueryLoop, CutRepliesRecoverThreeTimesThenStop) {
  Json cut = {{"text", "partial"}, {"stop_reason", "max_tokens"}};
  LoopFixture f(Json::array({cut, cut, cut, cut, {{"text", "never"}}}));
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("write a lot", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kError);
  EXPECT_EQ(result.num_turns, 4);
  EXPECT_NE(result.result.find("3 recovery attempts"), std::string::npos);
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 4u);
  // Each retry carries the partial reply and then the recovery request.
  Json last = requests[3]["messages"];
  EXPECT_EQ(last[last.size() - 2]["content"][0]["text"], "partial");
  EXPECT_NE(last.back()["content"].dump().find("Resume exactly where"),
            std::string::npos);
  // The fourth partial reply is kept in the history.
  EXPECT_EQ(loop.history().back().Text(), "partial");
}

TEST(QueryLoop, ToolRoundResetsRecoveryAttempts) {
  Json cut = {{"text", "partial"}, {"stop_reason", "max_tokens"}};
  Json tool = {{"tool_calls", {ToolCall("c1", "Echo", {{"text", "x"}})}}};
  LoopFixture f(
      Json::array({cut, cut, cut, tool, cut, cut, cut, {{"text", "done"}}}));
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(result.num_turns, 8);
}

TEST(QueryLoop, CutToolCallsAreAnsweredNotRun) {
  std::atomic<int> ran{0};
  auto tool = std::make_shared<FunctionTool>(
      "Echo", true, [&](const Json&, const CancellationToken&) {
        ++ran;
        return tools::ToolResult();
      });
  Json cut = {{"tool_calls", {ToolCall("c1", "Echo", {{"text", "x"}})}},
              {"stop_reason", "max_tokens"}};
  LoopFixture f(Json::array({cut, {{"text", "done"}}}), {tool});
  QueryLoop loop(f.Deps(), f.config);
  EXPECT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  EXPECT_EQ(ran.load(), 0);
  Json content = Content(f.Requests()[1], 2);
  EXPECT_EQ(content[0]["type"], "tool_result");
  EXPECT_TRUE(content[0]["is_error"].get<bool>());
  EXPECT_EQ(content[1]["type"], "text");
}

TEST(QueryLoop, StalledStreamIsRetried) {
  LoopFixture f(Json::array({{{"text", "slow"}, {"fault", "stall"},
                              {"after_events", 1}, {"stall_ms", 3000}},
                             {{"text", "fine"}}}));
  f.provider = testing::ProviderFor(*f.server, testing::kModelId, 1, 200);
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(result.result, "fine");
  EXPECT_EQ(result.num_turns, 2);
  ASSERT_FALSE(f.observer.notices.empty());
  EXPECT_EQ(f.observer.notices[0].rfind("retry: ", 0), 0u);
}

TEST(QueryLoop, StallRetriesAreBounded) {
  Json stall = {{"text", "slow"}, {"fault", "stall"}, {"after_events", 1},
                {"stall_ms", 3000}};
  LoopFixture f(Json::array({stall, stall, stall, {{"text", "never"}}}));
  f.provider = testing::ProviderFor(*f.server, testing::kModelId, 1, 200);
  f.config.max_stall_retries = 2;
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kError);
  EXPECT_EQ(result.num_turns, 3);
}

TEST(QueryLoop, OverloadedModelSwitchesOnceToFallback) {
  Json overloaded = {{"fault", "http_status"}, {"status", 529},
                     {"body", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"}};
  LoopFixture f(Json::array({overloaded, {{"text", "from fallback"}}}));
  f.config.fallback_model_id = testing::kFallbackId;
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(result.result, "from fallback");
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["model"], "test-model");
  EXPECT_EQ(requests[1]["model"], "test-fallback");
}

TEST(QueryLoop, OverloadedWithoutFallbackStops) {
  Json overloaded = {{"fault", "http_status"}, {"status", 529},
                     {"body", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"}};
  LoopFixture f(Json::array({overloaded, {{"text", "never"}}}));
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kError);
  EXPECT_EQ(f.server->requests().size(), 1u);
}

TEST(QueryLoop, BudgetIsNeverOvershot) {
  // Every turn calls a tool. Each call costs 1000 in + 100 out tokens.
  Json script = Json::array();
  for (int i = 0; i < 50; ++i) {
    script.push_back({{"tool_calls", {ToolCall("c" + std::to_string(i), "Echo",
                                               {{"text", "more"}})}},
                      {"usage", Usage(1000, 100)}});
  }
  LoopFixture f(script);
  f.config.max_output_tokens = 200;
  // Cap: USD 0.02. Actual per call: 0.0015; worst case per call is about
  // (estimate + 1000 allowance) * $1 + 200 * $5 per Mtok.
  f.budget = std::make_shared<BudgetPool>(int64_t{20'000'000'000});
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("spend", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kBudget);
  EXPECT_LE(f.budget->spent_pico_usd(), int64_t{20'000'000'000});
  EXPECT_EQ(f.budget->spent_pico_usd(), result.cost_pico_usd);
  EXPECT_EQ(result.cost_pico_usd, result.num_turns * Cost(1000, 100));
  EXPECT_GE(result.num_turns, 5);
  EXPECT_EQ(f.budget->reserved_pico_usd(), 0);
  // The last paid reply and its tool results stay in the history.
  EXPECT_EQ(loop.history().size(), size_t(1 + 2 * result.num_turns));
}

TEST(QueryLoop, BudgetTooSmallForAnyCallStopsBeforeCalling) {
  LoopFixture f(Json::array({{{"text", "never"}}}));
  f.budget = std::make_shared<BudgetPool>(int64_t{1000});
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kBudget);
  EXPECT_EQ(result.num_turns, 0);
  EXPECT_EQ(f.server->requests().size(), 0u);
}

TEST(QueryLoop, UnknownPricesWithBudgetIsAnError) {
  LoopFixture f(Json::array({{{"text", "never"}}}));
  f.config.model_id = "anthropic/unpriced";
  f.budget = std::make_shared<BudgetPool>(int64_t{1'000'000'000'000});
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kError);
  EXPECT_NE(result.result.find("anthropic/unpriced"), std::string::npos);
  EXPECT_EQ(f.server->requests().size(), 0u);
}

TEST(QueryLoop, CancellationStopsASlowToolQuickly) {
  std::atomic<bool> started{false};
  auto slow = std::make_shared<FunctionTool>(
      "Slow", false, [&](const Json&, const CancellationToken& cancel) {
        started = true;
        for (int i = 0; i < 3000 && !cancel.IsCancelled(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return cancel.IsCancelled() ? tools::ToolResult::Error("cancelled")
                                  : tools::ToolResult();
      });
  LoopFixture f(Json::array({{{"tool_calls", {ToolCall("c1", "Slow", Json::object())}}},
                             {{"text", "never"}}}),
                {slow});
  QueryLoop loop(f.Deps(), f.config);
  CancellationSource source;
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancelled_at = std::chrono::steady_clock::now();
    source.Cancel();
  });
  QueryResult result = loop.Run("go", source.token());
  auto returned = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_EQ(result.stop, StopKind::kCancelled);
  EXPECT_LT(returned - cancelled_at, std::chrono::milliseconds(200));
  EXPECT_EQ(f.server->requests().size(), 1u);
  // The tool_use has a result, so the history stays valid.
  const providers::Message& last = loop.history().back();
  ASSERT_EQ(last.role, providers::Role::kUser);
  EXPECT_TRUE(std::get<providers::ToolResultBlock>(last.content[0]).is_error);
}

TEST(QueryLoop, CancellationStopsAStreamingReply) {
  LoopFixture f(Json::array({{{"text", std::string(400, 'x')},
                              {"delta_chars", 1},
                              {"chunk_delay_ms", 20}}}));
  QueryLoop loop(f.Deps(), f.config);
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    source.Cancel();
  });
  auto started = std::chrono::steady_clock::now();
  QueryResult result = loop.Run("go", source.token());
  canceller.join();
  EXPECT_EQ(result.stop, StopKind::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            std::chrono::milliseconds(150 + 200));
  // Nothing paid was appended; the prompt is the last message.
  EXPECT_EQ(loop.history().size(), 1u);
}

TEST(QueryLoop, ResumedHistoryAnswersInterruptedToolUses) {
  LoopFixture f(Json::array({{{"text", "resumed"}}}));
  std::vector<providers::Message> history = {
      providers::Message::UserText("start"),
      {providers::Role::kAssistant,
       {providers::ToolUseBlock{"c9", "Echo", {{"text", "x"}}, "", ""}}}};
  QueryLoop loop(f.Deps(), f.config, history);
  EXPECT_EQ(loop.Run("continue", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  Json content = Content(f.Requests()[0], 2);
  EXPECT_EQ(content[0]["type"], "tool_result");
  EXPECT_EQ(content[0]["tool_use_id"], "c9");
  EXPECT_TRUE(content[0]["is_error"].get<bool>());
  EXPECT_EQ(content[1]["text"], "continue");
}

}  // namespace
}  // namespace boxagnts::query
