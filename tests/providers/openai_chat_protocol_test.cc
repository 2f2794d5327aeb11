// The OpenAI Chat Completions protocol against the loopback test server.

#include <gtest/gtest.h>

#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;

Json ParallelCallsTurn() {
  return {{"thinking", "hmm, two lookups"},
          {"text", "Two calls"},
          {"tool_calls",
           {{{"id", "call_a"}, {"name", "get_weather"},
             {"arguments", {{"city", "Paris"}}}},
            {{"id", "call_b"}, {"name", "get_time"},
             {"arguments", {{"tz", "Europe/Paris"}}}}}},
          {"interleave_tool_calls", true},
          {"delta_chars", 2},
          {"usage", {{"input_tokens", 80}, {"output_tokens", 20},
                     {"cache_read_tokens", 1000}}}};
}

TEST(OpenAiChatProtocol, AssemblesInterleavedParallelToolCalls) {
  auto server = StartServer(Json::array({ParallelCallsTurn()}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "deepseek-chat",
                               testing::FastOptions(), "test-key", "deepseek");
  CollectingCallbacks callbacks;
  CompletionResult result = provider->Complete(UserRequest("weather?"),
                                               callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  Message expected{
      Role::kAssistant,
      {ThinkingBlock{"hmm, two lookups", "", ""}, TextBlock{"Two calls"},
       ToolUseBlock{"call_a", "get_weather", Json{{"city", "Paris"}}, "", ""},
       ToolUseBlock{"call_b", "get_time", Json{{"tz", "Europe/Paris"}}, "",
                    ""}}};
  EXPECT_EQ(result->message, expected);
  EXPECT_EQ(result->stop_reason, StopReason::kToolUse);
  // prompt_tokens 1080 of which 1000 cached.
  EXPECT_EQ(result->usage, (Usage{80, 20, 1000, 0}));
  EXPECT_EQ(result->model, "deepseek-chat");
  EXPECT_EQ(callbacks.thinking, "hmm, two lookups");
  ASSERT_EQ(callbacks.tool_starts.size(), 2u);
  EXPECT_EQ(callbacks.tool_starts[1].first, "call_b");
}

TEST(OpenAiChatProtocol, RequestAsksForUsageChunk) {
  auto server = StartServer(Json::array({{{"text", "ok"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-5",
                               testing::FastOptions(), "sk-test", "openai");
  Request request = UserRequest("hello");
  request.system = "sys";
  request.temperature = 0.5;
  request.stop_sequences = {"\n\n"};
  CollectingCallbacks callbacks;
  ASSERT_TRUE(provider->Complete(request, callbacks, CancellationToken()).ok());
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer sk-test");
  Json expected = {
      {"model", "gpt-5"},
      {"messages",
       {{{"role", "system"}, {"content", "sys"}},
        {{"role", "user"}, {"content", "hello"}}}},
      {"stream", true},
      {"stream_options", {{"include_usage", true}}},
      {"max_completion_tokens", 1024},
      {"temperature", 0.5},
      {"stop", {"\n\n"}}};
  EXPECT_EQ(testing::BodyOf(requests[0]), expected);
}

TEST(OpenAiChatProtocol, UsageInFinishChunkWithoutStreamOptions) {
  Json turn = {{"text", "bonjour"},
               {"usage", {{"input_tokens", 12}, {"output_tokens", 3}}}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "mistral-small",
                               testing::FastOptions(), "k", "mistral");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->usage, (Usage{12, 3, 0, 0}));
  Json body = testing::BodyOf(server->requests()[0]);
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_EQ(body["max_tokens"], 1024);
}

TEST(OpenAiChatProtocol, EncodesToolHistory) {
  Request request;
  request.messages.push_back(Message::UserText("go"));
  request.messages.push_back(
      {Role::kAssistant,
       {ThinkingBlock{"reasoning", "", ""}, TextBlock{"calling"},
        ToolUseBlock{"c1", "ls", Json{{"dir", "/"}}, "", ""}}});
  request.messages.push_back(
      {Role::kUser,
       {ToolResultBlock{"c1", {TextBlock{"denied"}}, true},
        TextBlock{"and now?"},
        ImageBlock{"image/png", "AAAA", ""}}});
  Endpoint endpoint{"deepseek", "http://127.0.0.1:1", "", "deepseek-chat", {}};
  Result<WireRequest> wire =
      MakeWireProtocol(Protocol::kOpenAiChat)->BuildRequest(request, endpoint);
  ASSERT_TRUE(wire.ok());
  Json expected = {
      {{"role", "user"}, {"content", "go"}},
      {{"role", "assistant"},
       {"content", "calling"},
       {"tool_calls",
        {{{"id", "c1"}, {"type", "function"},
          {"function", {{"name", "ls"}, {"arguments", "{\"dir\":\"/\"}"}}}}}}},
      {{"role", "tool"}, {"tool_call_id", "c1"}, {"content", "Error: denied"}},
      {{"role", "user"},
       {"content",
        {{{"type", "text"}, {"text", "and now?"}},
         {{"type", "image_url"},
          {"image_url", {{"url", "data:image/png;base64,AAAA"}}}}}}}};
  EXPECT_EQ(wire->body["messages"], expected);
  // No key, no authorization header (local servers).
  for (const auto& [name, value] : wire->headers) {
    EXPECT_NE(name, "authorization");
  }
}

TEST(OpenAiChatProtocol, MalformedArgumentsAreReported) {
  Json turn = {{"tool_calls",
                {{{"id", "c1"}, {"name", "edit"},
                  {"arguments_raw", "{\"a\": 1,"}},
                 {{"id", "c2"}, {"name", "view"}, {"arguments", {{"b", 2}}}}}}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kMalformedToolArguments);
  ASSERT_TRUE(result.error().response.has_value());
  auto uses = result.error().response->message.ToolUses();
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_TRUE(uses[0]->malformed());
  EXPECT_EQ(uses[0]->raw_input, "{\"a\": 1,");
  EXPECT_FALSE(uses[1]->malformed());
  EXPECT_EQ(uses[1]->input, (Json{{"b", 2}}));
}

TEST(OpenAiChatProtocol, FinishReasonsMap) {
  auto server = StartServer(Json::array(
      {{{"text", "a"}, {"stop_reason", "max_tokens"}},
       {{"text", "b"}, {"stop_reason", "refusal"}},
       {{"text", "c"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CollectingCallbacks callbacks;
  for (StopReason reason : {StopReason::kMaxTokens, StopReason::kRefusal,
                            StopReason::kEndTurn}) {
    CompletionResult result =
        provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->stop_reason, reason);
  }
}

TEST(OpenAiChatProtocol, SplitUtf8AcrossWrites) {
  std::string text = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x8E\x89 ok";
  // Writes of 7 bytes, spaced out so that they arrive as separate reads,
  // cut the 3- and 4-byte characters.
  Json turn = {{"text", text}, {"delta_chars", 1}, {"chunk_bytes", 7},
               {"chunk_delay_ms", 1}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->message.Text(), text);
  EXPECT_EQ(callbacks.text, text);
  EXPECT_EQ(callbacks.text_deltas, 8);
}

}  // namespace
}  // namespace boxagnts::providers
