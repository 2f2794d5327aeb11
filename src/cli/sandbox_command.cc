// `boxagnts sandbox run`: runs one WASI module under the sandbox's limits.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/async_writer.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "core/files.h"
#include "core/json.h"
#include "core/units.h"
#include "sandbox/config.h"
#include "sandbox/net_broker.h"
#include "sandbox/net_policy.h"
#include "sandbox/sandbox.h"

namespace boxagnts::cli {

namespace {

// Exit codes of `sandbox run` besides the guest's own.
constexpr int kExitTrap = 125;     // a limit or trap ended the run
constexpr int kExitNoStart = 126;  // the module could not be run at all

struct SandboxRunFlags {
  std::string module;
  std::vector<std::string> args;
  std::string config;
  std::string fuel, timeout, max_memory, max_stack;
  std::string work_dir;
  std::vector<std::string> dirs, allow_hosts, block_networks, block_urls;
  std::vector<std::string> env;
  std::string stdin_file;
  bool json = false;
};

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n <= 0) return;  // the reader went away; keep the run going
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

int UsageError(const Status& status) {
  std::fprintf(stderr, "boxagnts sandbox run: %s\n", status.message().c_str());
  return kExitUsage;
}

// Applies the config file and then the flags, which win over the file.
Status BuildConfig(const SandboxRunFlags& flags,
                   sandbox::SandboxConfig* config) {
  if (!flags.config.empty()) {
    BOXAGNTS_RETURN_IF_ERROR(
        sandbox::LoadSandboxConfigFile(flags.config, config));
  }
  sandbox::SandboxLimits& limits = config->limits;
  auto set = [](const std::string& text, const char* flag, auto parse,
                uint64_t* field) -> Status {
    if (text.empty()) return Status::Ok();
    Result<uint64_t> value = parse(text);
    if (!value.ok()) return value.status().WithPrefix(flag);
    *field = *value;
    return Status::Ok();
  };
  auto bytes = [](const std::string& t) { return ParseByteSize(t); };
  BOXAGNTS_RETURN_IF_ERROR(set(flags.fuel, "--fuel", ParseUint64, &limits.fuel));
  BOXAGNTS_RETURN_IF_ERROR(
      set(flags.timeout, "--timeout", ParseDurationMs, &limits.timeout_ms));
  BOXAGNTS_RETURN_IF_ERROR(
      set(flags.max_memory, "--max-memory", bytes, &limits.max_memory_bytes));
  BOXAGNTS_RETURN_IF_ERROR(set(flags.max_stack, "--max-stack", bytes,
                               &limits.max_wasm_stack_bytes));
  BOXAGNTS_RETURN_IF_ERROR(sandbox::ValidateLimits(limits));

  if (!flags.work_dir.empty()) config->work_dir = flags.work_dir;
  for (const std::string& spec : flags.dirs) {
    Result<sandbox::Mount> mount = sandbox::ParseMapDir(spec);
    if (!mount.ok()) return mount.status().WithPrefix("--dir");
    config->map_dirs.push_back(*mount);
  }
  sandbox::NetworkPolicyConfig& network = config->network;
  for (const std::string& host : flags.allow_hosts) {
    network.allowed_outbound_hosts.push_back(host);
  }
  // --block-network adds to the configured list, or to the default one.
  if (!flags.block_networks.empty()) {
    if (!network.block_networks) {
      network.block_networks = sandbox::DefaultBlockNetworks();
    }
    for (const std::string& cidr : flags.block_networks) {
      network.block_networks->push_back(cidr);
    }
  }
  for (const std::string& prefix : flags.block_urls) {
    network.block_url.push_back(prefix);
  }
  return Status::Ok();
}

Status BuildRequest(const SandboxRunFlags& flags,
                    const sandbox::SandboxConfig& config,
                    sandbox::RunRequest* request) {
  request->limits = config.limits;
  request->program_name = flags.module;
  request->args = flags.args;
  for (const std::string& entry : flags.env) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--env \"" + entry +
                                     "\": expected NAME=VALUE");
    }
    request->env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  if (!flags.stdin_file.empty()) {
    Result<std::string> input = ReadFileToString(
        flags.stdin_file == "-" ? "/dev/stdin" : flags.stdin_file);
    if (!input.ok()) return input.status().WithPrefix("--stdin");
    request->stdin_bytes = std::move(*input);
  }
  Result<std::vector<sandbox::Mount>> mounts =
      sandbox::ResolveMounts(config.work_dir, config.map_dirs);
  if (!mounts.ok()) return mounts.status();
  request->mounts = std::move(*mounts);

  Result<sandbox::NetworkPolicy> policy =
      sandbox::NetworkPolicy::Create(config.network);
  if (!policy.ok()) return policy.status();
  if (policy->AllowsAnyNetwork()) {
    request->network = std::make_shared<sandbox::NetworkBroker>(
        std::move(*policy), sandbox::NetworkLimits{},
        sandbox::SystemResolver());
  }
  return Status::Ok();
}

Json OutcomeToJson(const sandbox::RunOutcome& outcome) {
  Json json;
  json["exit_code"] = outcome.exit_code ? Json(*outcome.exit_code) : Json();
  std::string_view trap = sandbox::TrapKindName(outcome.trap);
  json["trap"] = trap.empty() ? Json() : Json(trap);
  json["message"] = outcome.message;
  json["fuel_consumed"] = outcome.fuel_consumed;
  json["wall_ms"] = static_cast<double>(outcome.wall_us) / 1000.0;
  json["peak_memory_bytes"] = outcome.peak_memory_bytes;
  json["stdout"] = outcome.stdout_bytes;
  json["stderr"] = outcome.stderr_bytes;
  json["stdout_truncated"] = outcome.stdout_truncated;
  json["stderr_truncated"] = outcome.stderr_truncated;
  return json;
}

int RunSandbox(const SandboxRunFlags& flags) {
  sandbox::SandboxConfig config;
  Status status = BuildConfig(flags, &config);
  if (!status.ok()) return UsageError(status);
  sandbox::RunRequest request;
  status = BuildRequest(flags, config, &request);
  if (!status.ok()) return UsageError(status);

  static CancellationSource interrupt;
  CancelOnInterrupt(&interrupt);
  request.cancel = interrupt.token();
  // Guest output goes through writer threads, so a slow reader of this
  // command's output cannot hold the guest past its deadline. The
  // sandbox's output caps bound what they queue.
  std::optional<AsyncWriter> out_writer, err_writer;
  if (!flags.json) {
    out_writer.emplace(1);
    err_writer.emplace(2);
    request.stdout_sink = [&](std::string_view b) { out_writer->Write(b); };
    request.stderr_sink = [&](std::string_view b) { err_writer->Write(b); };
  }

  Result<sandbox::RunOutcome> outcome = sandbox::Sandbox::Default().Run(
      sandbox::ModuleSource::File(flags.module), request);
  if (!outcome.ok()) {
    std::fprintf(stderr, "boxagnts sandbox run: %s\n",
                 outcome.status().message().c_str());
    return kExitNoStart;
  }
  // Flush the guest's output before the command's own lines.
  out_writer.reset();
  err_writer.reset();
  if (flags.json) {
    std::string text =
        OutcomeToJson(*outcome).dump(-1, ' ', false,
                                     Json::error_handler_t::replace);
    text += '\n';
    WriteAll(1, text);
  } else {
    if (outcome->stdout_truncated) {
      std::fprintf(stderr,
                   "boxagnts: stdout truncated at %llu bytes "
                   "(max_stdout_bytes)\n",
                   static_cast<unsigned long long>(config.limits.max_stdout_bytes));
    }
    if (outcome->stderr_truncated) {
      std::fprintf(stderr,
                   "boxagnts: stderr truncated at %llu bytes "
                   "(max_stderr_bytes)\n",
                   static_cast<unsigned long long>(config.limits.max_stderr_bytes));
    }
  }
  if (!flags.json && outcome->trap != sandbox::TrapKind::kNone) {
    std::fprintf(stderr, "boxagnts: %s: %s\n",
                 std::string(sandbox::TrapKindName(outcome->trap)).c_str(),
                 outcome->message.c_str());
  }
  if (outcome->trap != sandbox::TrapKind::kNone) return kExitTrap;
  return *outcome->exit_code & 0xff;
}

}  // namespace

void AddSandboxCommand(CLI::App& app, int* exit_code) {
  CLI::App* sandbox = app.add_subcommand(
      "sandbox", "Run WebAssembly modules in the governed sandbox");
  sandbox->require_subcommand(1);
  CLI::App* run = sandbox->add_subcommand(
      "run", "Run a WASI preview 1 command module under limits");
  auto flags = std::make_shared<SandboxRunFlags>();
  run->add_option("module", flags->module, "The .wasm (or .wat) module to run")
      ->required();
  run->add_option("args", flags->args, "Arguments for the guest (after --)");
  run->add_option("--config", flags->config,
                  "TOML file whose [sandbox] table sets defaults");
  run->add_option("--fuel", flags->fuel,
                  "Instructions the guest may execute (wasm_fuel)");
  run->add_option("--timeout", flags->timeout,
                  "Wall-clock limit in seconds, or with ms/s/m/h "
                  "(wasm_timeout)");
  run->add_option("--max-memory", flags->max_memory,
                  "Linear memory limit in bytes, K/M/G suffixes allowed "
                  "(wasm_max_memory_size)");
  run->add_option("--max-stack", flags->max_stack,
                  "WebAssembly stack limit in bytes, K/M/G suffixes allowed "
                  "(wasm_max_wasm_stack)");
  run->add_option("--work-dir", flags->work_dir,
                  "Directory mounted read-write at its own path");
  Repeatable(run->add_option("--dir", flags->dirs,
                  "Mount HOST[::GUEST][:ro]; repeatable (map_dirs)"));
  Repeatable(run->add_option("--allow-host", flags->allow_hosts,
                  "Allow outbound HTTP to scheme://host[:port]; repeatable "
                  "(allowed_outbound_hosts)"));
  Repeatable(run->add_option("--block-network", flags->block_networks,
                  "Block a CIDR in addition to the default list; "
                  "repeatable (block_networks)"));
  Repeatable(run->add_option("--block-url", flags->block_urls,
                  "Block URLs starting with this prefix; repeatable "
                  "(block_url)"));
  Repeatable(run->add_option("--env", flags->env, "Set NAME=VALUE in the guest; "
                                       "repeatable"));
  run->add_option("--stdin", flags->stdin_file,
                  "File whose bytes are the guest's stdin (- for this "
                  "process's stdin); default: empty");
  run->add_flag("--json", flags->json,
                "Print the outcome as one JSON object instead of passing "
                "output through");
  run->callback([flags, exit_code] { *exit_code = RunSandbox(*flags); });
}

}  // namespace boxagnts::cli
