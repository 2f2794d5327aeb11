// Subcommands of the `boxagnts` executable.
//
// Each Add*Command function registers one subcommand on `app`. When the
// subcommand runs, it stores the process exit code in `*exit_code`; the
// pointer stays valid for the life of `app`.

#ifndef BOXAGNTS_CLI_COMMANDS_H_
#define BOXAGNTS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <memory>

#include "tools/approval.h"

namespace boxagnts::cli {

// Exit code of a usage error (bad flag or value), as in most CLIs.
inline constexpr int kExitUsage = 2;

// Makes a vector option take one value per occurrence, so that
// `--dir A MODULE` leaves MODULE to the positional arguments.
inline CLI::Option* Repeatable(CLI::Option* option) {
  return option->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

// Returns the terminal prompt when stdin and stderr are terminals, else a
// handler that denies every "ask" (runs without a person to ask).
std::unique_ptr<tools::ApprovalHandler> MakeApprovalHandler();

void AddSandboxCommand(CLI::App& app, int* exit_code);
void AddToolCommand(CLI::App& app, int* exit_code);
void AddModelsCommand(CLI::App& app, int* exit_code);
void AddAskCommand(CLI::App& app, int* exit_code);
void AddTestServerCommand(CLI::App& app, int* exit_code);
void AddRunCommand(CLI::App& app, int* exit_code);
void AddSessionsCommand(CLI::App& app, int* exit_code);
void AddDemoCommand(CLI::App& app, int* exit_code);

}  // namespace boxagnts::cli

#endif  // BOXAGNTS_CLI_COMMANDS_H_
