// Recording sessions and replaying them offline.

#include "providers/recording.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "core/files.h"
#include "providers/provider_factory.h"
#include "test_support.h"

namespace boxagnts::providers {
namespace {

using testing::CollectingCallbacks;
using testing::MakeProvider;
using testing::StartServer;
using testing::UserRequest;

constexpr char kKey[] = "sk-ant-VERY-SECRET-KEY-42";

std::string TempPath(const std::string& name) {
  std::string dir = ::testing::TempDir();
  return dir + "/" + name + "-" + std::to_string(::getpid()) + ".jsonl";
}

Request SecondRequest(const Response& first) {
  Request request = UserRequest("hi");
  request.messages.push_back(first.message);
  request.messages.push_back(Message::UserText("and more"));
  return request;
}

// Records two calls (the second after a 429 retry) and returns the
// responses.
std::vector<Response> RecordSession(const std::string& path,
                                    CollectingCallbacks& callbacks) {
  Json limit = {{"fault", "http_status"}, {"status", 429},
                {"retry_after", "0"}};
  Json first = {{"thinking", "t"}, {"signature", "s"}, {"text", "first"},
                {"usage", {{"input_tokens", 5}, {"output_tokens", 2}}}};
  Json second = {{"tool_calls", {{{"id", "tu_1"}, {"name", "ls"},
                                  {"arguments", {{"dir", "/"}}}}}},
                 {"usage", {{"input_tokens", 9}, {"output_tokens", 4},
                            {"cache_read_tokens", 3}}}};
  auto server = StartServer(Json::array({first, limit, second}));
  HttpProviderOptions options = testing::FastOptions();
  Result<std::shared_ptr<SessionRecorder>> recorder =
      SessionRecorder::Open(path);
  EXPECT_TRUE(recorder.ok());
  options.recorder = *recorder;
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x",
                               options, kKey, "anthropic");
  std::vector<Response> responses;
  CompletionResult r1 =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  EXPECT_TRUE(r1.ok());
  responses.push_back(r1.value());
  CompletionResult r2 = provider->Complete(SecondRequest(r1.value()),
                                           callbacks, CancellationToken());
  EXPECT_TRUE(r2.ok());
  responses.push_back(r2.value());
  return responses;
}

TEST(Recording, ShortSecretsDoNotGarbleText) {
  EXPECT_EQ(RedactSecrets("max_tokens x", {"x", ""}), "max_tokens x");
  EXPECT_EQ(RedactSecrets("key sk-12345678 twice sk-12345678", {"sk-12345678"}),
            "key [REDACTED] twice [REDACTED]");
}

TEST(Recording, FileHoldsNoKey) {
  std::string path = TempPath("record-nokey");
  CollectingCallbacks callbacks;
  RecordSession(path, callbacks);
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find(kKey), std::string::npos);
  EXPECT_EQ(text->find("VERY-SECRET"), std::string::npos);
  EXPECT_NE(text->find("\"x-api-key\":\"[REDACTED]\""), std::string::npos);
  // One line per HTTP attempt: call 0, then call 1 twice.
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 3);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::remove(path.c_str());
}

TEST(Recording, EchoedKeyIsRedactedInFile) {
  std::string path = TempPath("record-echo");
  auto server = StartServer(Json::array({{{"fault", "echo_credentials"}}}));
  HttpProviderOptions options = testing::FastOptions();
  options.recorder = *SessionRecorder::Open(path);
  auto provider = MakeProvider(Protocol::kOpenAiChat, *server, "gpt-x",
                               options, kKey, "openai");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(result.ok());
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("VERY-SECRET"), std::string::npos);
  EXPECT_NE(text->find("invalid credentials: Bearer [REDACTED]"),
            std::string::npos);
  std::remove(path.c_str());
}

TEST(Replay, ServesRecordedResponsesInOrder) {
  std::string path = TempPath("replay-order");
  CollectingCallbacks recorded_callbacks;
  std::vector<Response> recorded = RecordSession(path, recorded_callbacks);

  Result<std::unique_ptr<ReplayProvider>> replay = ReplayProvider::Open(path);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  CollectingCallbacks callbacks;
  CompletionResult r1 =
      (*replay)->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->message, recorded[0].message);
  EXPECT_EQ(r1->usage, recorded[0].usage);
  CompletionResult r2 = (*replay)->Complete(SecondRequest(r1.value()),
                                            callbacks, CancellationToken());
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->message, recorded[1].message);
  EXPECT_EQ(r2->usage, (Usage{9, 4, 3, 0}));
  EXPECT_EQ(r2->stop_reason, StopReason::kToolUse);
  // The same deltas reach the callbacks.
  EXPECT_EQ(callbacks.text, recorded_callbacks.text);
  EXPECT_EQ(callbacks.thinking, recorded_callbacks.thinking);
  EXPECT_EQ(callbacks.tool_starts, recorded_callbacks.tool_starts);

  CompletionResult r3 =
      (*replay)->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().kind, ProviderErrorKind::kReplayDivergence);
  EXPECT_NE(r3.status().message().find("call 2 has no recorded exchange; "
                                       "the recording holds 2 calls"),
            std::string::npos)
      << r3.status().message();
  std::remove(path.c_str());
}

TEST(Replay, DivergenceNamesCallAndField) {
  std::string path = TempPath("replay-diverge");
  CollectingCallbacks callbacks;
  RecordSession(path, callbacks);
  Result<std::unique_ptr<ReplayProvider>> replay = ReplayProvider::Open(path);
  ASSERT_TRUE(replay.ok());
  CompletionResult r1 =
      (*replay)->Complete(UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(r1.ok());
  Request changed = SecondRequest(r1.value());
  changed.messages[2] = Message::UserText("something else");
  CompletionResult r2 =
      (*replay)->Complete(changed, callbacks, CancellationToken());
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().kind, ProviderErrorKind::kReplayDivergence);
  EXPECT_NE(r2.status().message().find(
                "call 1 diverges from the recording at "
                "/messages/2/content/0/text: recorded \"and more\", got "
                "\"something else\""),
            std::string::npos)
      << r2.status().message();
  std::remove(path.c_str());
}

TEST(Replay, ReplaysMidStreamFailure) {
  std::string path = TempPath("replay-fail");
  Json turn = {{"text", "partial text"}, {"fault", "disconnect"},
               {"after_events", 4}};
  auto server = StartServer(Json::array({turn}));
  HttpProviderOptions options = testing::FastOptions();
  options.recorder = *SessionRecorder::Open(path);
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x",
                               options, kKey, "anthropic");
  CollectingCallbacks live;
  CompletionResult result =
      provider->Complete(UserRequest("hi"), live, CancellationToken());
  ASSERT_FALSE(result.ok());

  auto replay = ReplayProvider::Open(path);
  ASSERT_TRUE(replay.ok());
  CollectingCallbacks replayed;
  CompletionResult again =
      (*replay)->Complete(UserRequest("hi"), replayed, CancellationToken());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ProviderErrorKind::kNetwork);
  EXPECT_EQ(replayed.text, live.text);
  std::remove(path.c_str());
}

TEST(Replay, MissingFileNamesPath) {
  auto replay = ReplayProvider::Open("/nonexistent/rec.jsonl");
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.status().message().find("/nonexistent/rec.jsonl"),
            std::string::npos);
}

// Records one call of `request`, to which the model responds "done".
void RecordOneCall(const std::string& path, const Request& request) {
  auto server = StartServer(Json::array(
      {{{"text", "done"},
        {"usage", {{"input_tokens", 7}, {"output_tokens", 1}}}}}));
  HttpProviderOptions options = testing::FastOptions();
  options.recorder = *SessionRecorder::Open(path);
  auto provider = MakeProvider(Protocol::kAnthropic, *server, "claude-x",
                               options, kKey, "anthropic");
  CollectingCallbacks callbacks;
  CompletionResult result =
      provider->Complete(request, callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

Request RequestWithSystem(const std::string& system, const std::string& text) {
  Request request = UserRequest(text);
  request.system = system;
  return request;
}

TEST(Replay, IgnorePathSkipsOnlyThatField) {
  std::string path = TempPath("replay-ignore");
  RecordOneCall(path, RequestWithSystem("Today's date: 2026-01-01", "hi"));
  Request next_day = RequestWithSystem("Today's date: 2026-01-02", "hi");
  CollectingCallbacks callbacks;

  // Without ignore paths the date is a divergence, as before.
  auto strict = ReplayProvider::Open(path);
  ASSERT_TRUE(strict.ok()) << strict.status().ToString();
  CompletionResult diverged =
      (*strict)->Complete(next_day, callbacks, CancellationToken());
  ASSERT_FALSE(diverged.ok());
  EXPECT_EQ(diverged.error().kind, ProviderErrorKind::kReplayDivergence);
  EXPECT_NE(diverged.status().message().find("diverges from the recording "
                                             "at /system"),
            std::string::npos)
      << diverged.status().message();

  auto lenient = ReplayProvider::Open(path, {"/system"});
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  CompletionResult served =
      (*lenient)->Complete(next_day, callbacks, CancellationToken());
  ASSERT_TRUE(served.ok()) << served.status().ToString();
  EXPECT_EQ(served->message.Text(), "done");

  // The other fields are still compared.
  auto other = ReplayProvider::Open(path, {"/system"});
  ASSERT_TRUE(other.ok());
  CompletionResult changed = (*other)->Complete(
      RequestWithSystem("Today's date: 2026-01-02", "hello"), callbacks,
      CancellationToken());
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find(
                "at /messages/0/content/0/text: recorded \"hi\", got "
                "\"hello\""),
            std::string::npos)
      << changed.status().message();
  std::remove(path.c_str());
}

TEST(Replay, IgnoresFieldMissingOnOneSide) {
  std::string path = TempPath("replay-ignore-missing");
  RecordOneCall(path, RequestWithSystem("recorded prompt", "hi"));
  auto replay = ReplayProvider::Open(path, {"/system"});
  ASSERT_TRUE(replay.ok());
  CollectingCallbacks callbacks;
  // An empty system prompt leaves "system" out of the wire request.
  CompletionResult served =
      (*replay)->Complete(UserRequest("hi"), callbacks, CancellationToken());
  EXPECT_TRUE(served.ok()) << served.status().ToString();
  std::remove(path.c_str());
}

TEST(Replay, ExchangeIgnorePathsApplyToThatCall) {
  std::string path = TempPath("replay-ignore-exchange");
  RecordOneCall(path, RequestWithSystem("Platform: Linux 6.1", "hi"));
  Result<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  Json line = Json::parse(*text);
  EXPECT_FALSE(line.contains("replay_ignore_paths"));
  line["replay_ignore_paths"] = {"/system"};
  ASSERT_TRUE(WriteFileAtomic(path, line.dump() + "\n").ok());

  auto replay = ReplayProvider::Open(path);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  CollectingCallbacks callbacks;
  CompletionResult served = (*replay)->Complete(
      RequestWithSystem("Platform: Darwin 24.1", "hi"), callbacks,
      CancellationToken());
  EXPECT_TRUE(served.ok()) << served.status().ToString();
  std::remove(path.c_str());
}

TEST(Replay, FactoryPassesIgnorePaths) {
  std::string path = TempPath("replay-factory");
  RecordOneCall(path, RequestWithSystem("Working directory: /a", "hi"));
  CollectingCallbacks callbacks;
  Request moved = RequestWithSystem("Working directory: /b", "hi");

  ProviderOptions defaults;
  auto strict = CreateProvider("replay/" + path, defaults);
  ASSERT_TRUE(strict.ok()) << strict.status().ToString();
  EXPECT_FALSE((*strict)->Complete(moved, callbacks, CancellationToken()).ok());

  ProviderOptions options;
  options.replay_ignore_paths = {"/system"};
  auto lenient = CreateProvider("replay/" + path, options);
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  CompletionResult served =
      (*lenient)->Complete(moved, callbacks, CancellationToken());
  EXPECT_TRUE(served.ok()) << served.status().ToString();

  options.replay_ignore_paths = {"system"};
  auto invalid = CreateProvider("replay/" + path, options);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.status().message().find(
                "invalid replay ignore path \"system\": not a JSON Pointer"),
            std::string::npos)
      << invalid.status().message();
  std::remove(path.c_str());
}

TEST(Replay, InvalidIgnorePathInFileNamesLine) {
  std::string path = TempPath("replay-ignore-bad");
  RecordOneCall(path, UserRequest("hi"));
  Json line = Json::parse(*ReadFileToString(path));
  line["replay_ignore_paths"] = {"/messages/~2"};
  ASSERT_TRUE(WriteFileAtomic(path, "\n" + line.dump() + "\n").ok());
  auto replay = ReplayProvider::Open(path);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.status().message().find(
                "\" line 2: invalid replay ignore path \"/messages/~2\""),
            std::string::npos)
      << replay.status().message();

  line["replay_ignore_paths"] = "/system";
  ASSERT_TRUE(WriteFileAtomic(path, line.dump() + "\n").ok());
  replay = ReplayProvider::Open(path);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.status().message().find(
                "replay_ignore_paths must be an array"),
            std::string::npos)
      << replay.status().message();
  std::remove(path.c_str());
}

TEST(ParseIgnorePath, RejectsRootAndNonPointers) {
  EXPECT_EQ(*ParseIgnorePath("/system"), "/system");
  EXPECT_EQ(*ParseIgnorePath("/a~1b/0"), "/a~1b/0");
  Result<std::string> root = ParseIgnorePath("");
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.status().message().find("would ignore the whole request"),
            std::string::npos);
  EXPECT_FALSE(ParseIgnorePath("system").ok());
  EXPECT_FALSE(ParseIgnorePath("/bad~escape").ok());
}

TEST(FirstDifference, SkipsIgnoredPointers) {
  Json a = {{"system", "one"}, {"m", {1, 2, 3}}, {"k", {{"x", 1}}}};
  Json b = {{"system", "two"}, {"m", {1, 9, 3}}, {"k", {{"x", 2}}}};
  EXPECT_EQ(FirstDifference(a, b, {"/system"}), "/k/x");
  EXPECT_EQ(FirstDifference(a, b, {"/system", "/k"}), "/m/1");
  EXPECT_EQ(FirstDifference(a, b, {"/system", "/k", "/m/1"}), std::nullopt);
  // A field present on one side only is skipped too.
  EXPECT_EQ(FirstDifference(Json{{"a", 1}, {"s", "x"}}, Json{{"a", 1}},
                            {"/s"}),
            std::nullopt);
  // Only the exact pointer is skipped, not a sibling with a longer name.
  EXPECT_EQ(FirstDifference(Json{{"s", 1}, {"sx", 1}},
                            Json{{"s", 2}, {"sx", 2}}, {"/s"}),
            "/sx");
}

TEST(FirstDifference, FindsPointer) {
  Json a = {{"m", {{{"t", "x"}}, {{"t", "y"}}}}, {"k", 1}};
  Json b = {{"m", {{{"t", "x"}}, {{"t", "z"}}}}, {"k", 1}};
  EXPECT_EQ(FirstDifference(a, b), "/m/1/t");
  EXPECT_EQ(FirstDifference(a, a), std::nullopt);
  EXPECT_EQ(FirstDifference(Json{{"a/b", 1}}, Json{{"a/b", 2}}), "/a~1b");
  EXPECT_EQ(FirstDifference(Json::array({1}), Json::array({1, 2})), "/1");
}

}  // namespace
}  // namespace boxagnts::providers
