// The OpenAI Responses protocol against the loopback test server.

#include <gtest/gtest.h>

#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;

TEST(OpenAiResponsesProtocol, AssemblesReasoningTextAndCall) {
  Json turn = {{"thinking", "summary of thought"},
               {"signature", "enc-123"},
               {"text", "Checking."},
               {"tool_calls", {{{"id", "call_9"}, {"name", "grep"},
                                {"arguments", {{"pattern", "TODO"}}}}}},
               {"usage", {{"input_tokens", 500}, {"output_tokens", 40},
                          {"cache_read_tokens", 4000}}}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kOpenAiResponses, *server,
                               "gpt-5-codex", testing::FastOptions(), "sk-r",
                               "openai-responses");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("find todos"), callbacks,
                         CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  Message expected{
      Role::kAssistant,
      {ThinkingBlock{"summary of thought", "enc-123", "rs_test_0"},
       TextBlock{"Checking."},
       ToolUseBlock{"call_9", "grep", Json{{"pattern", "TODO"}}, "", ""}}};
  EXPECT_EQ(result->message, expected);
  EXPECT_EQ(result->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(result->usage, (Usage{500, 40, 4000, 0}));
  EXPECT_EQ(callbacks.text, "Checking.");
  EXPECT_EQ(callbacks.thinking, "summary of thought");

  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/responses");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer sk-r");
  Json body = testing::BodyOf(requests[0]);
  EXPECT_EQ(body["store"], false);
  EXPECT_EQ(body["max_output_tokens"], 1024);
  EXPECT_EQ(body["input"],
            (Json{{{"role", "user"},
                   {"content", {{{"type", "input_text"},
                                 {"text", "find todos"}}}}}}));
}

TEST(OpenAiResponsesProtocol, EncodesHistoryItems) {
  Request request;
  request.system = "sys";
  request.messages.push_back(Message::UserText("q"));
  request.messages.push_back(
      {Role::kAssistant,
       {ThinkingBlock{"sum", "enc", "rs_1"}, TextBlock{"t"},
        ToolUseBlock{"call_1", "f", Json{{"x", 1}}, "", ""}}});
  request.messages.push_back(
      {Role::kUser, {ToolResultBlock{"call_1", {TextBlock{"out"}}, false}}});

  request.thinking_budget_tokens = 20000;
  Endpoint endpoint{"openai", "http://127.0.0.1:1/v1", "k", "o3-pro", {}};
  Result<WireRequest> wire = MakeWireProtocol(Protocol::kOpenAiResponses)
                                 ->BuildRequest(request, endpoint);
  ASSERT_TRUE(wire.ok());

  Json expected_input = {
      {{"role", "user"},
       {"content", {{{"type", "input_text"}, {"text", "q"}}}}},
      {{"type", "reasoning"},
       {"id", "rs_1"},
       {"encrypted_content", "enc"},
       {"summary", {{{"type", "summary_text"}, {"text", "sum"}}}}},
      {{"type", "message"},
       {"role", "assistant"},
       {"content", {{{"type", "output_text"}, {"text", "t"}}}}},
      {{"type", "function_call"}, {"call_id", "call_1"}, {"name", "f"},
       {"arguments", "{\"x\":1}"}},
      {{"type", "function_call_output"}, {"call_id", "call_1"},
       {"output", "out"}}};
  EXPECT_EQ(wire->body["input"], expected_input);

  EXPECT_EQ(wire->body["instructions"], "sys");
  EXPECT_EQ(wire->body["reasoning"]["effort"], "high");
  EXPECT_EQ(wire->body["include"],
            Json::array({"reasoning.encrypted_content"}));
  EXPECT_EQ(wire->url, "http://127.0.0.1:1/v1/responses");
}

TEST(OpenAiResponsesProtocol, RejectsStopSequences) {
  Request request = UserRequest("q");
  request.stop_sequences = {"END"};
  Endpoint endpoint{"openai", "http://127.0.0.1:1/v1", "k", "o3-pro", {}};
  Result<WireRequest> wire = MakeWireProtocol(Protocol::kOpenAiResponses)
                                 ->BuildRequest(request, endpoint);
  ASSERT_FALSE(wire.ok());
  EXPECT_NE(wire.status().message().find("stop sequences"), std::string::npos);
}

TEST(OpenAiResponsesProtocol, IncompleteMapsToMaxTokens) {
  auto server = StartServer(Json::array(
      {{{"text", "cut"}, {"stop_reason", "max_tokens"}},
       {{"text", "no"}, {"stop_reason", "refusal"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiResponses, *server, "o3-pro");
  CollectingCallbacks callbacks;
  CompletionResult first =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->stop_reason, StopReason::kMaxTokens);
  CompletionResult second =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->stop_reason, StopReason::kRefusal);
}

TEST(OpenAiResponsesProtocol, StreamErrorEventIsTyped) {
  Json turn = {{"text", "abc"}, {"fault", "stream_error"},
               {"after_events", 1}, {"error_type", "rate_limit_exceeded"}};
  HttpProviderOptions options = testing::FastOptions();
  options.retry.max_attempts = 1;
  auto server = StartServer(Json::array({turn}));
  auto provider =
      MakeProvider(Protocol::kOpenAiResponses, *server, "o3-pro", options);
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kRateLimit);
}

}  // namespace
}  // namespace boxagnts::providers
