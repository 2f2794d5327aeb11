#include "providers/test_server.h"

#include <gtest/gtest.h>

#include "providers/test_server_render.h"

namespace boxagnts::providers {
namespace {

TEST(TestScript, RejectsUnknownField) {
  auto turns = ParseTestScript(Json::array({{{"txt", "typo"}}}));
  ASSERT_FALSE(turns.ok());
  EXPECT_EQ(turns.status().message(), "script turn 0: \"txt\" is unknown");
}

TEST(TestScript, RejectsUnknownFault) {
  auto turns = ParseTestScript(
      Json::array({{{"text", "ok"}}, {{"fault", "explode"}}}));
  ASSERT_FALSE(turns.ok());
  EXPECT_NE(turns.status().message().find("script turn 1: \"fault\""),
            std::string::npos);
}

TEST(TestScript, RejectsNonArray) {
  EXPECT_FALSE(ParseTestScript(Json::object()).ok());
  EXPECT_FALSE(
      ParseTestScript(Json::array({{{"usage", {{"input_tokens", -1}}}}})).ok());
  EXPECT_FALSE(ParseTestScript(Json::array({{{"status", 42}}})).ok());
}

TEST(TestScript, ParsesToolCallsAndUsage) {
  auto turns = ParseTestScript(Json::array(
      {{{"tool_calls", {{{"name", "f"}, {"arguments", {{"a", 1}}}},
                        {{"name", "g"}, {"arguments_raw", "{x"}}}},
        {"usage", {{"input_tokens", 3}, {"cache_write_tokens", 4}}}}}));
  ASSERT_TRUE(turns.ok()) << turns.status().ToString();
  const ScriptTurn& turn = (*turns)[0];
  ASSERT_EQ(turn.tool_calls.size(), 2u);
  EXPECT_EQ(turn.tool_calls[0].id, "call_0");
  EXPECT_EQ(turn.tool_calls[0].arguments, "{\"a\":1}");
  EXPECT_EQ(turn.tool_calls[1].arguments, "{x");
  EXPECT_EQ(turn.usage, (Usage{3, 0, 0, 4}));
}

TEST(SplitUtf8, NeverCutsCharacters) {
  std::string text = "a\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80z";
  auto pieces = SplitUtf8(text, 2);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0], "a\xC3\xA9");
  EXPECT_EQ(pieces[1], "\xE2\x9C\x93\xF0\x9F\x98\x80");
  EXPECT_EQ(pieces[2], "z");
  EXPECT_EQ(SplitUtf8(text, 0), std::vector<std::string>{text});
  EXPECT_TRUE(SplitUtf8("", 3).empty());
}

TEST(RenderOpenAiChat, UsageOnlyFinalChunk) {
  ScriptTurn turn;
  turn.text = "hi";
  turn.usage = Usage{10, 2, 0, 0};
  auto events = RenderTurnEvents(turn, Protocol::kOpenAiChat, "m", true);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "data: [DONE]\n\n");
  std::string usage_event = events[events.size() - 2];
  Json usage_chunk = Json::parse(usage_event.substr(6));
  EXPECT_EQ(usage_chunk["choices"], Json::array());
  EXPECT_EQ(usage_chunk["usage"]["prompt_tokens"], 10);
}

TEST(TestServer, RecordsRequestsAndServesTurnsInOrder) {
  auto server = TestServer::Start(Json::array({{{"text", "one"}}}));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ((*server)->base_url().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_GT((*server)->port(), 0);
  EXPECT_TRUE((*server)->requests().empty());
  (*server)->Stop();
  (*server)->Stop();  // twice is fine
}

TEST(TestServer, BadScriptFailsToStart) {
  auto server = TestServer::Start(Json::array({{{"fault", "nope"}}}));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace boxagnts::providers
