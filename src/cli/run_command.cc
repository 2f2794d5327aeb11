// `boxagnts run "PROMPT"`: a task for an agent, run by the governed query
// loop in the sandbox, kept in the workspace's session store.


#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/commands.h"
#include "cli/run_output.h"
#include "cli/signals.h"
#include "query/agent_session.h"

namespace boxagnts::cli {

namespace {

struct RunFlags {
  std::string prompt;
  std::string model;
  std::string work_dir;
  std::string workspace_dir;
  std::optional<int> max_turns;
  std::optional<double> max_budget_usd;
  std::string permission_mode;
  std::vector<std::string> allow, ask, deny;
  std::string resume;
  bool continue_latest = false;
  bool fork = false;
  std::string output_format = "text";
  std::string record;
  bool trust_project = false;
  bool managed = false;
  std::string executor_model;
  std::optional<int> max_concurrent_executors;
  std::optional<double> total_budget_usd;
};

int Fail(const Status& status, int code) {
  std::fprintf(stderr, "boxagnts run: %s\n", status.message().c_str());
  return code;
}

int Run(RunFlags flags) {
  Result<OutputFormat> format = ParseOutputFormat(flags.output_format);
  if (!format.ok()) return Fail(format.status(), kExitUsage);
  if (!flags.resume.empty() && flags.continue_latest) {
    return Fail(Status::InvalidArgument(
                    "--resume and --continue exclude each other; use one"),
                kExitUsage);
  }
  if (flags.fork && flags.resume.empty() && !flags.continue_latest) {
    return Fail(Status::InvalidArgument(
                    "--fork-session needs --resume ID or --continue"),
                kExitUsage);
  }
  if (flags.prompt == "-") {
    flags.prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
  }
  if (flags.prompt.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Fail(Status::InvalidArgument(
                    "the prompt is empty; give the task as the last "
                    "argument, or - to read it from stdin"),
                kExitUsage);
  }
  static CancellationSource interrupt;
  CancelOnInterrupt(&interrupt);

  query::SessionOptions options;
  options.workspace_dir = flags.workspace_dir;
  options.work_dir = flags.work_dir;
  options.model = flags.model;
  options.max_turns = flags.max_turns;
  options.max_budget_usd = flags.max_budget_usd;
  options.permission_mode = flags.permission_mode;
  options.allow = flags.allow;
  options.ask = flags.ask;
  options.deny = flags.deny;
  options.resume_id = flags.resume;
  options.continue_latest = flags.continue_latest;
  options.fork = flags.fork;
  options.record_path = flags.record;
  options.trust_project = flags.trust_project;
  options.managed = flags.managed;
  options.executor_model = flags.executor_model;
  options.max_concurrent_executors = flags.max_concurrent_executors;
  options.total_budget_usd = flags.total_budget_usd;
  if (!flags.managed &&
      (!flags.executor_model.empty() || flags.max_concurrent_executors ||
       flags.total_budget_usd)) {
    return Fail(Status::InvalidArgument(
                    "--executor-model, --max-concurrent-executors and "
                    "--total-budget-usd need --managed"),
                kExitUsage);
  }
  options.approval = MakeApprovalHandler();
  Result<std::unique_ptr<query::AgentSession>> session =
      query::AgentSession::Open(std::move(options));
  if (!session.ok()) {
    StatusCode code = session.status().code();
    bool usage = code == StatusCode::kInvalidArgument ||
                 code == StatusCode::kNotFound;
    return Fail(session.status(), usage ? kExitUsage : kExitError);
  }
  for (const std::string& warning : (*session)->warnings()) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  RunPrinter printer(*format, stdout, stderr);
  auto started = std::chrono::steady_clock::now();
  query::QueryResult result =
      (*session)->Run(flags.prompt, &printer, interrupt.token());
  int64_t duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  printer.PrintResult(result, (*session)->session_id(), duration_ms);
  return ExitCodeFor(result);
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  CLI::App* run = app.add_subcommand(
      "run", "Run a task with an agent: a model plans, tools act in the "
             "sandbox, the runtime keeps the limits");
  auto flags = std::make_shared<RunFlags>();
  run->add_option("prompt", flags->prompt, "The task; - reads it from stdin")
      ->required();
  run->add_option("--model", flags->model,
                  "Model id provider/model (default: [agent] model), or "
                  "replay/FILE");
  run->add_option("--work-dir", flags->work_dir,
                  "Directory the agent works in (default: the current one)");
  run->add_option("--workspace-dir", flags->workspace_dir,
                  "Workspace folder (default ~/.boxagnts)");
  run->add_option("--max-turns", flags->max_turns,
                  "Max model calls in this run (default 100)");
  run->add_option("--max-budget-usd", flags->max_budget_usd,
                  "Max USD the session may spend; never overshot");
  run->add_option("--permission-mode", flags->permission_mode,
                  "default, acceptEdits, plan or bypassPermissions");
  Repeatable(run->add_option("--allow", flags->allow,
                             "Allow rule, such as 'Edit(src/**)'; repeatable"));
  Repeatable(run->add_option("--ask", flags->ask, "Ask rule; repeatable"));
  Repeatable(run->add_option("--deny", flags->deny, "Deny rule; repeatable"));
  run->add_option("--resume", flags->resume,
                  "Continue the session with this id (or unique prefix)");
  run->add_flag("--continue", flags->continue_latest,
                "Continue the latest session of the work dir");
  run->add_flag("--fork-session", flags->fork,
                "With --resume/--continue: continue in a new session");
  run->add_option("--output-format", flags->output_format,
                  "text (default), json or stream-json");
  run->add_option("--record", flags->record,
                  "Record every model exchange to FILE (replay/FILE plays "
                  "it back)");
  run->add_flag("--trust-project", flags->trust_project,
                "Trust the work dir, so its .boxagnts/config.toml applies");
  run->add_flag("--managed", flags->managed,
                "Managed mode: the model delegates tasks to parallel "
                "executor agents through the Agent tool");
  run->add_option("--executor-model", flags->executor_model,
                  "Model of the executors (default: the session's)");
  run->add_option("--max-concurrent-executors",
                  flags->max_concurrent_executors,
                  "Executors running at once (default 4); the rest queue");
  run->add_option("--total-budget-usd", flags->total_budget_usd,
                  "Max USD the manager and all executors together may spend");
  run->callback([=] { *exit_code = Run(*flags); });
}

}  // namespace boxagnts::cli
