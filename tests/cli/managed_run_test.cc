// `boxagnts run --managed` end to end: a manager and its executors talk to
// one scripted model on loopback ("match" routes each executor's turns to
// it); tools, sandboxes, git worktrees and SQLite are real.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/files.h"
#include "core/json.h"
#include "providers/test_server.h"
#include "testing/process.h"
#include "testing/tool_packages.h"

namespace boxagnts {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::InstallSleepTool;
using testing::TempDir;

Json Call(const std::string& id, const std::string& name, const Json& args) {
  return {{"id", id}, {"name", name}, {"arguments", args}};
}

Json Usage() { return {{"input_tokens", 1000}, {"output_tokens", 50}}; }

// A turn for the agent whose first message contains `match`.
Json Turn(const std::string& match, Json fields) {
  fields["match"] = match;
  if (!fields.contains("usage")) fields["usage"] = Usage();
  return fields;
}

Json AgentCall(const std::string& id, const std::string& task,
               const Json& extra = Json::object()) {
  Json args = {{"description", "do " + task},
               {"prompt", "Please handle " + task + " now."}};
  args.update(extra);
  return Call(id, "Agent", args);
}

class ManagedRunTest : public ::testing::Test {
 protected:
  void StartModel(const Json& script) {
    auto server = providers::TestServer::Start(script);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  std::vector<std::string> Command(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "/usr/bin/env", "HOME=" + home_.path(),
        "BOXAGNTS_WORKSPACE_DIR=" + workspace_.path(),
        "ANTHROPIC_API_KEY=test-key",
        "ANTHROPIC_BASE_URL=" + server_->base_url(), BOXAGNTS_BINARY, "run",
        "--managed", "--model", "anthropic/claude-sonnet-4-5", "--work-dir",
        work_.path(), "--output-format", "stream-json",
        "--permission-mode", "acceptEdits"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  static std::vector<Json> Events(const std::string& out) {
    std::vector<Json> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      Json event = Json::parse(line, nullptr, false);
      EXPECT_FALSE(event.is_discarded()) << line;
      if (!event.is_discarded()) events.push_back(event);
    }
    return events;
  }

  static std::vector<Json> OfSubtype(const std::vector<Json>& events,
                                     const std::string& subtype) {
    std::vector<Json> found;
    for (const Json& e : events) {
      if (e.value("subtype", "") == subtype) found.push_back(e);
    }
    return found;
  }

  // The tool results the manager's `n`-th request (0-based among requests
  // whose first message contains "GOAL") carries, in order.
  std::vector<Json> ManagerResults(size_t n) const {
    size_t seen = 0;
    for (const auto& request : server_->requests()) {
      Json body = Json::parse(request.body);
      if (body["messages"][0].dump().find("GOAL") == std::string::npos) continue;
      if (seen++ != n) continue;
      std::vector<Json> results;
      for (const Json& block : body["messages"].back()["content"]) {
        if (block["type"] == "tool_result") results.push_back(block);
      }
      return results;
    }
    return {};
  }

  void WriteConfig(const std::string& text) {
    std::ofstream(workspace_ / "config.toml") << text;
  }

  TempDir work_;
  TempDir home_;
  TempDir workspace_;
  std::unique_ptr<providers::TestServer> server_;
};

TEST_F(ManagedRunTest, EightTasksNeverMoreThanThreeAtOnce) {
  Json script = Json::array();
  Json calls = Json::array();
  for (int i = 1; i <= 8; ++i) {
    calls.push_back(AgentCall("a" + std::to_string(i), "task-" + std::to_string(i)));
  }
  script.push_back(Turn("GOAL", {{"tool_calls", calls}}));
  for (int i = 1; i <= 8; ++i) {
    // Slow replies, so that executors overlap.
    script.push_back(Turn("task-" + std::to_string(i) + " ",
                          {{"text", "report " + std::to_string(i)},
                           {"delta_chars", 2},
                           {"chunk_delay_ms", 15}}));
  }
  script.push_back(Turn("GOAL", {{"text", "all eight done"}}));
  StartModel(script);
  CommandResult result = RunCommand(
      Command({"--max-concurrent-executors", "3", "GOAL: eight tasks"}));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<Json> events = Events(result.out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["subtype"], "init");
  EXPECT_NE(events[0]["tools"].dump().find("\"Agent\""), std::string::npos)
      << events[0].dump();
  int running = 0, peak = 0;
  for (const Json& e : events) {
    std::string subtype = e.value("subtype", "");
    if (subtype == "executor_start") peak = std::max(peak, ++running);
    if (subtype == "executor_finish") --running;
  }
  EXPECT_EQ(OfSubtype(events, "executor_start").size(), 8u);
  EXPECT_EQ(OfSubtype(events, "executor_finish").size(), 8u);
  EXPECT_LE(peak, 3);
  EXPECT_EQ(peak, 3);
  for (const Json& e : OfSubtype(events, "executor_finish")) {
    EXPECT_EQ(e["status"], "completed") << e.dump();
  }
  // Reports come back in the order of the calls, each with its own text.
  std::vector<Json> reports = ManagerResults(1);
  ASSERT_EQ(reports.size(), 8u);
  for (int i = 1; i <= 8; ++i) {
    EXPECT_EQ(reports[i - 1]["tool_use_id"], "a" + std::to_string(i));
    EXPECT_NE(reports[i - 1]["content"].dump().find(
                  "report " + std::to_string(i) + "\\n"),
              std::string::npos)
        << reports[i - 1].dump();
  }
  EXPECT_EQ(events.back()["result"], "all eight done");
  // The executor events are in the manager's session too.
  CommandResult exported = RunCommand(
      {"/usr/bin/env", "BOXAGNTS_WORKSPACE_DIR=" + workspace_.path(),
       BOXAGNTS_BINARY, "sessions", "export",
       events.back()["session_id"].get<std::string>()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  int finished = 0;
  std::istringstream exported_lines(exported.out);
  for (std::string line; std::getline(exported_lines, line);) {
    if (line.find("\"executor_finish\"") != std::string::npos) ++finished;
  }
  EXPECT_EQ(finished, 8);
}

TEST_F(ManagedRunTest, TotalBudgetRunsOutMidway) {
  WriteConfig(
      "[agent]\nmax_output_tokens = 1000\n"
      "[managed_agents]\nbudget_split = \"manager_reserve\"\n"
      "manager_reserve_percent = 30\n");
  Json script = Json::array();
  script.push_back(Turn("GOAL", {{"tool_calls",
                                  {AgentCall("a1", "task-1"), AgentCall("a2", "task-2"),
                                   AgentCall("a3", "task-3"), AgentCall("a4", "task-4")}}}));
  for (int task = 1; task <= 4; ++task) {
    for (int i = 0; i < 40; ++i) {
      script.push_back(Turn("task-" + std::to_string(task) + " ",
                            {{"tool_calls", {Call("l" + std::to_string(i), "LS",
                                                  {{"path", "."}})}}}));
    }
  }
  script.push_back(Turn("GOAL", {{"text", "budget report read"}}));
  StartModel(script);
  CommandResult result = RunCommand(
      Command({"--max-concurrent-executors", "2", "--total-budget-usd", "0.2",
               "GOAL: spend it"}));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<Json> events = Events(result.out);
  Json final = events.back();
  ASSERT_EQ(final["type"], "result");
  EXPECT_LE(final["total_cost_usd"].get<double>(), 0.2);
  // The four Agent calls submit in parallel, so which two start first
  // varies; two run until the money is gone and two never start.
  std::multiset<std::string> statuses;
  for (const Json& e : OfSubtype(events, "executor_finish")) {
    statuses.insert(e["status"].get<std::string>());
  }
  EXPECT_EQ(statuses, (std::multiset<std::string>{"budget", "budget",
                                                  "not_started",
                                                  "not_started"}));
  EXPECT_EQ(OfSubtype(events, "executor_start").size(), 2u);
  // The manager reads why, in the order of its calls.
  std::vector<Json> reports = ManagerResults(1);
  ASSERT_EQ(reports.size(), 4u);
  int ran_out = 0, refused = 0;
  for (const Json& report : reports) {
    std::string text = report.dump();
    if (text.find("budget reached: the next model call could cost up to") !=
        std::string::npos) {
      ++ran_out;
    }
    if (text.find("not_started.\\nError: the executors' share of the total "
                  "budget is used up") != std::string::npos) {
      ++refused;
    }
  }
  EXPECT_EQ(ran_out, 2) << reports[0].dump();
  EXPECT_EQ(refused, 2) << reports[0].dump() << reports[2].dump();
  EXPECT_EQ(final["result"], "budget report read");
}

TEST_F(ManagedRunTest, InterruptStopsEveryExecutorQuickly) {
  InstallSleepTool(workspace_.path());
  Json script = Json::array();
  script.push_back(Turn("GOAL", {{"tool_calls",
                                  {AgentCall("a1", "task-1"), AgentCall("a2", "task-2"),
                                   AgentCall("a3", "task-3")}}}));
  for (int task = 1; task <= 3; ++task) {
    for (int i = 0; i < 5; ++i) {
      script.push_back(Turn("task-" + std::to_string(task) + " ",
                            {{"tool_calls", {Call("s" + std::to_string(i), "Sleep",
                                                  Json::object())}}}));
    }
  }
  StartModel(script);
  testing::SpawnedCommand child = testing::SpawnCommand(Command({"GOAL: nap"}));
  // Wait until all three executors asked for their first tool.
  for (int i = 0; i < 5000 && server_->requests().size() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto sent = std::chrono::steady_clock::now();
  kill(child.pid, SIGINT);
  CommandResult result = testing::WaitCommand(child);
  auto took = std::chrono::steady_clock::now() - sent;
  EXPECT_EQ(result.exit_code, 130) << result.err;
  EXPECT_LT(took, std::chrono::milliseconds(500));
  std::vector<Json> events = Events(result.out);
  EXPECT_EQ(OfSubtype(events, "executor_cancelled").size(), 3u);
  EXPECT_EQ(events.back()["stop_reason"], "cancelled");
}

std::string Git(const std::string& dir, const std::string& args) {
  CommandResult r = RunCommand({"/bin/sh", "-c",
                                "cd '" + dir + "' && git -c core.hooksPath=/dev/null " +
                                    args + " 2>&1"});
  return r.out;
}

TEST_F(ManagedRunTest, WorktreeExecutorsKeepTheMainTreeUntouched) {
  std::ofstream(work_ / "notes.txt") << "original\n";
  Git(work_.path(), "init -q -b main . && git add notes.txt && git -c "
                    "user.name=t -c user.email=t@t commit -q -m init");
  Json worktree = {{"isolation", "worktree"}};
  Json script = Json::array();
  script.push_back(Turn("GOAL", {{"tool_calls", {AgentCall("a1", "task-A", worktree),
                                                 AgentCall("a2", "task-B", worktree)}}}));
  for (std::string v : {"A", "B"}) {
    script.push_back(Turn("task-" + v + " ",
                          {{"tool_calls", {Call("e1", "Edit",
                                                {{"file_path", "notes.txt"},
                                                 {"old_string", "original"},
                                                 {"new_string", "version " + v}})}}}));
    script.push_back(Turn("task-" + v + " ", {{"text", "edited to " + v}}));
  }
  script.push_back(Turn("GOAL", {{"text", "both branches ready"}}));
  StartModel(script);
  CommandResult result = RunCommand(Command({"GOAL: two versions"}));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(*ReadFileToString(work_ / "notes.txt"), "original\n");
  std::string branches = Git(work_.path(), "branch --list 'boxagnts/*'");
  std::vector<std::string> names;
  std::istringstream lines(branches);
  for (std::string line; std::getline(lines, line);) names.push_back(line.substr(2));
  ASSERT_EQ(names.size(), 2u) << branches;
  std::set<std::string> contents;
  for (const std::string& name : names) {
    contents.insert(Git(work_.path(), "show " + name + ":notes.txt"));
    EXPECT_EQ(Git(work_.path(), "rev-list --count main.." + name), "1\n");
  }
  EXPECT_EQ(contents, (std::set<std::string>{"version A\n", "version B\n"}));
  // Only the main work tree is left.
  std::string worktrees = Git(work_.path(), "worktree list");
  EXPECT_EQ(std::count(worktrees.begin(), worktrees.end(), '\n'), 1) << worktrees;
  std::vector<Json> reports = ManagerResults(1);
  ASSERT_EQ(reports.size(), 2u);
  for (const Json& report : reports) {
    std::string text = report.dump();
    EXPECT_NE(text.find("Worktree branch boxagnts/"), std::string::npos) << text;
    EXPECT_NE(text.find("1 commit(s)"), std::string::npos) << text;
    EXPECT_NE(text.find("notes.txt | 2 +-"), std::string::npos) << text;
    EXPECT_NE(text.find("the branch remains"), std::string::npos) << text;
  }
  EXPECT_NE(reports[0].dump().find("edited to A"), std::string::npos);
}

TEST_F(ManagedRunTest, BadExecutorModelIsAUsageError) {
  StartModel(Json::array());
  CommandResult result =
      RunCommand(Command({"--executor-model", "nomodel", "GOAL: x"}));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("executor model"), std::string::npos) << result.err;
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(ManagedRunTest, TamperedWorktreeGivesAnErrorReport) {
  std::ofstream(work_ / "notes.txt") << "original\n";
  Git(work_.path(), "init -q -b main . && git add notes.txt && git -c "
                    "user.name=t -c user.email=t@t commit -q -m init");
  Json script = Json::array();
  script.push_back(Turn("GOAL", {{"tool_calls",
                                  {AgentCall("a1", "task-T",
                                             {{"isolation", "worktree"}})}}}));
  // The executor points its worktree's .git file at the main repository.
  script.push_back(Turn("task-T ", {{"tool_calls",
                                     {Call("w1", "Write",
                                           {{"file_path", ".git"},
                                            {"content", "gitdir: " + work_.path() +
                                                            "/.git\n"}})}}}));
  script.push_back(Turn("task-T ", {{"text", "done"}}));
  script.push_back(Turn("GOAL", {{"text", "saw the error"}}));
  StartModel(script);
  CommandResult result = RunCommand(Command({"GOAL: tamper"}));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<Json> reports = ManagerResults(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0]["is_error"].get<bool>()) << reports[0].dump();
  EXPECT_NE(reports[0].dump().find("(do task-T): error"), std::string::npos)
      << reports[0].dump();
  EXPECT_EQ(*ReadFileToString(work_ / "notes.txt"), "original\n");
}

// A module whose _start executes `unreachable`.
void InstallTrapTool(const std::string& workspace) {
  std::string dir = workspace + "/tools/Trap";
  std::filesystem::create_directories(dir);
  const unsigned char wasm[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type () -> ()
      0x03, 0x02, 0x01, 0x00,                          // one function
      0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00,
      0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b};       // unreachable
  std::ofstream(dir + "/trap.wasm", std::ios::binary)
      .write(reinterpret_cast<const char*>(wasm), sizeof(wasm));
  std::ofstream(dir + "/tool.json") << R"({"name": "Trap",
    "description": "Always traps.", "input_schema": {"type": "object"},
    "read_only": true, "concurrency_safe": true, "capabilities": []})";
}

TEST_F(ManagedRunTest, FailingExecutorsReturnErrorReports) {
  InstallTrapTool(workspace_.path());
  Json script = Json::array();
  script.push_back(Turn("GOAL", {{"tool_calls",
                                  {AgentCall("a1", "task-loop", {{"max_turns", 3}}),
                                   AgentCall("a2", "task-trap")}}}));
  for (int i = 0; i < 10; ++i) {
    script.push_back(Turn("task-loop ", {{"tool_calls", {Call("l" + std::to_string(i),
                                                              "LS", {{"path", "."}})}}}));
  }
  script.push_back(Turn("task-trap ", {{"tool_calls", {Call("t1", "Trap", Json::object())}}}));
  script.push_back(Turn("task-trap ", {{"text", "the tool crashed"}}));
  script.push_back(Turn("GOAL", {{"text", "handled the failures"}}));
  StartModel(script);
  CommandResult result = RunCommand(Command({"GOAL: failures"}));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<Json> reports = ManagerResults(1);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_TRUE(reports[0]["is_error"].get<bool>());
  EXPECT_NE(reports[0].dump().find("max_turns, 3 model call(s)"), std::string::npos)
      << reports[0].dump();
  EXPECT_TRUE(reports[1]["is_error"].get<bool>());
  EXPECT_NE(reports[1].dump().find("stopped by the sandbox"), std::string::npos)
      << reports[1].dump();
  EXPECT_NE(reports[1].dump().find("Trap: tool Trap stopped: trap"),
            std::string::npos);
  EXPECT_EQ(Events(result.out).back()["result"], "handled the failures");
}

}  // namespace
}  // namespace boxagnts
