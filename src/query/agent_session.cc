#include "query/agent_session.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/files.h"
#include "core/toml_text.h"
#include "core/log.h"
#include "providers/provider_factory.h"
#include "query/agent_config.h"
#include "query/agent_tools.h"
#include "query/executor_pool.h"
#include "query/managed_config.h"
#include "query/managed_runner.h"
#include "query/path_locks.h"
#include "query/hooks.h"
#include "query/store_writer.h"
#include "query/system_prompt.h"
#include "sandbox/config.h"
#include "tools/audit_log.h"
#include "tools/permission_config.h"
#include "tools/permission_gate.h"
#include "tools/registry.h"
#include "tools/tool_executor.h"
#include "workspace/agents_files.h"
#include "workspace/workspace_dir.h"

namespace boxagnts::query {

namespace {

// Forwards to the observer of the current Run, which may change between
// runs of one session. Calls are serialised, since in managed mode the
// manager's loop and its executors report from different threads.
class SwitchingObserver : public QueryObserver {
 public:
  void SetTarget(QueryObserver* target) {
    std::lock_guard<std::mutex> lock(mu_);
    target_ = target;
  }
  void OnTextDelta(std::string_view t) override {
    Forward([&](QueryObserver* o) { o->OnTextDelta(t); });
  }
  void OnThinkingDelta(std::string_view t) override {
    Forward([&](QueryObserver* o) { o->OnThinkingDelta(t); });
  }
  void OnAssistantMessage(const providers::Message& m,
                          const ModelCallInfo& c) override {
    Forward([&](QueryObserver* o) { o->OnAssistantMessage(m, c); });
  }
  void OnToolStart(const providers::ToolUseBlock& c) override {
    Forward([&](QueryObserver* o) { o->OnToolStart(c); });
  }
  void OnToolResult(const providers::ToolUseBlock& c,
                    const providers::ToolResultBlock& r, int64_t ms) override {
    Forward([&](QueryObserver* o) { o->OnToolResult(c, r, ms); });
  }
  void OnUserMessage(const providers::Message& m) override {
    Forward([&](QueryObserver* o) { o->OnUserMessage(m); });
  }
  void OnNotice(std::string_view kind, const Json& data) override {
    Forward([&](QueryObserver* o) { o->OnNotice(kind, data); });
  }

 private:
  template <typename Call>
  void Forward(Call call) {
    std::lock_guard<std::mutex> lock(mu_);
    if (target_ != nullptr) call(target_);
  }

  std::mutex mu_;
  QueryObserver* target_ = nullptr;  // guarded by mu_
};

constexpr char kManagerRole[] =
    "\n\n# Your role\nYou are the manager of this session. Split the goal "
    "into independent tasks and delegate each to an executor with the Agent "
    "tool; several Agent calls in one reply run in parallel. Executors start "
    "with a fresh context: give each one every fact it needs. Use isolation "
    "\"worktree\" when executors change the same files. Read their reports, "
    "check the result, and finish with a summary for the user. The runtime "
    "enforces the executor cap, the depth and the total budget.";

// Rejects top-level tables no part of boxagnts reads, so that a typo such
// as [hook] cannot silently switch off a guard.
Status CheckConfigTables(const std::string& text, const std::string& path) {
  static const char* const kKnown[] = {"agent",       "managed_agents",
                                       "hooks",       "permissions",
                                       "sandbox",     "models"};
  Result<toml::table> root = ParseTomlText(text, path);
  if (!root.ok()) return root.status();
  for (const auto& [key, node] : *root) {
    std::string name(key.str());
    if (std::find(std::begin(kKnown), std::end(kKnown), name) ==
        std::end(kKnown)) {
      return Status::InvalidArgument(
          path + ": unknown table or key \"" + name +
          "\" (known tables: agent, managed_agents, hooks, permissions, "
          "sandbox, models)");
    }
  }
  return Status::Ok();
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace

struct AgentSession::State {
  SessionOptions options;
  std::string workspace_dir;
  std::string work_dir;
  AgentConfig agent;
  providers::ModelCatalog catalog;
  providers::ProviderOptions provider_options;
  std::unique_ptr<providers::Provider> provider;
  tools::ToolRegistry registry;
  std::unique_ptr<tools::PermissionEngine> engine;
  std::unique_ptr<tools::ApprovalHandler> approval;
  std::unique_ptr<tools::JsonlAuditLog> audit;
  std::unique_ptr<tools::PermissionGate> gate;
  std::unique_ptr<tools::ToolExecutor> executor;
  std::unique_ptr<HookRunner> hooks;
  sandbox::SandboxConfig sandbox;
  std::unique_ptr<workspace::SessionStore> store;
  std::optional<workspace::SessionInfo> info;  // set once the session exists
  std::vector<providers::Message> resumed_history;
  int64_t resumed_cost_pico_usd = 0;
  std::unique_ptr<StoreWriter> writer;
  std::shared_ptr<BudgetPool> budget;
  std::string system_prompt;
  SwitchingObserver observer;
  ManagedConfig managed;
  std::unique_ptr<PathLocks> path_locks;
  std::unique_ptr<ManagedRunner> runner;
  std::unique_ptr<ExecutorPool> pool;
  tools::ToolRegistry manager_registry;
  std::unique_ptr<tools::ToolExecutor> manager_executor;
  std::unique_ptr<QueryLoop> loop;
  std::vector<std::string> warnings;

  Status LoadConfig(const std::string& user_config,
                    const std::string& project_config, bool trusted);
  Status FindResumedSession();
  Status BuildToolLayer(const tools::PermissionConfig& user,
                        const tools::PermissionConfig& project, bool trusted);
  // Builds the system prompt for an agent working in `dir`. An AGENTS.md
  // file that cannot be read is an error, or is logged and left out when
  // `skip_unreadable_files` is set.
  Result<std::string> SystemPromptFor(const std::string& dir,
                                      bool skip_unreadable_files);
};

Status AgentSession::State::FindResumedSession() {
  if (options.resume_id.empty() && !options.continue_latest) {
    return Status::Ok();
  }
  Result<workspace::SessionInfo> found =
      !options.resume_id.empty()
          ? store->FindSession(options.resume_id)
          : store->LatestSession(work_dir);
  if (!found.ok()) {
    if (options.continue_latest && found.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("--continue: no earlier session in " + work_dir +
                              "; start one without --continue");
    }
    return found.status();
  }
  workspace::SessionInfo info_found = *found;
  if (options.fork) {
    Result<workspace::SessionInfo> forked = store->Fork(info_found.id, 0);
    if (!forked.ok()) return forked.status();
    info_found = *forked;
  } else {
    resumed_cost_pico_usd = info_found.total_cost_pico_usd;
  }
  Result<std::vector<Json>> stored = store->LoadActiveHistory(info_found.id);
  if (!stored.ok()) return stored.status();
  Result<std::vector<providers::Message>> history =
      MessagesFromStore(*stored, info_found.id);
  if (!history.ok()) return history.status();
  resumed_history = std::move(*history);
  info = info_found;
  return Status::Ok();
}

Status AgentSession::State::LoadConfig(const std::string& user_config,
                                       const std::string& project_config,
                                       bool trusted) {
  HookConfig hook_config;
  for (const std::string& path : {user_config, project_config}) {
    bool project = path == project_config;
    if (!FileExists(path)) continue;
    if (project && !trusted) {
      warnings.push_back(path + " is ignored except for its deny rules until "
                         "the project is trusted (--trust-project)");
      continue;
    }
    Result<std::string> text = ReadFileToString(path);
    if (!text.ok()) return text.status();
    BOXAGNTS_RETURN_IF_ERROR(CheckConfigTables(*text, path));
    BOXAGNTS_RETURN_IF_ERROR(ParseAgentToml(*text, path, &agent));
    BOXAGNTS_RETURN_IF_ERROR(ParseManagedToml(*text, path, &managed));
    Result<HookConfig> hooks_here = ParseHooksToml(*text, path);
    if (!hooks_here.ok()) return hooks_here.status();
    MergeHooks(&hook_config, *hooks_here);
    BOXAGNTS_RETURN_IF_ERROR(catalog.ApplyTomlOverrides(*text, path));
    if (!project) {
      BOXAGNTS_RETURN_IF_ERROR(
          sandbox::LoadSandboxConfigText(*text, path, &sandbox));
    }
  }
  hooks = std::make_unique<HookRunner>(std::move(hook_config), work_dir);
  return Status::Ok();
}

Status AgentSession::State::BuildToolLayer(
    const tools::PermissionConfig& user, const tools::PermissionConfig& project,
    bool trusted) {
  tools::PermissionConfig command_line;
  for (auto [texts, list] :
       {std::pair{&options.allow, &command_line.rules.allow},
        std::pair{&options.ask, &command_line.rules.ask},
        std::pair{&options.deny, &command_line.rules.deny}}) {
    Result<std::vector<tools::PermissionRule>> rules =
        tools::ParsePermissionRules(*texts, tools::RuleSource::kCommandLine);
    if (!rules.ok()) return rules.status();
    *list = std::move(*rules);
  }
  if (!options.permission_mode.empty()) {
    Result<tools::PermissionMode> mode =
        tools::ParsePermissionMode(options.permission_mode);
    if (!mode.ok()) return mode.status().WithPrefix("--permission-mode");
    command_line.default_mode = *mode;
  }
  tools::MergedPermissions merged =
      tools::MergePermissions(user, project, trusted, command_line);
  if (merged.ignored_workspace_settings > 0) {
    warnings.push_back(std::to_string(merged.ignored_workspace_settings) +
                       " permission setting(s) in " +
                       workspace::ProjectConfigPath(work_dir) +
                       " are ignored until the project is trusted "
                       "(--trust-project)");
  }
  registry = tools::LoadToolRegistry({tools::ApplicationDir(), workspace_dir});
  for (const std::string& error : registry.load_errors()) {
    warnings.push_back(error);
  }
  engine = std::make_unique<tools::PermissionEngine>(merged.mode,
                                                     merged.rules);
  approval = options.approval
                 ? std::move(options.approval)
                 : std::make_unique<tools::HeadlessApprovalHandler>();
  Result<std::unique_ptr<tools::JsonlAuditLog>> log =
      tools::JsonlAuditLog::Open(workspace_dir + "/audit.jsonl");
  if (!log.ok()) return log.status();
  audit = std::move(*log);
  gate = std::make_unique<tools::PermissionGate>(engine.get(), approval.get(),
                                                 audit.get());
  executor = std::make_unique<tools::ToolExecutor>(&registry, gate.get());
  return Status::Ok();
}

Result<std::string> AgentSession::State::SystemPromptFor(
    const std::string& dir, bool skip_unreadable_files) {
  Result<std::vector<workspace::InstructionFile>> files =
      workspace::FindAgentsFiles(dir, workspace_dir);
  SystemPromptOptions prompt;
  prompt.work_dir = dir;
  prompt.output_style = agent.output_style;
  prompt.now = std::chrono::system_clock::now();
  if (files.ok()) {
    for (workspace::InstructionFile& file : *files) {
      prompt.instruction_files.push_back(
          {std::move(file.path), std::move(file.content)});
    }
  } else if (skip_unreadable_files) {
    spdlog::warn("AGENTS.md files of {} not read: {}", dir,
                 files.status().message());
  } else {
    return files.status();
  }
  return query::BuildSystemPrompt(prompt, ReadEnvironmentFacts(dir, prompt.now));
}

Result<std::unique_ptr<AgentSession>> AgentSession::Open(
    SessionOptions options) {
  auto state = std::make_unique<State>();
  State& s = *state;
  s.options = std::move(options);
  Result<std::string> workspace_dir =
      workspace::FindWorkspaceDir(s.options.workspace_dir);
  if (!workspace_dir.ok()) return workspace_dir.status();
  s.workspace_dir = *workspace_dir;
  BOXAGNTS_RETURN_IF_ERROR(workspace::EnsureWorkspaceDir(s.workspace_dir));
  Result<std::unique_ptr<workspace::SessionStore>> store =
      workspace::SessionStore::Open(
          workspace::SessionStorePath(s.workspace_dir));
  if (!store.ok()) return store.status();
  s.store = std::move(*store);

  // The work dir: the flag, else a resumed session's, else the current one.
  std::error_code ec;
  std::string work_dir_flag = s.options.work_dir;
  if (work_dir_flag.empty() && !s.options.resume_id.empty()) {
    Result<workspace::SessionInfo> found =
        s.store->FindSession(s.options.resume_id);
    if (!found.ok()) return found.status();
    work_dir_flag = found->work_dir;
  }
  if (work_dir_flag.empty()) work_dir_flag = std::filesystem::current_path(ec);
  s.work_dir = std::filesystem::canonical(work_dir_flag, ec).string();
  if (ec || !std::filesystem::is_directory(s.work_dir)) {
    return Status::InvalidArgument("work dir \"" + work_dir_flag +
                                   "\" is not an existing directory");
  }
  if (s.options.trust_project) {
    BOXAGNTS_RETURN_IF_ERROR(
        workspace::TrustProject(s.workspace_dir, s.work_dir));
  }
  BOXAGNTS_RETURN_IF_ERROR(s.FindResumedSession());

  Result<providers::ModelCatalog> catalog =
      providers::ModelCatalog::LoadDefault();
  if (!catalog.ok()) return catalog.status();
  s.catalog = std::move(*catalog);
  s.sandbox.network.allowed_outbound_hosts = {"https://*"};
  std::string user_config = workspace::UserConfigPath(s.workspace_dir);
  std::string project_config = workspace::ProjectConfigPath(s.work_dir);
  bool trusted = workspace::IsProjectTrusted(s.workspace_dir, s.work_dir);
  BOXAGNTS_RETURN_IF_ERROR(s.LoadConfig(user_config, project_config, trusted));

  tools::PermissionConfig user_permissions, project_permissions;
  if (FileExists(user_config)) {
    Result<tools::PermissionConfig> loaded =
        tools::LoadPermissionsFile(user_config, tools::RuleSource::kUser);
    if (!loaded.ok()) return loaded.status();
    user_permissions = std::move(*loaded);
  }
  if (FileExists(project_config)) {
    Result<tools::PermissionConfig> loaded = tools::LoadPermissionsFile(
        project_config, tools::RuleSource::kWorkspace);
    if (!loaded.ok()) return loaded.status();
    project_permissions = std::move(*loaded);
  }
  BOXAGNTS_RETURN_IF_ERROR(
      s.BuildToolLayer(user_permissions, project_permissions, trusted));

  // Model and limits: flags over a resumed session over the config.
  QueryConfig& query = s.agent.query;
  if (!s.options.model.empty()) {
    query.model_id = s.options.model;
  } else if (s.info) {
    query.model_id = s.info->model;
  }
  if (query.model_id.empty()) {
    // A key alone picks that provider's default model.
    for (auto [variable, model] :
         {std::pair{"ANTHROPIC_API_KEY", "anthropic/claude-sonnet-4-5"},
          std::pair{"OPENAI_API_KEY", "openai/gpt-5"},
          std::pair{"GEMINI_API_KEY", "google/gemini-2.5-pro"}}) {
      const char* value = std::getenv(variable);
      if (value != nullptr && *value != '\0') {
        query.model_id = model;
        break;
      }
    }
  }
  if (query.model_id.empty()) {
    return Status::InvalidArgument(
        "no model configured: pass --model provider/model, set model "
        "under [agent] in " + user_config +
        ", or set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY");
  }
  if (s.options.max_turns) {
    if (*s.options.max_turns < 1) {
      return Status::InvalidArgument("--max-turns must be at least 1, got " +
                                     std::to_string(*s.options.max_turns));
    }
    query.max_turns = *s.options.max_turns;
  }
  if (s.options.max_budget_usd) s.agent.max_budget_usd = s.options.max_budget_usd;
  std::optional<int64_t> cap;
  if (s.agent.max_budget_usd) {
    Result<int64_t> pico = UsdToPico(*s.agent.max_budget_usd, "--max-budget-usd");
    if (!pico.ok()) return pico.status();
    cap = *pico;
  }
  if (s.options.managed) {
    ManagedConfig& m = s.managed;
    if (!s.options.executor_model.empty()) {
      m.executor_model = s.options.executor_model;
    }
    if (s.options.max_concurrent_executors) {
      if (*s.options.max_concurrent_executors < 1) {
        return Status::InvalidArgument(
            "--max-concurrent-executors must be at least 1, got " +
            std::to_string(*s.options.max_concurrent_executors));
      }
      m.max_concurrent_executors = *s.options.max_concurrent_executors;
    }
    if (s.options.total_budget_usd) m.total_budget_usd = s.options.total_budget_usd;
    if (m.total_budget_usd) {
      Result<int64_t> total =
          UsdToPico(*m.total_budget_usd, "--total-budget-usd");
      if (!total.ok()) return total.status();
      // The session's pool is the total; a smaller session cap still holds.
      cap = cap ? std::min(*cap, *total) : *total;
    }
  }
  s.budget = std::make_shared<BudgetPool>(cap);
  s.budget->AddSpent(s.resumed_cost_pico_usd);

  // Keys: the environment first, then the workspace's secrets file.
  std::string secrets_path = s.workspace_dir + "/secrets";
  if (FileExists(secrets_path)) {
    Result<std::map<std::string, std::string>> secrets =
        providers::LoadSecretsFile(secrets_path);
    if (!secrets.ok()) return secrets.status();
    s.provider_options.keys.secrets = std::move(*secrets);
    s.provider_options.keys.secrets_path = secrets_path;
  }
  s.provider_options.catalog = &s.catalog;
  if (!s.options.record_path.empty()) {
    Result<std::shared_ptr<providers::SessionRecorder>> recorder =
        providers::SessionRecorder::Open(s.options.record_path);
    if (!recorder.ok()) return recorder.status();
    s.provider_options.recorder = std::move(*recorder);
  }
  Result<std::unique_ptr<providers::Provider>> provider =
      providers::CreateProvider(query.model_id, s.provider_options);
  if (!provider.ok()) return provider.status();
  s.provider = std::move(*provider);
  if (s.options.managed && !s.managed.executor_model.empty()) {
    Result<std::unique_ptr<providers::Provider>> executor_provider =
        providers::CreateProvider(s.managed.executor_model, s.provider_options);
    if (!executor_provider.ok()) {
      return Status::InvalidArgument(
          "executor model: " + executor_provider.status().message());
    }
  }
  Result<std::string> system_prompt =
      s.SystemPromptFor(s.work_dir, /*skip_unreadable_files=*/false);
  if (!system_prompt.ok()) return system_prompt.status();
  s.system_prompt = std::move(*system_prompt);
  spdlog::info("agent session ready: work_dir={} model={} resumed={}",
               s.work_dir, query.model_id, s.info ? s.info->id : "");
  return std::unique_ptr<AgentSession>(new AgentSession(std::move(state)));
}

AgentSession::AgentSession(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

AgentSession::~AgentSession() = default;

QueryResult AgentSession::Run(const std::string& prompt,
                              QueryObserver* observer,
                              const CancellationToken& cancel) {
  State& s = *state_;
  s.observer.SetTarget(observer);
  if (!s.info) {
    workspace::NewSession fresh;
    fresh.model = s.agent.query.model_id;
    fresh.work_dir = s.work_dir;
    fresh.title = prompt;
    Result<workspace::SessionInfo> created = s.store->CreateSession(fresh);
    if (!created.ok()) {
      QueryResult failed;
      failed.stop = StopKind::kError;
      failed.is_error = true;
      failed.result = created.status().message();
      return failed;
    }
    s.info = *created;
  }
  if (s.loop == nullptr) {
    s.writer = std::make_unique<StoreWriter>(s.store.get(), s.info->id);
    ProviderFactory factory = [&s](const std::string& id) {
      return providers::CreateProvider(id, s.provider_options);
    };
    QueryDeps deps;
    deps.provider = s.provider.get();
    deps.provider_factory = factory;
    deps.catalog = &s.catalog;
    deps.registry = &s.registry;
    deps.executor = s.executor.get();
    deps.tool_context.work_dir = s.work_dir;
    deps.tool_context.map_dirs = s.sandbox.map_dirs;
    deps.tool_context.limits = s.sandbox.limits;
    deps.tool_context.network = s.sandbox.network;
    deps.tool_context.session_id = s.info->id;
    deps.budget = s.budget;
    deps.hooks = s.hooks.get();
    deps.writer = s.writer.get();
    deps.observer = &s.observer;
    deps.system_prompt = s.system_prompt;
    if (s.options.managed) {
      s.path_locks = std::make_unique<PathLocks>();
      deps.path_locks = s.path_locks.get();
      deps.system_prompt += kManagerRole;
      std::string manager_id = s.info->id;
      auto on_event = [&s, manager_id](const std::string& type,
                                       const Json& data) {
        s.observer.OnNotice(type, data);
        workspace::TurnWrite write;
        write.events.push_back({type, data});
        Result<std::vector<int64_t>> stored =
            s.store->AppendTurn(manager_id, write);
        if (!stored.ok()) {
          spdlog::error("session store: session={} {}", manager_id,
                        stored.status().message());
        }
      };
      ManagedEnvironment env;
      env.provider_factory = factory;
      env.catalog = &s.catalog;
      env.registry = &s.registry;
      env.gate = s.gate.get();
      env.context = deps.tool_context;
      env.hooks = s.hooks.get();
      env.store = s.store.get();
      env.manager_session_id = manager_id;
      env.workspace_dir = s.workspace_dir;
      env.total_budget = s.budget;
      env.config = s.managed;
      env.query = s.agent.query;
      env.system_prompt = [&s](const std::string& work_dir) {
        return *s.SystemPromptFor(work_dir, /*skip_unreadable_files=*/true);
      };
      env.path_locks = s.path_locks.get();
      env.on_event = on_event;
      s.runner = std::make_unique<ManagedRunner>(std::move(env));
      ManagedRunner* runner = s.runner.get();
      s.pool = std::make_unique<ExecutorPool>(
          runner,
          ExecutorPoolLimits{s.managed.max_concurrent_executors,
                             s.managed.max_executors},
          cancel, [runner] { return runner->CanStart(); }, on_event);
      s.manager_registry = s.registry;
      std::vector<std::string> executor_tools;
      for (const auto& tool : s.registry.List()) {
        executor_tools.push_back(tool->spec().name);
      }
      for (auto& tool : MakeAgentTools(s.pool.get(), executor_tools)) {
        Status added = s.manager_registry.Add(tool);
        if (!added.ok()) spdlog::error("{}", added.message());
      }
      s.manager_executor =
          std::make_unique<tools::ToolExecutor>(&s.manager_registry, s.gate.get());
      deps.registry = &s.manager_registry;
      deps.executor = s.manager_executor.get();
    }
    s.loop = std::make_unique<QueryLoop>(std::move(deps), s.agent.query,
                                         std::move(s.resumed_history));
  }
  Status running = s.store->SetStatus(s.info->id, workspace::kStatusRunning, "");
  if (!running.ok()) {
    spdlog::error("session store: session={} {}", s.info->id, running.message());
  }
  if (observer != nullptr) {
    Json tools = Json::array();
    for (const std::string& name : tool_names()) tools.push_back(name);
    observer->OnNotice("init", {{"session_id", s.info->id},
                                {"model", s.agent.query.model_id},
                                {"cwd", s.work_dir},
                                {"tools", tools},
                                {"message", "session " + s.info->id}});
  }
  // A resumed session's earlier spending counts against its budget (see
  // Open) but not in the cost of this run.
  QueryResult result = s.loop->Run(prompt, cancel);
  if (s.pool != nullptr) {
    // Executors the manager left running in the background end with it.
    std::vector<std::string> unfinished = s.pool->Unfinished();
    if (!unfinished.empty()) {
      spdlog::info("cancelling {} background executor(s) at the end of the "
                   "run: session={}", unfinished.size(), s.info->id);
    }
    s.pool->Shutdown();
    // Executors' spending is in the total pool, not in the manager's run.
    result.cost_pico_usd = s.budget->spent_pico_usd() - s.resumed_cost_pico_usd;
  }
  return result;
}

const std::string& AgentSession::session_id() const {
  static const std::string kNone;
  return state_->info ? state_->info->id : kNone;
}

const std::string& AgentSession::model_id() const {
  return state_->agent.query.model_id;
}

const std::string& AgentSession::work_dir() const { return state_->work_dir; }

std::vector<std::string> AgentSession::tool_names() const {
  std::vector<std::string> names;
  const tools::ToolRegistry& registry = state_->manager_executor != nullptr
                                            ? state_->manager_registry
                                            : state_->registry;
  for (const auto& tool : registry.List()) {
    names.push_back(tool->spec().name);
  }
  return names;
}

const std::vector<std::string>& AgentSession::warnings() const {
  return state_->warnings;
}

}  // namespace boxagnts::query
