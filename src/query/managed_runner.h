// Runs the executors of a managed session: each one a query loop of its
// own with a fresh context, its own tool set (never the Agent tools
// unless the depth allows), its own budget inside the session's total,
// its own session record, and optionally its own git worktree.
#ifndef BOXAGNTS_QUERY_MANAGED_RUNNER_H_
#define BOXAGNTS_QUERY_MANAGED_RUNNER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "query/budget.h"
#include "query/executor_pool.h"
#include "query/managed_config.h"
#include "query/path_locks.h"
#include "query/query_loop.h"
#include "tools/permission_gate.h"
#include "tools/registry.h"
#include "workspace/session_store.h"

namespace boxagnts::query {

struct ManagedEnvironment {
  ProviderFactory provider_factory;
  const providers::ModelCatalog* catalog = nullptr;
  // The tools executors may be given (without the Agent tools).
  const tools::ToolRegistry* registry = nullptr;
  tools::PermissionGate* gate = nullptr;
  tools::ToolContext context;  // the session's; work_dir may be replaced
  HookRunner* hooks = nullptr;
  workspace::SessionStore* store = nullptr;  // null: executors not stored
  std::string manager_session_id;
  std::string workspace_dir;
  std::shared_ptr<BudgetPool> total_budget;
  ManagedConfig config;
  QueryConfig query;  // the session's loop settings; model and turns replaced
  // The system prompt for an executor working in a work dir.
  std::function<std::string(const std::string& work_dir)> system_prompt;
  PathLocks* path_locks = nullptr;
  // Receives executor_progress events, with "executor_id".
  std::function<void(const std::string&, const Json&)> on_event;
};

class ManagedRunner : public ExecutorRunner {
 public:
  explicit ManagedRunner(ManagedEnvironment env);

  ExecutorReport RunExecutor(const std::string& id, const ExecutorSpec& spec,
                             const CancellationToken& cancel) override;

  // "" when a new executor may start, else why not.
  std::string CanStart() const;

 private:
  std::shared_ptr<BudgetPool> PoolForExecutor();

  ManagedEnvironment env_;
  std::shared_ptr<BudgetPool> executors_pool_;  // for kManagerReserve
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_MANAGED_RUNNER_H_
