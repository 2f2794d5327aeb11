// Faults, retries, stalls and cancellation of HttpProvider against the
// loopback test server.

#include "providers/http_provider.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;
using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                               start)
      .count();
}

CompletionResult Ask(Provider& provider) {
  CollectingCallbacks callbacks;
  return provider.Complete(UserRequest("hi"), callbacks, CancellationToken());
}

TEST(HttpProvider, RateLimitHonoursRetryAfter) {
  Json limit = {{"fault", "http_status"}, {"status", 429},
                {"retry_after", "1"}};
  auto server = StartServer(Json::array({limit, {{"text", "done"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  auto start = Clock::now();
  CompletionResult result = Ask(*provider);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->message.Text(), "done");
  EXPECT_EQ(server->requests().size(), 2u);
  // The backoff alone would be a few ms; Retry-After asked for 1 s.
  EXPECT_GE(MsSince(start), 950);
}

TEST(HttpProvider, RetryAfterBeyondLimitEndsCall) {
  Json limit = {{"fault", "http_status"}, {"status", 429},
                {"retry_after", "120"}};
  auto server = StartServer(Json::array({limit, {{"text", "never"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kRateLimit);
  EXPECT_EQ(result.error().retry_after_ms, 120'000);
  EXPECT_EQ(result.error().http_status, 429);
  EXPECT_EQ(result.error().attempts, 1);
  EXPECT_EQ(server->requests().size(), 1u);
}

TEST(HttpProvider, OverloadedIsRetried) {
  Json overloaded = {{"fault", "http_status"}, {"status", 529}};
  auto server =
      StartServer(Json::array({overloaded, overloaded, {{"text", "ok"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CompletionResult result = Ask(*provider);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(server->requests().size(), 3u);
}

TEST(HttpProvider, ServerErrorsExhaustAttempts) {
  Json error = {{"fault", "http_status"}, {"status", 500}};
  auto server = StartServer(Json::array({error, error, error, error, error}));
  auto provider = MakeProvider(Protocol::kGemini, *server, "gemini-x");
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kServerError);
  EXPECT_EQ(result.error().attempts, 4);
  EXPECT_EQ(server->requests().size(), 4u);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
}

TEST(HttpProvider, AuthenticationIsNotRetried) {
  Json denied = {{"fault", "http_status"}, {"status", 401},
                 {"message", "invalid x-api-key"}};
  auto server = StartServer(Json::array({denied, {{"text", "never"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kAuthentication);
  EXPECT_EQ(result.status().message(),
            "anthropic/claude-x: HTTP 401: invalid x-api-key");
  EXPECT_EQ(server->requests().size(), 1u);
}

TEST(HttpProvider, EchoedKeyIsRedactedFromError) {
  auto server = StartServer(Json::array({{{"fault", "echo_credentials"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x",
                               testing::FastOptions(), "sk-live-SECRET-123");
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  std::string message = result.status().message();
  EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
  EXPECT_NE(message.find("[REDACTED]"), std::string::npos) << message;
}

TEST(HttpProvider, ContextOverflowRecognisedPerProvider) {
  struct Case {
    Protocol protocol;
    std::string message;
  };
  std::vector<Case> cases = {
      {Protocol::kAnthropic,
       "prompt is too long: 250000 tokens > 200000 maximum"},
      {Protocol::kOpenAiChat,
       "This model's maximum context length is 128000 tokens. However, your "
       "messages resulted in 130000 tokens."},
      {Protocol::kGemini,
       "The input token count (1200000) exceeds the maximum number of tokens "
       "allowed (1048576)."}};
  for (const Case& c : cases) {
    Json overflow = {{"fault", "http_status"}, {"status", 400},
                     {"message", c.message}};
    auto server = StartServer(Json::array({overflow}));
    auto provider = MakeProvider(c.protocol, *server, "m");
    CompletionResult result = Ask(*provider);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ProviderErrorKind::kContextOverflow)
        << ProtocolName(c.protocol);
  }
  Json invalid = {{"fault", "http_status"}, {"status", 400},
                  {"message", "messages: field required"}};
  auto server = StartServer(Json::array({invalid}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "m");
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kInvalidRequest);
}

TEST(HttpProvider, DisconnectMidStreamIsNetworkError) {
  Json turn = {{"text", "a long answer"}, {"fault", "disconnect"},
               {"after_events", 5}};
  auto server = StartServer(Json::array({turn, {{"text", "never"}}}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kNetwork);
  EXPECT_EQ(callbacks.text, "a long a");
  EXPECT_EQ(server->requests().size(), 1u);
}

TEST(HttpProvider, DisconnectBeforeFirstByteIsRetried) {
  Json turn = {{"text", "x"}, {"fault", "disconnect"}, {"after_events", 0}};
  auto server = StartServer(Json::array({turn, {{"text", "recovered"}}}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CompletionResult result = Ask(*provider);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->message.Text(), "recovered");
  EXPECT_EQ(server->requests().size(), 2u);
}

TEST(HttpProvider, ConnectionRefusedIsNetworkError) {
  Endpoint endpoint{"anthropic", "http://127.0.0.1:1", "k", "m", {}};
  HttpProviderOptions options = testing::FastOptions();
  options.retry.max_attempts = 2;
  HttpProvider provider("anthropic/m", MakeWireProtocol(Protocol::kAnthropic),
                        endpoint, options);
  CompletionResult result = Ask(provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kNetwork);
  EXPECT_EQ(result.error().attempts, 2);
}

TEST(HttpProvider, StallTimeoutIsOwnKind) {
  Json turn = {{"text", "slow"}, {"fault", "stall"}, {"after_events", 3},
               {"stall_ms", 10'000}};
  auto server = StartServer(Json::array({turn}));
  HttpProviderOptions options = testing::FastOptions();
  options.stall_timeout_ms = 300;
  auto provider =
      MakeProvider(Protocol::kAnthropic, *server, "claude-x", options);
  auto start = Clock::now();
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kStall);
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(MsSince(start), 5000);
  EXPECT_EQ(server->requests().size(), 1u);
}

TEST(HttpProvider, CancellationAbortsPromptly) {
  Json turn = {{"text", "slow"}, {"fault", "stall"}, {"after_events", 2},
               {"stall_ms", 10'000}};
  auto server = StartServer(Json::array({turn}));
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x");
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    source.Cancel("user pressed stop");
  });
  auto start = Clock::now();
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, source.token());
  canceller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kCancelled);
  EXPECT_NE(result.status().message().find("user pressed stop"),
            std::string::npos);
  EXPECT_LT(MsSince(start), 3000);
}

TEST(HttpProvider, CancellationDuringBackoff) {
  Json limit = {{"fault", "http_status"}, {"status", 429},
                {"retry_after", "30"}};
  auto server = StartServer(Json::array({limit}));
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x");
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    source.Cancel("stop");
  });
  auto start = Clock::now();
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, source.token());
  canceller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kCancelled);
  EXPECT_LT(MsSince(start), 5000);
}

TEST(HttpProvider, MalformedJsonIsMalformedResponse) {
  Json turn = {{"text", "abc"}, {"fault", "malformed_json"},
               {"after_events", 2}};
  for (Protocol protocol : {Protocol::kAnthropic, Protocol::kOpenAiChat}) {
    auto server = StartServer(Json::array({turn}));
    auto provider = MakeProvider(protocol, *server, "m");
    CompletionResult result = Ask(*provider);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ProviderErrorKind::kMalformedResponse)
        << ProtocolName(protocol);
    EXPECT_EQ(server->requests().size(), 1u);
  }
}

TEST(HttpProvider, ExhaustedScriptReportsServerError) {
  auto server = StartServer(Json::array());
  HttpProviderOptions options = testing::FastOptions();
  options.retry.max_attempts = 1;
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "m", options);
  CompletionResult result = Ask(*provider);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ProviderErrorKind::kServerError);
  EXPECT_NE(result.status().message().find("script has 0 turns"),
            std::string::npos);
}

}  // namespace
}  // namespace boxagnts::providers
