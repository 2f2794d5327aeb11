// Compaction: where the history is cut, what the summariser sees, and
// how the loop replaces its history only after a summary succeeded.

#include "query/compaction.h"

#include <gtest/gtest.h>

#include "loop_test_support.h"

namespace boxagnts::query {
namespace {

using providers::Message;
using providers::Role;
using testing::LoopFixture;
using testing::ToolCall;

Message Assistant(const std::string& tool_id) {
  return {Role::kAssistant,
          {providers::TextBlock{"calling"},
           providers::ToolUseBlock{tool_id, "Echo", {{"text", "x"}}, "", ""}}};
}

Message Result(const std::string& tool_id) {
  providers::ToolResultBlock block;
  block.tool_use_id = tool_id;
  block.content.push_back(providers::TextBlock{"x"});
  return {Role::kUser, {block}};
}

TEST(CompactionCut, FallsJustBeforeAnAssistantMessage) {
  std::vector<Message> h = {Message::UserText("go"), Assistant("a"),
                            Result("a"), Assistant("b"), Result("b"),
                            Assistant("c"), Result("c")};
  EXPECT_EQ(FindCompactionCut(h, 1), 5u);
  EXPECT_EQ(FindCompactionCut(h, 2), 3u);
  // At least one assistant turn is always summarised.
  EXPECT_EQ(FindCompactionCut(h, 3), 3u);
  EXPECT_EQ(FindCompactionCut(h, 9), 3u);
  EXPECT_EQ(FindCompactionCut({Message::UserText("go")}, 2), 0u);
  // With one assistant turn, everything is summarised.
  EXPECT_EQ(FindCompactionCut({Message::UserText("go"), Assistant("a"),
                               Result("a")},
                              2),
            3u);
}

TEST(CompactionTranscript, ClipsLongBlocksInTheMiddle) {
  std::string long_text = std::string(50, 'a') + std::string(50, 'b');
  std::string transcript =
      RenderTranscript({Message::UserText(long_text), Assistant("t1")}, 20);
  EXPECT_NE(transcript.find("USER: aaaaaaaaaa\n[... 80 characters left out "
                            "...]\nbbbbbbbbbb"),
            std::string::npos);
  EXPECT_NE(transcript.find("TOOL CALL Echo (t1): {\"text\":\"x\"}"),
            std::string::npos);
}

Json Usage(int64_t input, int64_t output) {
  return {{"input_tokens", input}, {"output_tokens", output}};
}

TEST(CompactionLoop, KeepsToolPairsTogether) {
  // Context window 10,000 tokens, threshold 0.8: the second turn's usage
  // (9,000 + 10) triggers a compaction before the third call.
  LoopFixture f(
      Json::array(
          {{{"tool_calls", {ToolCall("c1", "Echo", {{"text", "one"}})}},
            {"usage", Usage(500, 10)}},
           {{"tool_calls", {ToolCall("c2", "Echo", {{"text", "two"}})}},
            {"usage", Usage(9000, 10)}},
           {{"text", "SUMMARY OF WORK"}, {"usage", Usage(3000, 50)}},
           {{"text", "finished"}, {"usage", Usage(800, 5)}}}),
      {testing::EchoTool()}, 10'000);
  f.config.compaction.keep_recent_turns = 1;
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("do it", CancellationSource().token());
  ASSERT_EQ(result.stop, StopKind::kEndTurn) << result.result;
  EXPECT_EQ(result.num_turns, 3);  // the summary is not a turn
  // The summary call is charged.
  EXPECT_EQ(result.cost_pico_usd,
            (500 + 9000 + 3000 + 800) * int64_t{1'000'000} +
                (10 + 10 + 50 + 5) * int64_t{5'000'000});
  std::vector<Json> requests = f.Requests();
  ASSERT_EQ(requests.size(), 4u);
  // The summariser gets a transcript and no tools.
  EXPECT_FALSE(requests[2].contains("tools"));
  std::string transcript = requests[2]["messages"][0]["content"].dump();
  EXPECT_NE(transcript.find("TOOL CALL Echo (c1)"), std::string::npos);
  EXPECT_NE(transcript.find("USER: do it"), std::string::npos);
  // After it: the summary, then the kept pair, intact.
  Json messages = requests[3]["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0]["role"], "user");
  EXPECT_NE(messages[0]["content"].dump().find("SUMMARY OF WORK"),
            std::string::npos);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_EQ(messages[1]["content"][0]["id"], "c2");
  EXPECT_EQ(messages[2]["content"][0]["tool_use_id"], "c2");
  ASSERT_FALSE(f.observer.notices.empty());
  EXPECT_EQ(f.observer.notices[0], "compaction: compacted 3 messages into a summary");
}

TEST(CompactionLoop, FailuresLoseNothingAndTurnOffAfterThree) {
  Json big = {{"tool_calls", {ToolCall("c", "Echo", {{"text", "x"}})}},
              {"usage", Usage(9000, 10)}};
  Json broken = {{"fault", "http_status"}, {"status", 500},
                 {"message", "summariser down"}};
  LoopFixture f(Json::array({big, broken, big, broken, big, broken, big,
                             {{"text", "done"}}}),
                {testing::EchoTool()}, 10'000);
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  ASSERT_EQ(result.stop, StopKind::kEndTurn) << result.result;
  EXPECT_EQ(f.server->requests().size(), 8u);
  // Nothing was replaced: 1 prompt + 4 tool rounds * 2 + final reply.
  EXPECT_EQ(loop.history().size(), 10u);
  EXPECT_EQ(loop.history()[0].Text(), "go");
  int failures = 0;
  bool off = false;
  for (const std::string& notice : f.observer.notices) {
    if (notice.rfind("compaction_failed:", 0) == 0) ++failures;
    if (notice == "warning: automatic compaction is off for this session "
                  "after 3 failures in a row") {
      off = true;
    }
  }
  EXPECT_EQ(failures, 3);
  EXPECT_TRUE(off);
}

TEST(CompactionLoop, ContextOverflowCompactsAndRetriesOnce) {
  Json overflow = {{"fault", "http_status"}, {"status", 400},
                   {"body", R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})"}};
  LoopFixture f(Json::array(
      {{{"tool_calls", {ToolCall("c1", "Echo", {{"text", "one"}})}}},
       {{"tool_calls", {ToolCall("c2", "Echo", {{"text", "two"}})}}},
       overflow,
       {{"text", "SUMMARY"}},
       {{"text", "fits now"}}}));
  f.config.compaction.keep_recent_turns = 1;
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn) << result.result;
  EXPECT_EQ(result.result, "fits now");
  EXPECT_EQ(f.server->requests().size(), 5u);
}

TEST(CompactionLoop, SecondOverflowStops) {
  Json overflow = {{"fault", "http_status"}, {"status", 400},
                   {"body", R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}})"}};
  LoopFixture f(Json::array(
      {{{"tool_calls", {ToolCall("c1", "Echo", {{"text", "one"}})}}},
       overflow, {{"text", "SUMMARY"}}, overflow, {{"text", "never"}}}));
  QueryLoop loop(f.Deps(), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kError);
  EXPECT_EQ(f.server->requests().size(), 4u);
}

}  // namespace
}  // namespace boxagnts::query
