// `boxagnts tool list` and `boxagnts tool run`: the tool layer from the
// command line, with the same validation, permissions and sandbox as an
// agent's calls.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/signals.h"
#include "core/json.h"
#include "sandbox/config.h"
#include "tools/approval.h"
#include "tools/audit_log.h"
#include "tools/permission_config.h"
#include "tools/permission_gate.h"
#include "tools/registry.h"
#include "tools/tool_executor.h"
#include "workspace/workspace_dir.h"

namespace boxagnts::cli {

namespace {

struct ToolRunFlags {
  std::string name;
  std::string input;
  std::string work_dir;
  std::string workspace_dir;
  std::vector<std::string> allow, ask, deny;
  std::string mode;
  bool trust_project = false;
  bool json = false;
};

int Fail(const std::string& command, const Status& status, int code) {
  std::fprintf(stderr, "boxagnts tool %s: %s\n", command.c_str(),
               status.message().c_str());
  return code;
}

void PrintLoadErrors(const tools::ToolRegistry& registry) {
  for (const std::string& error : registry.load_errors()) {
    std::fprintf(stderr, "warning: %s\n", error.c_str());
  }
}

int ListTools(const std::string& workspace_flag, bool json) {
  Result<std::string> workspace = workspace::FindWorkspaceDir(workspace_flag);
  if (!workspace.ok()) return Fail("list", workspace.status(), kExitUsage);
  tools::ToolRegistry registry =
      tools::LoadToolRegistry({tools::ApplicationDir(), *workspace});
  PrintLoadErrors(registry);
  Json list = Json::array();
  for (const auto& tool : registry.List()) {
    const tools::ToolSpec& spec = tool->spec();
    if (json) {
      list.push_back({{"name", spec.name},
                      {"description", spec.description},
                      {"read_only", spec.read_only},
                      {"concurrency_safe", spec.concurrency_safe},
                      {"capabilities", tools::CapabilityNames(spec.capabilities)},
                      {"input_schema", spec.input_schema}});
      continue;
    }
    std::string summary = spec.description.substr(0, spec.description.find('\n'));
    if (summary.size() > 70) summary = summary.substr(0, 67) + "...";
    std::string flags = spec.read_only ? "read-only" : "writes";
    for (const std::string& c : tools::CapabilityNames(spec.capabilities)) {
      if (c == "network") flags += ", network";
    }
    std::printf("%-10s %-19s %s\n", spec.name.c_str(), flags.c_str(),
                summary.c_str());
  }
  if (json) std::printf("%s\n", list.dump(2).c_str());
  return 0;
}

// Reads the user's and the project's configs and the flags into the
// permission engine's mode and rules, and the sandbox settings.
Status LoadSettings(const ToolRunFlags& flags, const std::string& workspace_dir,
                    const std::string& work_dir,
                    tools::MergedPermissions* permissions,
                    sandbox::SandboxConfig* sandbox_config) {
  tools::PermissionConfig user, project, command_line;
  std::error_code ec;
  std::string user_config = workspace::UserConfigPath(workspace_dir);
  if (std::filesystem::exists(user_config, ec)) {
    Result<tools::PermissionConfig> loaded =
        tools::LoadPermissionsFile(user_config, tools::RuleSource::kUser);
    if (!loaded.ok()) return loaded.status();
    user = std::move(*loaded);
    BOXAGNTS_RETURN_IF_ERROR(
        sandbox::LoadSandboxConfigFile(user_config, sandbox_config));
  }
  std::string project_config = workspace::ProjectConfigPath(work_dir);
  if (std::filesystem::exists(project_config, ec)) {
    Result<tools::PermissionConfig> loaded = tools::LoadPermissionsFile(
        project_config, tools::RuleSource::kWorkspace);
    if (!loaded.ok()) return loaded.status();
    project = std::move(*loaded);
  }
  for (auto [texts, list] :
       {std::pair{&flags.allow, &command_line.rules.allow},
        std::pair{&flags.ask, &command_line.rules.ask},
        std::pair{&flags.deny, &command_line.rules.deny}}) {
    Result<std::vector<tools::PermissionRule>> rules =
        tools::ParsePermissionRules(*texts, tools::RuleSource::kCommandLine);
    if (!rules.ok()) return rules.status();
    *list = std::move(*rules);
  }
  if (!flags.mode.empty()) {
    Result<tools::PermissionMode> mode = tools::ParsePermissionMode(flags.mode);
    if (!mode.ok()) return mode.status().WithPrefix("--permission-mode");
    command_line.default_mode = *mode;
  }
  bool trusted = workspace::IsProjectTrusted(workspace_dir, work_dir);
  *permissions = tools::MergePermissions(user, project, trusted, command_line);
  if (permissions->ignored_workspace_settings > 0) {
    std::fprintf(stderr,
                 "warning: %zu permission setting(s) in %s are ignored until "
                 "the project is trusted (--trust-project)\n",
                 permissions->ignored_workspace_settings,
                 project_config.c_str());
  }
  return Status::Ok();
}

int RunTool(const ToolRunFlags& flags) {
  Result<Json> input = ParseJson(flags.input, "--input");
  if (!input.ok()) return Fail("run", input.status(), kExitUsage);
  std::error_code ec;
  std::string work_dir_flag = flags.work_dir.empty()
                                  ? std::filesystem::current_path(ec).string()
                                  : flags.work_dir;
  std::string work_dir = std::filesystem::canonical(work_dir_flag, ec).string();
  if (ec || !std::filesystem::is_directory(work_dir)) {
    return Fail("run",
                Status::InvalidArgument("work dir \"" + work_dir_flag +
                                        "\" is not an existing directory"),
                kExitUsage);
  }
  Result<std::string> workspace_dir =
      workspace::FindWorkspaceDir(flags.workspace_dir);
  if (!workspace_dir.ok()) return Fail("run", workspace_dir.status(), kExitUsage);
  Status ensured = workspace::EnsureWorkspaceDir(*workspace_dir);
  if (!ensured.ok()) return Fail("run", ensured, kExitUsage);
  if (flags.trust_project) {
    Status trusted = workspace::TrustProject(*workspace_dir, work_dir);
    if (!trusted.ok()) return Fail("run", trusted, 1);
  }

  tools::MergedPermissions permissions;
  sandbox::SandboxConfig sandbox_config;
  sandbox_config.network.allowed_outbound_hosts = {"https://*"};
  Status settings = LoadSettings(flags, *workspace_dir, work_dir, &permissions,
                                 &sandbox_config);
  if (!settings.ok()) return Fail("run", settings, kExitUsage);

  tools::ToolRegistry registry =
      tools::LoadToolRegistry({tools::ApplicationDir(), *workspace_dir});
  PrintLoadErrors(registry);
  tools::PermissionEngine engine(permissions.mode, permissions.rules);
  std::unique_ptr<tools::ApprovalHandler> approval = MakeApprovalHandler();
  Result<std::unique_ptr<tools::JsonlAuditLog>> audit =
      tools::JsonlAuditLog::Open(*workspace_dir + "/audit.jsonl");
  if (!audit.ok()) return Fail("run", audit.status(), 1);
  tools::PermissionGate gate(&engine, approval.get(), audit->get());
  tools::ToolExecutor executor(&registry, &gate);

  tools::ToolContext context;
  context.work_dir = work_dir;
  context.map_dirs = sandbox_config.map_dirs;
  context.limits = sandbox_config.limits;
  context.network = sandbox_config.network;
  context.session_id = "cli";
  context.call_id = "call-" + std::to_string(getpid());

  static CancellationSource interrupt;
  CancelOnInterrupt(&interrupt);
  tools::ToolCallOutcome outcome =
      executor.Call(flags.name, *input, context, interrupt.token());

  if (flags.json) {
    Json permission = nullptr;
    if (outcome.permission) {
      permission = {
          {"decision", tools::DecisionName(outcome.permission->decision)},
          {"rule", outcome.permission->check.MatchedRuleText()},
          {"decided_by", tools::DecidedByName(outcome.permission->decided_by)}};
    }
    Json out = {{"content", outcome.result.content},
                {"is_error", outcome.result.is_error},
                {"metadata", outcome.result.metadata},
                {"permission", permission}};
    std::printf("%s\n",
                out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::FILE* stream = outcome.result.is_error ? stderr : stdout;
    std::fprintf(stream, "%s", outcome.result.content.c_str());
    if (!outcome.result.content.empty() && outcome.result.content.back() != '\n') {
      std::fputc('\n', stream);
    }
  }
  return outcome.result.is_error ? 1 : 0;
}

}  // namespace

std::unique_ptr<tools::ApprovalHandler> MakeApprovalHandler() {
  if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
    auto terminal = tools::TerminalApprovalHandler::Open();
    if (terminal.ok()) return std::move(*terminal);
  }
  return std::make_unique<tools::HeadlessApprovalHandler>();
}

void AddToolCommand(CLI::App& app, int* exit_code) {
  CLI::App* tool = app.add_subcommand("tool", "List and run tools");
  tool->require_subcommand(1);

  CLI::App* list = tool->add_subcommand("list", "List the available tools");
  auto list_workspace = std::make_shared<std::string>();
  auto list_json = std::make_shared<bool>(false);
  list->add_option("--workspace-dir", *list_workspace,
                   "Workspace folder (default ~/.boxagnts)");
  list->add_flag("--json", *list_json, "Print the tools as JSON");
  list->callback([=] { *exit_code = ListTools(*list_workspace, *list_json); });

  CLI::App* run = tool->add_subcommand(
      "run", "Run one tool call through validation, permissions and the "
             "sandbox");
  auto flags = std::make_shared<ToolRunFlags>();
  run->add_option("name", flags->name, "Tool name, such as Read")->required();
  run->add_option("--input", flags->input, "Tool input as a JSON object")
      ->required();
  run->add_option("--work-dir", flags->work_dir,
                  "Directory the tool works in (default: the current one)");
  run->add_option("--workspace-dir", flags->workspace_dir,
                  "Workspace folder (default ~/.boxagnts)");
  Repeatable(run->add_option("--allow", flags->allow,
                             "Allow rule, such as 'Edit(src/**)'; repeatable"));
  Repeatable(run->add_option("--ask", flags->ask, "Ask rule; repeatable"));
  Repeatable(run->add_option("--deny", flags->deny, "Deny rule; repeatable"));
  run->add_option("--permission-mode", flags->mode,
                  "default, acceptEdits, plan or bypassPermissions");
  run->add_flag("--trust-project", flags->trust_project,
                "Trust the work dir, so its .boxagnts/config.toml applies");
  run->add_flag("--json", flags->json,
                "Print content, is_error, metadata and permission as JSON");
  run->callback([flags, exit_code] { *exit_code = RunTool(*flags); });
}

}  // namespace boxagnts::cli
