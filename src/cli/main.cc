// Entry point of the `boxagnts` command.

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "core/log.h"

int main(int argc, char** argv) {
  // A reader that goes away (`| head`) must not kill a run in progress;
  // writes then fail with EPIPE and the output is dropped.
  std::signal(SIGPIPE, SIG_IGN);

  boxagnts::Status log_status = boxagnts::InitLoggingFromEnv();
  if (!log_status.ok()) {
    std::fprintf(stderr, "boxagnts: %s\n", log_status.message().c_str());
    return boxagnts::cli::kExitUsage;
  }

  CLI::App app{"boxagnts: a governed runtime for AI agents"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "boxagnts 0.1.0");

  int exit_code = 0;
  boxagnts::cli::AddRunCommand(app, &exit_code);
  boxagnts::cli::AddSessionsCommand(app, &exit_code);
  boxagnts::cli::AddDemoCommand(app, &exit_code);
  boxagnts::cli::AddSandboxCommand(app, &exit_code);
  boxagnts::cli::AddToolCommand(app, &exit_code);
  boxagnts::cli::AddModelsCommand(app, &exit_code);
  boxagnts::cli::AddAskCommand(app, &exit_code);
  boxagnts::cli::AddTestServerCommand(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : boxagnts::cli::kExitUsage;
  }
  return exit_code;
}
