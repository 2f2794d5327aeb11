// The executors of a managed session: a queue in front of a fixed number
// of running slots, a cap on how many executors a session may create, and
// cancellation per executor.
//
// Each submitted executor waits for a slot in submission order. Before it
// starts, the pool checks `can_start` (the budget) and the session's
// cancellation. An executor rejected there never runs, and its report
// gives the reason.
// Executors never share conversation state: the runner gives each one its
// own query loop.
#ifndef BOXAGNTS_QUERY_EXECUTOR_POOL_H_
#define BOXAGNTS_QUERY_EXECUTOR_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/cancellation.h"
#include "core/json.h"
#include "core/status.h"
#include "query/git_worktree.h"
#include "query/query_loop.h"

namespace boxagnts::query {

struct ExecutorSpec {
  std::string description;  // a few words, for reports and events
  std::string prompt;
  std::vector<std::string> tools;  // empty: every tool the runner allows
  std::string model;               // empty: the configured executor model
  int max_turns = 0;               // 0: the configured default
  bool worktree = false;           // run in a git worktree of its own
  bool keep_worktree = false;
  bool background = false;
};

// The stage an executor is in.
enum class ExecutorState { kQueued, kRunning, kFinished };

struct ExecutorReport {
  std::string id;
  std::string description;
  std::string model;
  // "completed", "error", "max_turns", "budget", "cancelled" or
  // "not_started" (rejected before it ran; `error` gives the reason).
  std::string status;
  QueryResult result;
  std::string error;  // set when the runner failed or the executor never ran
  std::optional<WorktreeReport> worktree;
  int tool_errors = 0;
  // Tool calls the sandbox stopped (trap, fuel, timeout, memory, stack).
  // Any makes the report an error report even when the run completed.
  int sandbox_stops = 0;
  std::string last_tool_error;  // the latest failed tool call's message
  int64_t duration_ms = 0;
  bool is_error() const { return status != "completed" || sandbox_stops > 0; }
  // The text the manager reads.
  std::string ToText() const;
  Json ToJson() const;
};

// Runs one executor to its end. Implemented by the managed session.
class ExecutorRunner {
 public:
  virtual ~ExecutorRunner() = default;
  virtual ExecutorReport RunExecutor(const std::string& id,
                                     const ExecutorSpec& spec,
                                     const CancellationToken& cancel) = 0;
};

struct ExecutorPoolLimits {
  int max_concurrent = 4;
  int max_total = 32;
};

class ExecutorPool {
 public:
  // `can_start` returns "" when an executor may start, else the reason it
  // may not (such as an exhausted budget). `on_event` receives
  // executor_queued, executor_start, executor_finish and
  // executor_cancelled events, each with "executor_id"; it is called from
  // the executors' threads.
  ExecutorPool(ExecutorRunner* runner, ExecutorPoolLimits limits,
               CancellationToken session_cancel,
               std::function<std::string()> can_start,
               std::function<void(const std::string&, const Json&)> on_event);
  // Cancels what still runs and waits for every executor thread.
  ~ExecutorPool();

  // Queues an executor and returns its id ("ex-1", "ex-2", ...). Errors:
  // the session's fan-out limit is reached.
  Result<std::string> Submit(ExecutorSpec spec);
  // Blocks until executor `id` finishes or `cancel` fires; returns its
  // report, or nullopt when `cancel` fired first. NotFound for an unknown
  // id.
  Result<std::optional<ExecutorReport>> Wait(const std::string& id,
                                             const CancellationToken& cancel);
  // Cancels one executor; the others go on. NotFound for an unknown id.
  Status Cancel(const std::string& id);
  void CancelAll();
  // Cancels every unfinished executor and waits for all their threads.
  void Shutdown();
  // Current state of every executor, in submission order.
  Json Snapshot() const;
  std::vector<std::string> Unfinished() const;

  int peak_running() const;
  int created() const;

 private:
  struct Executor {
    std::string id;
    ExecutorSpec spec;
    ExecutorState state = ExecutorState::kQueued;
    std::unique_ptr<CancellationSource> cancel;
    std::optional<ExecutorReport> report;
    std::thread thread;
  };
  void Main(Executor* executor);

  ExecutorRunner* const runner_;
  const ExecutorPoolLimits limits_;
  const CancellationToken session_cancel_;
  const std::function<std::string()> can_start_;
  const std::function<void(const std::string&, const Json&)> on_event_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Executor>> executors_;  // guarded by mu_
  std::deque<Executor*> waiting_;                     // guarded by mu_
  int running_ = 0;                                   // guarded by mu_
  int peak_running_ = 0;                              // guarded by mu_
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_EXECUTOR_POOL_H_
