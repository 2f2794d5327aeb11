// The Anthropic Messages protocol against the loopback test server.

#include <gtest/gtest.h>

#include "providers/model_catalog.h"
#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;

const char kText[] = "H\xC3\xA9llo, w\xC3\xB6rld! \xE2\x9C\x93";  // 15 chars

Json FullTurn() {
  return {{"thinking", "Let me think"},
          {"signature", "sig-abc"},
          {"text", kText},
          {"tool_calls",
           {{{"id", "toolu_1"},
             {"name", "read_file"},
             {"arguments", {{"path", "/tmp/\xC3\xA4.txt"}, {"limit", 10}}}}}},
          {"usage",
           {{"input_tokens", 100},
            {"output_tokens", 50},
            {"cache_read_tokens", 2000},
            {"cache_write_tokens", 300}}},
          {"delta_chars", 3},
          {"chunk_bytes", 1}};
}

TEST(AnthropicProtocol, AssemblesThinkingTextAndToolUse) {
  auto server = StartServer(Json::array({FullTurn()}));
  ASSERT_NE(server, nullptr);
  auto provider = MakeProvider(Protocol::kAnthropic, *server,
                               "claude-sonnet-4-5");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  Message expected{Role::kAssistant,
                   {ThinkingBlock{"Let me think", "sig-abc", ""},
                    TextBlock{kText},
                    ToolUseBlock{"toolu_1", "read_file",
                                 Json{{"path", "/tmp/\xC3\xA4.txt"},
                                      {"limit", 10}},
                                 "", ""}}};
  EXPECT_EQ(result->message, expected);
  EXPECT_EQ(result->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(result->usage, (Usage{100, 50, 2000, 300}));
  EXPECT_EQ(result->model, "claude-sonnet-4-5");

  EXPECT_EQ(callbacks.text, kText);
  EXPECT_EQ(callbacks.text_deltas, 5);
  EXPECT_EQ(callbacks.thinking, "Let me think");
  ASSERT_EQ(callbacks.tool_starts.size(), 1u);
  EXPECT_EQ(callbacks.tool_starts[0].first, "toolu_1");
  EXPECT_EQ(callbacks.tool_starts[0].second, "read_file");
}

TEST(AnthropicProtocol, CostUsesCatalogPricesWithCache) {
  Result<ModelCatalog> catalog = ModelCatalog::LoadFile(
      std::string(BOXAGNTS_SOURCE_DIR) + "/data/models.json");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const ModelInfo* model = catalog->Find("anthropic/claude-sonnet-4-5");
  ASSERT_NE(model, nullptr);
  auto server = StartServer(Json::array({FullTurn()}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server,
                               "claude-sonnet-4-5");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok());
  Cost cost = ComputeCost(model->prices, result->usage);
  // 100 x $3 + 50 x $15 + 2000 x $0.30 + 300 x $3.75, per million tokens.
  EXPECT_EQ(cost.input_pico_usd, 300'000'000);
  EXPECT_EQ(cost.output_pico_usd, 750'000'000);
  EXPECT_EQ(cost.cache_read_pico_usd, 600'000'000);
  EXPECT_EQ(cost.cache_write_pico_usd, 1'125'000'000);
  EXPECT_EQ(cost.total_pico_usd(), 2'775'000'000);
  EXPECT_EQ(FormatUsd(cost.total_pico_usd()), "$0.002775");
}

TEST(AnthropicProtocol, SendsHeadersAndCacheBreakpoints) {
  auto server = StartServer(Json::array({{{"text", "ok"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  Request request = UserRequest("question");
  request.system = "be brief";
  request.tools.push_back({"read_file", "Reads a file",
                           {{"type", "object"}}});
  request.thinking_budget_tokens = 2048;
  request.stop_sequences = {"END"};
  CollectingCallbacks callbacks;
  ASSERT_TRUE(provider->Complete(request, callbacks, CancellationToken()).ok());

  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/messages");
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "test-key");
  EXPECT_EQ(requests[0].headers.at("anthropic-version"), "2023-06-01");
  EXPECT_EQ(requests[0].headers.count("authorization"), 0u);
  Json body = testing::BodyOf(requests[0]);
  Json expected = {
      {"model", "claude-x"},
      {"max_tokens", 1024},
      {"stream", true},
      {"system",
       {{{"type", "text"},
         {"text", "be brief"},
         {"cache_control", {{"type", "ephemeral"}}}}}},
      {"messages",
       {{{"role", "user"},
         {"content",
          {{{"type", "text"},
            {"text", "question"},
            {"cache_control", {{"type", "ephemeral"}}}}}}}}},
      {"tools",
       {{{"name", "read_file"},
         {"description", "Reads a file"},
         {"input_schema", {{"type", "object"}}},
         {"cache_control", {{"type", "ephemeral"}}}}}},
      {"stop_sequences", {"END"}},
      {"thinking", {{"type", "enabled"}, {"budget_tokens", 2048}}}};
  EXPECT_EQ(body, expected);
}

TEST(AnthropicProtocol, EncodesToolResultsAndThinking) {
  Request request;
  request.messages.push_back(Message::UserText("list files"));
  request.messages.push_back(
      {Role::kAssistant,
       {ThinkingBlock{"plan", "sig-1", ""},
        ToolUseBlock{"toolu_9", "ls", Json{{"dir", "/"}}, "", ""}}});
  request.messages.push_back(
      {Role::kUser,
       {ToolResultBlock{"toolu_9", {TextBlock{"bin etc"}}, true}}});

  Endpoint endpoint{"anthropic", "http://127.0.0.1:1", "k", "claude-x", {}};
  Result<WireRequest> wire =
      MakeWireProtocol(Protocol::kAnthropic)->BuildRequest(request, endpoint);
  ASSERT_TRUE(wire.ok());

  Json expected_assistant = {
      {"role", "assistant"},
      {"content",
       {{{"type", "thinking"}, {"thinking", "plan"}, {"signature", "sig-1"}},
        {{"type", "tool_use"},
         {"id", "toolu_9"},
         {"name", "ls"},
         {"input", {{"dir", "/"}}}}}}};
  EXPECT_EQ(wire->body["messages"][1], expected_assistant);

  Json expected_result = {{"type", "tool_result"},
                          {"tool_use_id", "toolu_9"},
                          {"content",
                           {{{"type", "text"}, {"text", "bin etc"}}}},
                          {"is_error", true},
                          {"cache_control", {{"type", "ephemeral"}}}};
  EXPECT_EQ(wire->body["messages"][2]["content"][0], expected_result);
  EXPECT_EQ(wire->url, "http://127.0.0.1:1/v1/messages");
}

TEST(AnthropicProtocol, MidStreamErrorEventIsTyped) {
  Json turn = {{"text", "partial answer"},
               {"fault", "stream_error"},
               {"after_events", 4},
               {"error_type", "overloaded_error"}};
  auto server = StartServer(Json::array({turn}));
  HttpProviderOptions options = testing::FastOptions();
  auto provider =
      MakeProvider(Protocol::kAnthropic, *server, "claude-x", options);
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kOverloaded);
  // Text reached the caller, so the call is not retried.
  EXPECT_EQ(callbacks.text, "part");
  EXPECT_EQ(server->requests().size(), 1u);
  EXPECT_EQ(result.error().attempts, 1);
}

TEST(AnthropicProtocol, ErrorBeforeDeltasIsRetried) {
  Json fault = {{"text", "lost"},
                {"fault", "stream_error"},
                {"after_events", 2},
                {"error_type", "overloaded_error"}};
  auto server = StartServer(Json::array({fault, {{"text", "second try"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->message.Text(), "second try");
  EXPECT_EQ(callbacks.text, "second try");
  EXPECT_EQ(server->requests().size(), 2u);
}

TEST(AnthropicProtocol, SplitToolArgumentsAssemble) {
  Json args = {{"query", "caf\xC3\xA9 \xF0\x9F\x98\x80"},
               {"tags", {"a", "b", "c"}},
               {"nested", {{"deep", {{"n", 1.5}}}}}};
  Json turn = {{"tool_calls", {{{"id", "t1"}, {"name", "search"},
                                {"arguments", args}}}},
               {"delta_chars", 1},
               {"chunk_bytes", 7}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto uses = result->message.ToolUses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0]->input, args);
  EXPECT_EQ(result->stop_reason, StopReason::kToolUse);
}

TEST(AnthropicProtocol, MalformedToolArgumentsBecomeError) {
  Json turn = {{"tool_calls", {{{"id", "t1"}, {"name", "write"},
                                {"arguments_raw", "{\"path\": \"/tmp/x"}}}}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  const ProviderError& error = result.error();
  EXPECT_EQ(error.kind, ProviderErrorKind::kMalformedToolArguments);
  EXPECT_NE(error.status.message().find("\"write\" (id t1)"),
            std::string::npos)
      << error.status.message();
  ASSERT_TRUE(error.response.has_value());
  auto uses = error.response->message.ToolUses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_TRUE(uses[0]->malformed());
  EXPECT_TRUE(uses[0]->input.is_null());
  EXPECT_EQ(uses[0]->raw_input, "{\"path\": \"/tmp/x");
}

TEST(AnthropicProtocol, StopReasonsMap) {
  auto server = StartServer(Json::array(
      {{{"text", "a"}, {"stop_reason", "max_tokens"}},
       {{"text", "b"}, {"stop_reason", "stop_sequence"}},
       {{"text", "c"}, {"stop_reason", "refusal"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CollectingCallbacks callbacks;
  StopReason expected[] = {StopReason::kMaxTokens, StopReason::kStopSequence,
                           StopReason::kRefusal};
  for (StopReason reason : expected) {
    CompletionResult result =
        provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->stop_reason, reason);
  }
}

}  // namespace
}  // namespace boxagnts::providers
