#include "query/hooks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/files.h"
#include "query/hook_output.h"
#include "query/hook_process.h"
#include "testing/process.h"

namespace boxagnts::query {
namespace {

using boxagnts::testing::TempDir;
using Clock = std::chrono::steady_clock;

int64_t MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                               start)
      .count();
}

HookCommand Command(std::string command, std::string matcher = "",
                    int64_t timeout_ms = 20'000) {
  return {std::move(matcher), std::move(command), timeout_ms, "test.toml"};
}

HookRunner Runner(HookEvent event, std::vector<HookCommand> commands,
                  const std::string& work_dir) {
  HookConfig config;
  config.hooks[event] = std::move(commands);
  return HookRunner(std::move(config), work_dir);
}

Json ToolPayload(const std::string& tool_name) {
  return Json{{"session_id", "s1"},
              {"cwd", "/w"},
              {"tool_name", tool_name},
              {"tool_input", {{"file_path", "a.txt"}}}};
}

std::string ReadOrEmpty(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  return text.ok() ? *text : "";
}

// Waits up to 10 s for `path` to hold a number and returns it, or 0.
pid_t WaitForPidFile(const std::string& path) {
  for (int i = 0; i < 1000; ++i) {
    std::string text = ReadOrEmpty(path);
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

// True when no live process is in process group `pgid`. A zombie counts
// as gone: it runs nothing, and reaping orphans is the init process's job.
bool ProcessGroupIsGone(pid_t pgid) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadOrEmpty(entry.path().string() + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    char state = 0;
    pid_t parent = 0;
    pid_t group = 0;
    fields >> state >> parent >> group;
    if (group == pgid && state != 'Z' && state != 'X') return false;
  }
  return true;
}

// True when this process has no child left to reap, zombies included.
bool NoChildLeft() {
  return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// Waits up to 2 s for process group `pgid` to be gone. A process killed
// with SIGKILL is still listed for a moment while the kernel tears it down,
// and orphans cannot be waited for.
bool ProcessGroupEnds(pid_t pgid) {
  for (int i = 0; i < 200; ++i) {
    if (ProcessGroupIsGone(pgid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Config parsing.

TEST(HookConfig, ParsesEventsMatcherAndTimeout) {
  Result<HookConfig> config = ParseHooksToml(R"(
[[hooks.PreToolUse]]
matcher = "Edit|Write"
command = "python3 check.py"
timeout = "10s"

[[hooks.PreToolUse]]
command = "./audit.sh"

[[hooks.Stop]]
command = "notify-send done"
timeout = "500ms"
)",
                                             "/u/config.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->hooks.size(), 2u);
  const std::vector<HookCommand>& pre = config->hooks[HookEvent::kPreToolUse];
  ASSERT_EQ(pre.size(), 2u);
  EXPECT_EQ(pre[0].matcher, "Edit|Write");
  EXPECT_EQ(pre[0].command, "python3 check.py");
  EXPECT_EQ(pre[0].timeout_ms, 10'000);
  EXPECT_EQ(pre[0].source, "/u/config.toml");
  EXPECT_EQ(pre[1].matcher, "");
  EXPECT_EQ(pre[1].command, "./audit.sh");
  EXPECT_EQ(pre[1].timeout_ms, 60'000);
  const std::vector<HookCommand>& stop = config->hooks[HookEvent::kStop];
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].timeout_ms, 500);
}

TEST(HookConfig, TextWithoutHooksIsEmpty) {
  Result<HookConfig> config =
      ParseHooksToml("[permissions]\nallow = []\n", "c.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->hooks.empty());
}

TEST(HookConfig, UnknownEventNamesSourceAndKey) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.PreTool]]\ncommand = \"x\"\n", "/u/config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "/u/config.toml: unknown hook event hooks.PreTool (valid events: "
            "SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, "
            "PreCompact, Stop)");
}

TEST(HookConfig, UnknownKeyIsRejected) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.Stop]]\ncommand = \"x\"\ncmd = \"y\"\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "c.toml: unknown key hooks.Stop[0].cmd (a hook takes command, "
            "matcher and timeout)");
}

TEST(HookConfig, InvalidRegexNamesPatternAndKey) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.PreToolUse]]\nmatcher = \"Edit(\"\ncommand = \"x\"\n",
      "c.toml");
  ASSERT_FALSE(config.ok());
  std::string message = config.status().message();
  EXPECT_EQ(message.rfind("c.toml: hooks.PreToolUse[0].matcher: invalid "
                          "matcher regex \"Edit(\": ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("missing )"), std::string::npos) << message;
}

TEST(HookConfig, InvalidTimeoutNamesValue) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.Stop]]\ncommand = \"x\"\ntimeout = \"10x\"\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "c.toml: hooks.Stop[0].timeout: invalid duration \"10x\": "
            "expected seconds such as 2 or 0.5, or a value with ms, s, m "
            "or h");
}

TEST(HookConfig, TimeoutAboveMaximumIsRejected) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.Stop]]\ncommand = \"x\"\ntimeout = \"2h\"\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "c.toml: hooks.Stop[0].timeout: timeout \"2h\" exceeds the "
            "maximum of 1h");
}

TEST(HookConfig, NumericTimeoutIsRejected) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.Stop]]\ncommand = \"x\"\ntimeout = 10\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "c.toml: hooks.Stop[0].timeout: expected a string such as "
            "\"10s\"");
}

TEST(HookConfig, MissingOrEmptyCommandIsRejected) {
  Result<HookConfig> missing =
      ParseHooksToml("[[hooks.Stop]]\ntimeout = \"1s\"\n", "c.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "c.toml: hooks.Stop[0]: missing command, such as command = "
            "\"python3 check.py\"");
  Result<HookConfig> empty =
      ParseHooksToml("[[hooks.Stop]]\ncommand = \"  \"\n", "c.toml");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(),
            "c.toml: hooks.Stop[0].command: the command is empty");
}

TEST(HookConfig, MatcherOnStopIsRejected) {
  Result<HookConfig> config = ParseHooksToml(
      "[[hooks.Stop]]\nmatcher = \"Edit\"\ncommand = \"x\"\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "c.toml: hooks.Stop[0].matcher: Stop hooks take no matcher (only "
            "PreToolUse and PostToolUse do); remove the key");
}

TEST(HookConfig, WrongShapesAreRejected) {
  Result<HookConfig> not_table = ParseHooksToml("hooks = 3\n", "c.toml");
  ASSERT_FALSE(not_table.ok());
  EXPECT_EQ(not_table.status().message(),
            "c.toml: \"hooks\" must be a table");

  Result<HookConfig> not_array =
      ParseHooksToml("[hooks]\nStop = \"x\"\n", "c.toml");
  ASSERT_FALSE(not_array.ok());
  EXPECT_EQ(not_array.status().message(),
            "c.toml: hooks.Stop: expected an array of tables, written as "
            "[[hooks.Stop]]");

  Result<HookConfig> not_entry =
      ParseHooksToml("[hooks]\nStop = [\"x\"]\n", "c.toml");
  ASSERT_FALSE(not_entry.ok());
  EXPECT_EQ(not_entry.status().message(),
            "c.toml: hooks.Stop[0]: expected a table with command, and "
            "optionally matcher and timeout, written as [[hooks.Stop]]");
}

TEST(HookConfig, InvalidTomlNamesSource) {
  Result<HookConfig> config = ParseHooksToml("[[hooks.Stop]\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().rfind("invalid TOML in c.toml at ", 0),
            0u)
      << config.status().message();
}

TEST(HookConfig, MergeAppendsInOrder) {
  HookConfig user;
  user.hooks[HookEvent::kStop] = {Command("user-stop")};
  user.hooks[HookEvent::kPreToolUse] = {Command("user-pre")};
  HookConfig project;
  project.hooks[HookEvent::kStop] = {Command("project-stop")};
  project.hooks[HookEvent::kSessionStart] = {Command("project-start")};
  MergeHooks(&user, project);
  ASSERT_EQ(user.hooks[HookEvent::kStop].size(), 2u);
  EXPECT_EQ(user.hooks[HookEvent::kStop][0].command, "user-stop");
  EXPECT_EQ(user.hooks[HookEvent::kStop][1].command, "project-stop");
  ASSERT_EQ(user.hooks[HookEvent::kSessionStart].size(), 1u);
  EXPECT_EQ(user.hooks[HookEvent::kPreToolUse].size(), 1u);
}

TEST(HookEventName, RoundTripsEveryEvent) {
  for (HookEvent event : kAllHookEvents) {
    Result<HookEvent> parsed = ParseHookEventName(HookEventName(event));
    ASSERT_TRUE(parsed.ok()) << HookEventName(event);
    EXPECT_EQ(*parsed, event);
  }
  EXPECT_EQ(HookEventName(HookEvent::kPreCompact), "PreCompact");
  EXPECT_FALSE(ParseHookEventName("pretooluse").ok());
}

// Output protocol.

TEST(HookOutput, EmptyOutputHasNoDecision) {
  Result<HookReply> reply = ParseHookReply(" \n");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->decision, HookDecision::kNone);
  EXPECT_FALSE(reply->updated_input.has_value());
}

TEST(HookOutput, ReadsEveryField) {
  Result<HookReply> reply = ParseHookReply(
      R"({"decision":"approve","reason":"ok","updated_input":{"a":1},)"
      R"("additional_context":"lint clean","continue":true})");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->decision, HookDecision::kApprove);
  EXPECT_EQ(reply->reason, "ok");
  EXPECT_EQ(*reply->updated_input, Json({{"a", 1}}));
  EXPECT_EQ(reply->additional_context, "lint clean");
}

TEST(HookOutput, ClaudeCodeDenyBlocks) {
  Result<HookReply> reply = ParseHookReply(
      R"({"hookSpecificOutput":{"hookEventName":"PreToolUse",)"
      R"("permissionDecision":"deny","permissionDecisionReason":"no",)"
      R"("updatedInput":{"b":2}}})");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->decision, HookDecision::kBlock);
  EXPECT_EQ(reply->reason, "no");
  EXPECT_EQ(*reply->updated_input, Json({{"b", 2}}));
}

TEST(HookOutput, BlockWinsOverApprove) {
  Result<HookReply> reply = ParseHookReply(
      R"({"decision":"approve","hookSpecificOutput":)"
      R"({"permissionDecision":"deny"}})");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->decision, HookDecision::kBlock);
}

TEST(HookOutput, InvalidFieldsAreErrors) {
  Result<HookReply> decision = ParseHookReply(R"({"decision":"deny"})");
  ASSERT_FALSE(decision.ok());
  EXPECT_EQ(decision.status().message(),
            "\"decision\" must be \"block\" or \"approve\", not \"deny\"");
  Result<HookReply> input = ParseHookReply(R"({"updated_input":[1]})");
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.status().message(),
            "\"updated_input\" must be a JSON object with the new tool "
            "input, not a array");
  Result<HookReply> reason = ParseHookReply(R"({"reason":5})");
  ASSERT_FALSE(reason.ok());
  EXPECT_EQ(reason.status().message(), "\"reason\" must be a string, not 5");
  Result<HookReply> array = ParseHookReply("[]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().message(),
            "hook output must be a JSON object, not a array");
  EXPECT_FALSE(ParseHookReply("{\"decision\":\"block\"} trailing").ok());
}

// The process runner.

TEST(HookProcess, CapturesOutputAndExitCode) {
  TempDir dir;
  HookProcessRequest request;
  request.command = "cat; echo oops >&2; exit 7";
  request.work_dir = dir.path();
  request.stdin_bytes = "hello";
  Result<HookProcessResult> run = RunHookProcess(request, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->end, HookProcessEnd::kExited);
  EXPECT_EQ(run->exit_code, 7);
  EXPECT_EQ(run->stdout_bytes, "hello");
  EXPECT_EQ(run->stderr_bytes, "oops\n");
}

TEST(HookProcess, CapsOutputAndReadsTheRest) {
  TempDir dir;
  HookProcessRequest request;
  request.command = "yes | head -c 5M; yes | head -c 3M >&2";
  request.work_dir = dir.path();
  Result<HookProcessResult> run = RunHookProcess(request, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->stdout_bytes.size(), kMaxHookOutputBytes);
  EXPECT_EQ(run->stdout_total_bytes, 5u << 20);
  EXPECT_EQ(run->stderr_bytes.size(), kMaxHookOutputBytes);
  EXPECT_EQ(run->stderr_total_bytes, 3u << 20);
  EXPECT_EQ(run->stdout_bytes.substr(0, 4), "y\ny\n");
}

TEST(HookProcess, KillsLeftoverBackgroundProcesses) {
  TempDir dir;
  HookProcessRequest request;
  request.command = "sleep 30 & echo $$ > pgid; exit 0";
  request.work_dir = dir.path();
  Clock::time_point start = Clock::now();
  Result<HookProcessResult> run = RunHookProcess(request, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_LT(MillisecondsSince(start), 10'000);
  EXPECT_EQ(run->end, HookProcessEnd::kExited);
  EXPECT_EQ(run->exit_code, 0);
  pid_t pgid = std::stoi(ReadOrEmpty(dir / "pgid"));
  EXPECT_EQ(pgid, run->pid);
  EXPECT_TRUE(ProcessGroupEnds(pgid));
  EXPECT_TRUE(NoChildLeft());
}

TEST(HookProcess, ChildGetsCleanSignalsAndDescriptors) {
  TempDir dir;
  // Block SIGTERM and ignore SIGUSR1 here, and leave a descriptor open
  // without close-on-exec: the hook must inherit none of them.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_usr1 {};
  sigaction(SIGUSR1, &ignore, &old_usr1);
  int leaked = open("/dev/null", O_RDONLY);

  // The shell replaces itself with sed, so the status read is that of the
  // process that posix_spawn started, not of a later child.
  HookProcessRequest request;
  request.command =
      "exec sed -n 's/^SigBlk:\t//p; s/^SigIgn:\t//p' /proc/self/status";
  request.work_dir = dir.path();
  Result<HookProcessResult> signals = RunHookProcess(request, {});
  request.command = "ls /proc/$$/fd";
  Result<HookProcessResult> descriptors = RunHookProcess(request, {});

  close(leaked);
  sigaction(SIGUSR1, &old_usr1, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_TRUE(signals.ok()) << signals.status().ToString();
  ASSERT_TRUE(descriptors.ok()) << descriptors.status().ToString();
  std::istringstream lines(signals->stdout_bytes);
  std::string blocked;
  std::string ignored;
  std::getline(lines, blocked);
  std::getline(lines, ignored);
  EXPECT_EQ(blocked, "0000000000000000");
  // Bits 0 to 30 are signals 1 to 31. glibc's posix_spawn leaves its own
  // two internal real-time signals (32 and 33) ignored in the child.
  ASSERT_FALSE(ignored.empty());
  EXPECT_EQ(std::stoull(ignored, nullptr, 16) & 0x7fffffffULL, 0u) << ignored;
  EXPECT_EQ(descriptors->stdout_bytes, "0\n1\n2\n");
}

TEST(HookProcess, MissingWorkDirIsAnError) {
  TempDir dir;
  HookProcessRequest request;
  request.command = "true";
  request.work_dir = dir / "missing";
  Result<HookProcessResult> run = RunHookProcess(request, {});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(),
            "start /bin/sh in \"" + dir / "missing" +
                "\": No such file or directory");
}

// Running hooks for an event.

TEST(HookRunner, AllowsWhenHookExitsZero) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("cat > /dev/null; exit 0")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_FALSE(outcome.block);
  EXPECT_EQ(outcome.reason, "");
  EXPECT_FALSE(outcome.updated_input.has_value());
  EXPECT_TRUE(outcome.errors.empty());
}

TEST(HookRunner, ExitTwoBlocksWithStderrReason) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("echo 'lock files are generated; edit Cargo.toml' >&2; "
               "exit 2")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason, "lock files are generated; edit Cargo.toml");
}

TEST(HookRunner, JsonDecisionBlocks) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command(R"(printf '{"decision":"block","reason":"not on Fridays"}')")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Write"), "Write", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason, "not on Fridays");
}

TEST(HookRunner, UpdatedInputReachesNextHook) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command(R"(printf '{"updated_input":{"file_path":"b.txt"}}')"),
       Command("cat > seen.json")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_FALSE(outcome.block) << outcome.reason;
  ASSERT_TRUE(outcome.updated_input.has_value());
  EXPECT_EQ(*outcome.updated_input, Json({{"file_path", "b.txt"}}));
  Result<Json> seen = ParseJson(ReadOrEmpty(dir / "seen.json"), "seen.json");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ((*seen)["tool_input"], Json({{"file_path", "b.txt"}}));
}

TEST(HookRunner, FirstBlockStopsChain) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("echo first >&2; exit 2"), Command("touch second-ran")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason, "first");
  EXPECT_FALSE(std::filesystem::exists(dir / "second-ran"));
}

TEST(HookRunner, MatcherMustMatchWholeToolName) {
  TempDir dir;
  HookRunner runner =
      Runner(HookEvent::kPreToolUse,
             {Command("cat >> calls.log; echo >> calls.log", "Edit|Write")},
             dir.path());
  for (const char* tool : {"Edit", "Read", "MultiEdit", "Write", "Edits"}) {
    HookOutcome outcome =
        runner.Run(HookEvent::kPreToolUse, ToolPayload(tool), tool, {});
    EXPECT_FALSE(outcome.block) << outcome.reason;
  }
  std::istringstream lines(ReadOrEmpty(dir / "calls.log"));
  std::vector<std::string> tools;
  for (std::string line; std::getline(lines, line);) {
    tools.push_back(Json::parse(line)["tool_name"].get<std::string>());
  }
  EXPECT_EQ(tools, (std::vector<std::string>{"Edit", "Write"}));
}

TEST(HookRunner, StarMatcherMatchesEveryTool) {
  TempDir dir;
  HookRunner runner =
      Runner(HookEvent::kPostToolUse, {Command("printf x >> count", "*")},
             dir.path());
  for (const char* tool : {"Read", "WebFetch", "mcp__git__log"}) {
    runner.Run(HookEvent::kPostToolUse, ToolPayload(tool), tool, {});
  }
  EXPECT_EQ(ReadOrEmpty(dir / "count"), "xxx");
}

TEST(HookRunner, TimeoutKillsProcessGroup) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("echo $$ > pgid; sh -c 'sleep 30 & sleep 30'", "", 500)},
      dir.path());
  Clock::time_point start = Clock::now();
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_LT(MillisecondsSince(start), 500 + 1500);
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason,
            "hook \"echo $$ > pgid; sh -c 'sleep 30 & sleep 30'\" (from "
            "test.toml) timed out after 500ms and was killed. The tool call "
            "is blocked because a failing PreToolUse hook blocks the call.");
  pid_t pgid = WaitForPidFile(dir / "pgid");
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(ProcessGroupEnds(pgid));
  EXPECT_TRUE(NoChildLeft());
}

TEST(HookRunner, TimeoutKillsHookThatIgnoresSigterm) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("trap '' TERM; echo $$ > pgid; sleep 30 & sleep 30", "", 300)},
      dir.path());
  Clock::time_point start = Clock::now();
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  int64_t elapsed_ms = MillisecondsSince(start);
  EXPECT_GE(elapsed_ms, 300 + 1000);
  EXPECT_LT(elapsed_ms, 300 + 1500 + 1000);
  EXPECT_TRUE(outcome.block);
  pid_t pgid = WaitForPidFile(dir / "pgid");
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(ProcessGroupEnds(pgid));
  EXPECT_TRUE(NoChildLeft());
}

TEST(HookRunner, CancellationKillsProcessGroup) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("echo $$ > pgid; sh -c 'sleep 30 & sleep 30'")}, dir.path());
  CancellationSource source;
  Clock::time_point cancelled_at;
  std::thread canceller([&] {
    WaitForPidFile(dir / "pgid");
    cancelled_at = Clock::now();
    source.Cancel("user pressed Ctrl-C");
  });
  HookOutcome outcome = runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"),
                                   "Edit", source.token());
  Clock::time_point returned_at = Clock::now();
  canceller.join();
  EXPECT_LT(returned_at - cancelled_at, std::chrono::milliseconds(1500));
  EXPECT_TRUE(outcome.block);
  EXPECT_NE(outcome.reason.find("was cancelled and killed"), std::string::npos)
      << outcome.reason;
  pid_t pgid = WaitForPidFile(dir / "pgid");
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(ProcessGroupEnds(pgid));
  EXPECT_TRUE(NoChildLeft());
}

TEST(HookRunner, CancelledTokenStartsNoHook) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kUserPromptSubmit,
      {Command("touch first-ran"), Command("touch second-ran")}, dir.path());
  CancellationSource source;
  source.Cancel();
  HookOutcome outcome = runner.Run(HookEvent::kUserPromptSubmit,
                                   Json{{"prompt", "hi"}}, "", source.token());
  EXPECT_FALSE(outcome.block);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0],
            "hook \"touch first-ran\" (from test.toml) did not start because "
            "the UserPromptSubmit hooks were cancelled");
  EXPECT_FALSE(std::filesystem::exists(dir / "first-ran"));
  EXPECT_FALSE(std::filesystem::exists(dir / "second-ran"));
}

TEST(HookRunner, InvalidJsonBlocks) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("echo looks fine to me")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason.rfind("hook \"echo looks fine to me\" (from "
                                 "test.toml) printed invalid output on "
                                 "stdout: invalid JSON in hook output: ",
                                 0),
            0u)
      << outcome.reason;
}

TEST(HookRunner, UpdatedInputThatIsNotObjectBlocks) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command(R"(printf '{"updated_input":"b.txt"}')")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_NE(outcome.reason.find("\"updated_input\" must be a JSON object"),
            std::string::npos)
      << outcome.reason;
  EXPECT_FALSE(outcome.updated_input.has_value());
}

TEST(HookRunner, CrashBlocks) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("kill -SEGV $$")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason,
            "hook \"kill -SEGV $$\" (from test.toml) crashed with signal 11 "
            "(SIGSEGV). The tool call is blocked because a failing "
            "PreToolUse hook blocks the call.");
}

TEST(HookRunner, OtherExitCodeBlocksPreToolUse) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("echo boom >&2; exit 1")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason,
            "hook \"echo boom >&2; exit 1\" (from test.toml) failed with exit "
            "code 1: stderr: boom. The tool call is blocked because a "
            "failing PreToolUse hook blocks the call.");
}

TEST(HookRunner, FailureOfOtherEventsIsOnlyReported) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPostToolUse,
      {Command("exit 1"), Command("echo not json"), Command("touch ran")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPostToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_FALSE(outcome.block);
  ASSERT_EQ(outcome.errors.size(), 2u);
  EXPECT_EQ(outcome.errors[0],
            "hook \"exit 1\" (from test.toml) failed with exit code 1");
  EXPECT_EQ(outcome.errors[1].rfind("hook \"echo not json\" (from test.toml) "
                                    "printed invalid output on stdout: ",
                                    0),
            0u);
  EXPECT_TRUE(std::filesystem::exists(dir / "ran"));
}

TEST(HookRunner, PayloadArrivesExactly) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPreToolUse,
      {Command("cat > payload.json; pwd > cwd.txt; "
               "printf '%s|%s' \"$BOXAGNTS_HOOK_EVENT\" "
               "\"$BOXAGNTS_PROJECT_DIR\" > env.txt")},
      dir.path());
  Json payload = ToolPayload("Edit");
  payload["tool_input"]["content"] = "grüße\n\"quoted\"";
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, payload, "Edit", {});
  EXPECT_FALSE(outcome.block) << outcome.reason;
  EXPECT_EQ(ReadOrEmpty(dir / "payload.json"),
            R"({"cwd":"/w","hook_event_name":"PreToolUse","session_id":"s1",)"
            R"("tool_input":{"content":"grüße\n\"quoted\"",)"
            R"("file_path":"a.txt"},"tool_name":"Edit"})");
  EXPECT_EQ(ReadOrEmpty(dir / "cwd.txt"), dir.path() + "\n");
  EXPECT_EQ(ReadOrEmpty(dir / "env.txt"), "PreToolUse|" + dir.path());
}

TEST(HookRunner, HookThatIgnoresLargeStdinSucceeds) {
  TempDir dir;
  HookRunner runner =
      Runner(HookEvent::kPreToolUse, {Command("exit 0")}, dir.path());
  Json payload = ToolPayload("Write");
  payload["tool_input"]["content"] = std::string(4 << 20, 'a');
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, payload, "Write", {});
  EXPECT_FALSE(outcome.block) << outcome.reason;
  EXPECT_TRUE(outcome.errors.empty());
}

TEST(HookRunner, HugeOutputDoesNotHang) {
  TempDir dir;
  HookRunner post = Runner(HookEvent::kPostToolUse,
                           {Command("yes | head -c 5M")}, dir.path());
  HookOutcome outcome =
      post.Run(HookEvent::kPostToolUse, ToolPayload("Read"), "Read", {});
  EXPECT_FALSE(outcome.block);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0],
            "hook \"yes | head -c 5M\" (from test.toml) printed 5242880 bytes "
            "on stdout, more than the limit of 1048576");

  HookRunner pre = Runner(HookEvent::kPreToolUse,
                          {Command("yes | head -c 5M >&2; exit 0")},
                          dir.path());
  HookOutcome quiet =
      pre.Run(HookEvent::kPreToolUse, ToolPayload("Read"), "Read", {});
  EXPECT_FALSE(quiet.block) << quiet.reason;
}

TEST(HookRunner, PostToolUseBlockBecomesContext) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kPostToolUse,
      {Command("echo 'lint: missing semicolon at a.c:3' >&2; exit 2"),
       Command(R"(printf '{"additional_context":"tests pass"}')")},
      dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPostToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_FALSE(outcome.block);
  EXPECT_EQ(outcome.additional_context,
            "lint: missing semicolon at a.c:3\n\ntests pass");
  EXPECT_TRUE(outcome.errors.empty());
}

TEST(HookRunner, StopAndPromptHooksCanBlock) {
  TempDir dir;
  HookRunner stop = Runner(
      HookEvent::kStop, {Command("echo 'tests still fail' >&2; exit 2")},
      dir.path());
  HookOutcome stop_outcome = stop.Run(
      HookEvent::kStop, Json{{"stop_reason", "end_turn"}}, "", {});
  EXPECT_TRUE(stop_outcome.block);
  EXPECT_EQ(stop_outcome.reason, "tests still fail");

  HookRunner prompt = Runner(
      HookEvent::kUserPromptSubmit,
      {Command(R"(printf '{"decision":"block","reason":"no secrets"}')")},
      dir.path());
  HookOutcome prompt_outcome = prompt.Run(
      HookEvent::kUserPromptSubmit, Json{{"prompt", "key=abc"}}, "", {});
  EXPECT_TRUE(prompt_outcome.block);
  EXPECT_EQ(prompt_outcome.reason, "no secrets");
}

TEST(HookRunner, SessionStartCannotBlock) {
  TempDir dir;
  HookRunner runner = Runner(
      HookEvent::kSessionStart,
      {Command("echo nope >&2; exit 2"),
       Command(R"(printf '{"additional_context":"branch: main"}')")},
      dir.path());
  HookOutcome outcome = runner.Run(HookEvent::kSessionStart,
                                   Json{{"source", "startup"}}, "", {});
  EXPECT_FALSE(outcome.block);
  EXPECT_EQ(outcome.additional_context, "branch: main");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0],
            "hook \"echo nope >&2; exit 2\" (from test.toml) requested a "
            "block, which SessionStart hooks cannot do: nope");
}

TEST(HookRunner, RepliesOutsideTheirEventAreReported) {
  TempDir dir;
  HookRunner post = Runner(
      HookEvent::kPostToolUse,
      {Command(R"(printf '{"updated_input":{"file_path":"b.txt"}}')")},
      dir.path());
  HookOutcome post_outcome =
      post.Run(HookEvent::kPostToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_FALSE(post_outcome.updated_input.has_value());
  ASSERT_EQ(post_outcome.errors.size(), 1u);
  EXPECT_EQ(post_outcome.errors[0],
            "hook \"printf '{\"updated_input\":{\"file_path\":\"b.txt\"}}'\" "
            "(from test.toml) returned updated_input, which only PreToolUse "
            "hooks can, so it was ignored");

  HookRunner stop = Runner(
      HookEvent::kStop, {Command(R"(printf '{"additional_context":"x"}')")},
      dir.path());
  HookOutcome stop_outcome = stop.Run(HookEvent::kStop, Json::object(), "", {});
  EXPECT_FALSE(stop_outcome.block);
  EXPECT_EQ(stop_outcome.additional_context, "");
  ASSERT_EQ(stop_outcome.errors.size(), 1u);
  EXPECT_EQ(stop_outcome.errors[0],
            "hook \"printf '{\"additional_context\":\"x\"}'\" (from "
            "test.toml) returned additional_context, which Stop hooks cannot "
            "add, so it was ignored");
}

TEST(HookRunner, MissingWorkDirBlocks) {
  TempDir dir;
  HookRunner runner =
      Runner(HookEvent::kPreToolUse, {Command("true")}, dir / "gone");
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason.rfind("hook \"true\" (from test.toml) could not "
                                 "start: start /bin/sh in \"",
                                 0),
            0u)
      << outcome.reason;
}

TEST(HookRunner, InvalidMatcherBlocksPreToolUse) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("true", "Edit(")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Read"), "Read", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason.rfind("hook \"true\" (from test.toml) has an "
                                 "invalid matcher regex \"Edit(\": ",
                                 0),
            0u)
      << outcome.reason;
}

TEST(HookRunner, NonObjectPayloadBlocksPreToolUse) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command("touch ran")}, dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, Json::array(), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason,
            "PreToolUse hooks did not run because their payload is a array, "
            "not a JSON object. The tool call is blocked because a failing "
            "PreToolUse hook blocks the call.");
  EXPECT_FALSE(std::filesystem::exists(dir / "ran"));
}

TEST(HookRunner, InvalidUtf8ReasonIsRepaired) {
  TempDir dir;
  HookRunner runner = Runner(HookEvent::kPreToolUse,
                             {Command(R"(printf 'bad \377 byte' >&2; exit 2)")},
                             dir.path());
  HookOutcome outcome =
      runner.Run(HookEvent::kPreToolUse, ToolPayload("Edit"), "Edit", {});
  EXPECT_TRUE(outcome.block);
  EXPECT_EQ(outcome.reason, "bad \xEF\xBF\xBD byte");
}

TEST(HookRunner, HasHooksPerEvent) {
  TempDir dir;
  HookConfig config;
  config.hooks[HookEvent::kStop] = {Command("true")};
  config.hooks[HookEvent::kPreCompact] = {};
  HookRunner runner(config, dir.path());
  EXPECT_TRUE(runner.HasHooks(HookEvent::kStop));
  EXPECT_FALSE(runner.HasHooks(HookEvent::kPreCompact));
  EXPECT_FALSE(runner.HasHooks(HookEvent::kPreToolUse));
}

}  // namespace
}  // namespace boxagnts::query
