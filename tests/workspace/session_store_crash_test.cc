// Crash and multi-process tests: writers in child processes, killed with
// SIGKILL at random moments or running side by side.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "workspace/session_store.h"
#include "workspace/session_store_test_support.h"

namespace boxagnts::workspace {
namespace {

constexpr int kPartsPerTurn = 3;
constexpr int64_t kCostPerTurn = 1000;

TurnWrite NumberedTurn(int turn) {
  TurnWrite write;
  for (int part = 0; part < kPartsPerTurn; ++part) {
    Json message = {{"role", part == 1 ? "assistant" : "user"},
                    {"turn", turn},
                    {"part", part}};
    // Spread a turn over several database pages.
    if (part == 2) message["padding"] = std::string(6000, 'p');
    write.messages.push_back(std::move(message));
  }
  ModelCallRecord call;
  call.model = "anthropic/claude-test";
  call.message_index = 1;
  call.cost_pico_usd = kCostPerTurn;
  write.model_calls.push_back(call);
  write.tool_calls.push_back({"call-" + std::to_string(turn), "Read"});
  write.events.push_back({"step", {{"turn", turn}}});
  return write;
}

// Runs in a child process: writes turns, compactions, forks and status
// changes until it is killed. Exits with a code >= 2 on any error.
[[noreturn]] void WriteUntilKilled(const std::string& path) {
  Result<std::unique_ptr<SessionStore>> store = SessionStore::Open(path);
  if (!store.ok()) _exit(2);
  Result<SessionInfo> session = (*store)->CreateSession(MainSession());
  if (!session.ok()) _exit(3);
  for (int turn = 0;; ++turn) {
    if (!(*store)->AppendTurn(session->id, NumberedTurn(turn)).ok()) _exit(4);
    if (turn % 4 == 3) {
      CompactionWrite compaction;
      compaction.summary = UserText("summary up to turn " +
                                    std::to_string(turn));
      compaction.keep_last_messages = kPartsPerTurn;
      compaction.model_call = ModelCallRecord();
      compaction.model_call->purpose = "compaction";
      compaction.model_call->model = "anthropic/claude-test";
      compaction.model_call->cost_pico_usd = 0;
      if (!(*store)->RecordCompaction(session->id, compaction).ok()) _exit(5);
    }
    if (turn % 7 == 6 && !(*store)->Fork(session->id, 0).ok()) _exit(6);
    if (turn % 5 == 4 &&
        !(*store)->SetStatus(session->id, kStatusRunning, "").ok()) {
      _exit(7);
    }
  }
}

// Checks that the database opens, is intact, and contains whole turns only.
// Returns the number of messages found.
int64_t CheckWholeTurns(const std::string& path) {
  Result<std::unique_ptr<SessionStore>> opened = SessionStore::Open(path);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return 0;
  SessionStore& store = **opened;
  Status integrity = store.CheckIntegrity();
  EXPECT_TRUE(integrity.ok()) << integrity.ToString();
  Result<std::vector<SessionInfo>> sessions =
      store.ListSessions(static_cast<size_t>(-1));
  EXPECT_TRUE(sessions.ok()) << sessions.status().ToString();
  if (!sessions.ok()) return 0;

  int64_t total = 0;
  for (const SessionInfo& session : *sessions) {
    SCOPED_TRACE("session " + session.id);
    Result<std::vector<StoredMessage>> messages =
        store.LoadAllMessages(session.id);
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    if (!messages.ok()) continue;
    int64_t count = static_cast<int64_t>(messages->size());

    for (int64_t i = 0; i < count; ++i) {
      const StoredMessage& message = (*messages)[static_cast<size_t>(i)];
      bool in_place = message.seq == i + 1 &&
                      message.message["turn"] == i / kPartsPerTurn &&
                      message.message["part"] == i % kPartsPerTurn;
      if (!in_place) {
        ADD_FAILURE() << "message " << i << " has seq " << message.seq
                      << ", turn " << message.message["turn"] << ", part "
                      << message.message["part"];
        break;
      }
    }

    EXPECT_EQ(count % kPartsPerTurn, 0);
    // Counters were updated in the same transactions as the messages.
    EXPECT_EQ(session.num_turns,
              (count - session.forked_at_seq) / kPartsPerTurn);
    EXPECT_EQ(session.total_cost_pico_usd, session.num_turns * kCostPerTurn);
    Result<ActiveHistory> active = store.LoadActive(session.id);
    EXPECT_TRUE(active.ok()) << active.status().ToString();
    if (active.ok()) {
      EXPECT_LE(active->first_kept_seq, count + 1);
    }
    total += count;
  }
  return total;
}

TEST(SessionStoreCrash, KilledWriterLeavesWholeTurns) {
  testing::TempDir dir;
  spdlog::set_level(spdlog::level::warn);
  std::random_device seed_source;
  unsigned seed = seed_source();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  const std::string shared = dir / "sessions.db";
  int64_t last_total = 0;
  for (int round = 0; round < 20; ++round) {
    // Every fifth round starts a new file and kills early, to hit the
    // first open and the schema migration.
    bool fresh = round % 5 == 0;
    std::string path =
        fresh ? dir / ("fresh-" + std::to_string(round) + ".db") : shared;
    int max_delay_ms = fresh ? 15 : 150;
    int delay_ms =
        std::uniform_int_distribution<int>(0, max_delay_ms)(random);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill after " +
                 std::to_string(delay_ms) + " ms");

    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) WriteUntilKilled(path);
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "writer exited early with code " << WEXITSTATUS(status);
    ASSERT_EQ(WTERMSIG(status), SIGKILL);

    int64_t total = CheckWholeTurns(path);
    if (!fresh) {
      EXPECT_GE(total, last_total);  // committed turns are never lost
      last_total = total;
    }
  }
  // The rounds on the shared file must have written something, or the
  // test proved nothing.
  EXPECT_GT(last_total, 0);
}

TEST(SessionStoreCrash, TwoProcessesShareOneSession) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  store.Close();
  constexpr int kWriters = 2;
  constexpr int kTurnsEach = 20;
  std::vector<pid_t> pids;
  for (int writer = 0; writer < kWriters; ++writer) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Result<std::unique_ptr<SessionStore>> own =
          SessionStore::Open(store.path());
      if (!own.ok()) _exit(2);
      for (int turn = 0; turn < kTurnsEach; ++turn) {
        TurnWrite write;
        for (int part = 0; part < 2; ++part) {
          write.messages.push_back({{"role", "user"},
                                    {"writer", writer},
                                    {"turn", turn},
                                    {"part", part}});
        }
        if (!(*own)->AppendTurn(session.id, write).ok()) _exit(3);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  store.Reopen();
  Result<std::vector<StoredMessage>> messages =
      store->LoadAllMessages(session.id);
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), static_cast<size_t>(kWriters * kTurnsEach * 2));
  for (size_t i = 0; i < messages->size(); i += 2) {
    const Json& first = (*messages)[i].message;
    const Json& second = (*messages)[i + 1].message;
    EXPECT_EQ((*messages)[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(first["part"], 0);
    EXPECT_EQ(second["part"], 1);
    EXPECT_EQ(first["writer"], second["writer"]);
    EXPECT_EQ(first["turn"], second["turn"]);
  }
}

}  // namespace
}  // namespace boxagnts::workspace
