#include "query/managed_runner.h"

#include "core/log.h"
#include "query/agent_tools.h"
#include "query/git_worktree.h"
#include "query/store_writer.h"

namespace boxagnts::query {

namespace {

constexpr char kExecutorRole[] =
    "\n\n# Your role\nYou are an executor agent started by a manager agent "
    "for one task. Do that task only, then reply with a concise report: "
    "what you did, the files you changed, and anything left unfinished. "
    "The manager sees only that final reply.";

// Relays what an executor does to the manager, tagged with its id.
class ExecutorObserver : public QueryObserver {
 public:
  ExecutorObserver(std::string id,
                   std::function<void(const std::string&, const Json&)> sink)
      : id_(std::move(id)), sink_(std::move(sink)) {}
  void OnAssistantMessage(const providers::Message&,
                          const ModelCallInfo& call) override {
    if (call.cost_pico_usd >= 0) cost_pico_usd_ += call.cost_pico_usd;
    Emit("executor_cost",
         {{"cost_usd", double(cost_pico_usd_) / 1e12},
          {"message", id_ + " has spent " + providers::FormatUsd(cost_pico_usd_)}});
  }
  void OnToolStart(const providers::ToolUseBlock& call) override {
    Emit("executor_progress",
         {{"tool", call.name}, {"message", id_ + " runs " + call.name}});
  }
  void OnToolResult(const providers::ToolUseBlock& call,
                    const providers::ToolResultBlock& result,
                    int64_t) override {
    if (result.is_error) {
      ++tool_errors;
      std::string text = result.Text();
      last_tool_error = call.name + ": " + text.substr(0, 300);
      // WasmTool words every sandbox stop as "tool NAME stopped: KIND: ...".
      if (text.rfind("tool " + call.name + " stopped: ", 0) == 0) {
        ++sandbox_stops;
      }
    }
  }
  void OnNotice(std::string_view kind, const Json& data) override {
    Json copy = data;
    copy["kind"] = kind;
    copy["message"] = id_ + ": " + data.value("message", std::string(kind));
    Emit("executor_progress", copy);
  }
  int tool_errors = 0;
  int sandbox_stops = 0;
  std::string last_tool_error;

 private:
  void Emit(const std::string& type, Json data) {
    data["executor_id"] = id_;
    if (sink_) sink_(type, data);
  }
  std::string id_;
  std::function<void(const std::string&, const Json&)> sink_;
  int64_t cost_pico_usd_ = 0;
};

}  // namespace

ManagedRunner::ManagedRunner(ManagedEnvironment env) : env_(std::move(env)) {
  if (env_.config.budget_split == BudgetSplit::kManagerReserve &&
      env_.total_budget->cap_pico_usd()) {
    int64_t cap = *env_.total_budget->cap_pico_usd();
    int64_t share = static_cast<int64_t>(
        double(cap) * (100.0 - env_.config.manager_reserve_percent) / 100.0);
    executors_pool_ = std::make_shared<BudgetPool>(share, env_.total_budget);
  }
}

std::shared_ptr<BudgetPool> ManagedRunner::PoolForExecutor() {
  switch (env_.config.budget_split) {
    case BudgetSplit::kPerExecutor:
      if (env_.config.per_executor_budget_usd) {
        Result<int64_t> cap =
            UsdToPico(*env_.config.per_executor_budget_usd, "per_executor");
        if (cap.ok()) {
          return std::make_shared<BudgetPool>(*cap, env_.total_budget);
        }
      }
      break;
    case BudgetSplit::kManagerReserve:
      if (executors_pool_) {
        return std::make_shared<BudgetPool>(std::nullopt, executors_pool_);
      }
      break;
    case BudgetSplit::kShared:
      break;
  }
  return std::make_shared<BudgetPool>(std::nullopt, env_.total_budget);
}

std::string ManagedRunner::CanStart() const {
  const BudgetPool& total = *env_.total_budget;
  if (total.cap_pico_usd() && total.exhausted()) {
    return "the total budget is used up: a model call was stopped because "
           "even its smallest worst case no longer fits";
  }
  if (executors_pool_ && executors_pool_->exhausted()) {
    return "the executors' share of the total budget is used up";
  }
  return "";
}

ExecutorReport ManagedRunner::RunExecutor(const std::string& id,
                                          const ExecutorSpec& spec,
                                          const CancellationToken& cancel) {
  ExecutorReport report;
  report.model = !spec.model.empty()                 ? spec.model
                 : !env_.config.executor_model.empty() ? env_.config.executor_model
                                                       : env_.query.model_id;
  auto fail = [&](const std::string& message) {
    report.status = "error";
    report.error = message;
    report.result.stop = StopKind::kError;
    report.result.is_error = true;
    spdlog::warn("executor failed to start: executor={} {}", id, message);
    return report;
  };

  // Its tools: the requested subset of the registry, without the Agent
  // tools (executors do not start executors at the default depth).
  tools::ToolRegistry registry;
  for (const auto& tool : env_.registry->List()) {
    const std::string& name = tool->spec().name;
    if (IsAgentToolName(name)) continue;
    if (!spec.tools.empty() &&
        std::find(spec.tools.begin(), spec.tools.end(), name) ==
            spec.tools.end()) {
      continue;
    }
    Status added = registry.Add(tool);
    if (!added.ok()) return fail(added.message());
  }
  for (const std::string& name : spec.tools) {
    if (registry.Find(name) == nullptr) {
      return fail("tool \"" + name + "\" cannot be given to an executor: " +
                  (IsAgentToolName(name)
                       ? "executors cannot start executors (max_depth)"
                       : "no such tool"));
    }
  }

  Result<std::unique_ptr<providers::Provider>> provider =
      env_.provider_factory(report.model);
  if (!provider.ok()) return fail(provider.status().message());

  tools::ToolContext context = env_.context;
  std::optional<Worktree> worktree;
  if (spec.worktree) {
    WorktreeOptions options;
    options.repo_dir = env_.context.work_dir;
    options.branch = "boxagnts/" + env_.manager_session_id.substr(0, 8) + "/" + id;
    options.workspace_dir = env_.workspace_dir;
    Result<Worktree> created = Worktree::Create(options);
    if (!created.ok()) {
      return fail("isolation \"worktree\": " + created.status().message());
    }
    worktree = std::move(*created);
    context.work_dir = worktree->path();
  }

  std::unique_ptr<StoreWriter> writer;
  if (env_.store != nullptr) {
    workspace::NewSession session;
    session.model = report.model;
    session.work_dir = context.work_dir;
    session.title = spec.description;
    session.kind = "executor";
    session.parent_session_id = env_.manager_session_id;
    Result<workspace::SessionInfo> created = env_.store->CreateSession(session);
    if (!created.ok()) return fail(created.status().message());
    context.session_id = created->id;
    writer = std::make_unique<StoreWriter>(env_.store, created->id);
  } else {
    context.session_id = env_.manager_session_id + "/" + id;
  }

  tools::ToolExecutor executor(&registry, env_.gate);
  ExecutorObserver observer(id, env_.on_event);
  QueryDeps deps;
  deps.provider = provider->get();
  deps.provider_factory = env_.provider_factory;
  deps.catalog = env_.catalog;
  deps.registry = &registry;
  deps.executor = &executor;
  deps.tool_context = context;
  deps.budget = PoolForExecutor();
  deps.hooks = env_.hooks;
  deps.path_locks = worktree ? nullptr : env_.path_locks;
  deps.writer = writer.get();
  deps.observer = &observer;
  deps.system_prompt =
      (env_.system_prompt ? env_.system_prompt(context.work_dir) : "") +
      kExecutorRole;
  QueryConfig config = env_.query;
  config.model_id = report.model;
  config.fallback_model_id.clear();
  config.max_turns =
      spec.max_turns > 0 ? spec.max_turns : env_.config.executor_max_turns;
  QueryLoop loop(std::move(deps), config);
  report.result = loop.Run(spec.prompt, cancel);
  report.tool_errors = observer.tool_errors;
  report.sandbox_stops = observer.sandbox_stops;
  report.last_tool_error = observer.last_tool_error;

  if (worktree) {
    Result<std::string> commit =
        worktree->CommitAll(id + ": " + spec.description);
    if (!commit.ok()) {
      // The work is not on the branch, so the run did not deliver.
      report.status = "error";
      report.error = commit.status().message();
      spdlog::warn("executor commit failed: executor={} {}", id, report.error);
    }
    Result<WorktreeReport> summary = worktree->Report();
    if (summary.ok()) {
      report.worktree = *summary;
    } else if (report.error.empty()) {
      report.status = "error";
      report.error = summary.status().message();
    }
    if (!spec.keep_worktree) {
      Status removed = worktree->Remove();
      if (!removed.ok()) {
        spdlog::warn("executor worktree not removed: executor={} {}", id,
                     removed.message());
      } else if (report.worktree) {
        report.worktree->kept = false;
      }
    }
  }
  return report;
}

}  // namespace boxagnts::query
