// The Gemini protocol against the loopback test server.

#include <gtest/gtest.h>

#include "core/files.h"
#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;

TEST(GeminiProtocol, AssemblesThoughtsTextAndCalls) {
  Json turn = {{"thinking", "considering"},
               {"signature", "c2lnbmF0dXJl"},
               {"text", "Calling now"},
               {"tool_calls", {{{"name", "lookup"},
                                {"arguments", {{"term", "sse"}}}}}},
               {"usage", {{"input_tokens", 300}, {"output_tokens", 25},
                          {"cache_read_tokens", 700}}},
               {"chunk_bytes", 5}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kGemini, *server, "gemini-2.5-flash",
                               testing::FastOptions(), "AIza-test", "google");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("look it up"), callbacks,
                         CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  std::string args = Json{{"term", "sse"}}.dump();
  std::string id = "call_" + Sha256Hex("0lookup" + args).substr(0, 12);
  Message expected{
      Role::kAssistant,
      {ThinkingBlock{"considering", "c2lnbmF0dXJl", ""},
       TextBlock{"Calling now"},
       ToolUseBlock{id, "lookup", Json{{"term", "sse"}}, "", ""}}};
  EXPECT_EQ(result->message, expected);
  EXPECT_EQ(result->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(result->usage, (Usage{300, 25, 700, 0}));
  EXPECT_EQ(result->model, "gemini-2.5-flash");
  EXPECT_EQ(callbacks.text, "Calling now");
  EXPECT_EQ(callbacks.thinking, "considering");
}

TEST(GeminiProtocol, KeyTravelsInHeaderNotUrl) {
  auto server = StartServer(Json::array({{{"text", "hi"}}}));
  auto provider = MakeProvider(Protocol::kGemini, *server, "gemini-2.5-pro",
                               testing::FastOptions(), "AIza-secret", "google");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path,
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent");
  EXPECT_EQ(requests[0].query, (std::map<std::string, std::string>{
                                   {"alt", "sse"}}));
  EXPECT_EQ(requests[0].headers.at("x-goog-api-key"), "AIza-secret");
  EXPECT_EQ(requests[0].path.find("AIza"), std::string::npos);
}

TEST(GeminiProtocol, EncodesFunctionResponsesByName) {
  Request request;
  request.system = "sys";
  request.messages.push_back(Message::UserText("q"));
  request.messages.push_back(
      {Role::kAssistant,
       {ThinkingBlock{"", "sig", ""},
        ToolUseBlock{"call_x", "read", Json{{"p", "a"}}, "", ""}}});
  request.messages.push_back(
      {Role::kUser, {ToolResultBlock{"call_x", {TextBlock{"data"}}, false}}});

  request.tools.push_back(
      {"read", "Reads",
       {{"$schema", "http://json-schema.org/draft-07/schema#"},
        {"type", "object"},
        {"additionalProperties", false},
        {"properties",
         {{"default", {{"type", "string"}, {"default", "x"}}}}}}});

  Endpoint endpoint{"google", "http://127.0.0.1:1", "k", "gemini-2.5-pro", {}};
  Result<WireRequest> wire =
      MakeWireProtocol(Protocol::kGemini)->BuildRequest(request, endpoint);
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  Json expected_contents = {
      {{"role", "user"}, {"parts", {{{"text", "q"}}}}},
      {{"role", "model"},
       {"parts", {{{"functionCall", {{"name", "read"}, {"args", {{"p", "a"}}}}},
                   {"thoughtSignature", "sig"}}}}},
      {{"role", "user"},
       {"parts",
        {{{"functionResponse",
           {{"name", "read"}, {"response", {{"content", "data"}}}}}}}}}};
  EXPECT_EQ(wire->body["contents"], expected_contents);

  Json expected_parameters = {
      {"type", "object"},
      {"properties", {{"default", {{"type", "string"}}}}}};
  EXPECT_EQ(wire->body["tools"][0]["functionDeclarations"][0]["parameters"],
            expected_parameters);
  EXPECT_EQ(wire->body["systemInstruction"],
            (Json{{"parts", {{{"text", "sys"}}}}}));
}

TEST(GeminiProtocol, RejectsModelNameWithPath) {
  Endpoint endpoint{"google", "http://127.0.0.1:1", "k", "../x?key=1", {}};
  Result<WireRequest> wire =
      MakeWireProtocol(Protocol::kGemini)->BuildRequest(UserRequest("q"),
                                                        endpoint);
  ASSERT_FALSE(wire.ok());
  EXPECT_EQ(wire.status().code(), StatusCode::kInvalidArgument);
}

TEST(GeminiProtocol, SafetyFinishIsRefusal) {
  auto server =
      StartServer(Json::array({{{"text", "no"}, {"stop_reason", "refusal"}}}));
  auto provider = MakeProvider(Protocol::kGemini, *server, "gemini-2.5-pro");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::kRefusal);
}

TEST(GeminiProtocol, BrokenArgumentsAreMalformedResponse) {
  Json turn = {{"tool_calls", {{{"name", "f"}, {"arguments_raw", "{oops"}}}}};
  HttpProviderOptions options = testing::FastOptions();
  options.retry.max_attempts = 1;
  auto server = StartServer(Json::array({turn}));
  auto provider =
      MakeProvider(Protocol::kGemini, *server, "gemini-2.5-pro", options);
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("q"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kMalformedResponse);
}

}  // namespace
}  // namespace boxagnts::providers
