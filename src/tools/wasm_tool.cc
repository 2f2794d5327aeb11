#include "tools/wasm_tool.h"

#include <chrono>

#include "core/log.h"
#include "sandbox/net_broker.h"

namespace boxagnts::tools {

namespace {

// Keeps the end of a guest's stderr for error messages.
std::string Tail(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return "..." + text.substr(text.size() - max_bytes);
}

}  // namespace

Result<sandbox::RunRequest> WasmTool::BuildRunRequest(
    const Json& input, const ToolContext& context,
    const CancellationToken& cancel) const {
  sandbox::RunRequest request;
  request.program_name = spec_.name;
  request.stdin_bytes = input.dump();
  request.env = {{"BOXAGNTS_WORK_DIR", context.work_dir}};
  request.limits = context.limits;
  request.cancel = cancel;
  request.run_id = context.call_id;

  Result<std::vector<sandbox::Mount>> mounts =
      sandbox::ResolveMounts(context.work_dir, context.map_dirs);
  if (!mounts.ok()) return mounts.status();
  if (spec_.read_only) {
    for (sandbox::Mount& mount : *mounts) mount.read_only = true;
  }
  request.mounts = std::move(*mounts);

  if (spec_.capabilities & kCapabilityNetwork) {
    Result<sandbox::NetworkPolicy> policy =
        sandbox::NetworkPolicy::Create(context.network);
    if (!policy.ok()) return policy.status();
    if (policy->AllowsAnyNetwork()) {
      request.network = std::make_shared<sandbox::NetworkBroker>(
          std::move(*policy), sandbox::NetworkLimits{}, context.resolver,
          context.call_id);
    }
  }
  return request;
}

ToolResult ResultFromOutcome(const std::string& tool_name,
                             const sandbox::RunOutcome& outcome) {
  std::string prefix = "tool " + tool_name + " ";
  if (outcome.trap != sandbox::TrapKind::kNone) {
    ToolResult result = ToolResult::Error(
        prefix + "stopped: " + std::string(TrapKindName(outcome.trap)) + ": " +
        outcome.message);
    result.metadata = {{"trap", TrapKindName(outcome.trap)}};
    return result;
  }
  if (outcome.exit_code != 0) {
    std::string message = prefix + "crashed with exit code " +
                          std::to_string(*outcome.exit_code);
    if (!outcome.stderr_bytes.empty()) {
      message += ": " + Tail(outcome.stderr_bytes, 2000);
    }
    return ToolResult::Error(message);
  }
  if (outcome.stdout_truncated) {
    return ToolResult::Error(prefix +
                             "printed more output than the sandbox keeps "
                             "(max_stdout_bytes); its result was lost");
  }
  Result<Json> json = ParseJson(outcome.stdout_bytes, "the output of " +
                                                          prefix.substr(5));
  if (!json.ok() || !json->is_object()) {
    return ToolResult::Error(prefix +
                             "returned malformed output: expected one JSON "
                             "object with content, is_error and metadata");
  }
  auto content = json->find("content");
  auto is_error = json->find("is_error");
  if (content == json->end() || !content->is_string()) {
    return ToolResult::Error(prefix +
                             "returned malformed output: \"content\" must be "
                             "a string");
  }
  if (is_error != json->end() && !is_error->is_boolean()) {
    return ToolResult::Error(prefix +
                             "returned malformed output: \"is_error\" must be "
                             "true or false");
  }
  ToolResult result;
  result.content = content->get<std::string>();
  result.is_error = is_error != json->end() && is_error->get<bool>();
  if (auto metadata = json->find("metadata");
      metadata != json->end() && metadata->is_object()) {
    result.metadata = *metadata;
  }
  return result;
}

ToolResult WasmTool::Execute(const Json& input, const ToolContext& context,
                             const CancellationToken& cancel) {
  Result<sandbox::RunRequest> request = BuildRunRequest(input, context, cancel);
  if (!request.ok()) {
    return ToolResult::Error("tool " + spec_.name + " could not start: " +
                             request.status().message());
  }
  sandbox::Sandbox& sandbox =
      context.sandbox != nullptr ? *context.sandbox : sandbox::Sandbox::Default();
  auto started = std::chrono::steady_clock::now();
  Result<sandbox::RunOutcome> outcome =
      sandbox.Run(sandbox::ModuleSource::File(module_path_), *request);
  int64_t run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  if (!outcome.ok()) {
    spdlog::error("session={} call={} tool={}: sandbox failed: {}",
                  context.session_id, context.call_id, spec_.name,
                  outcome.status().ToString());
    return ToolResult::Error("tool " + spec_.name + " could not run: " +
                             outcome.status().message());
  }
  ToolResult result = ResultFromOutcome(spec_.name, *outcome);
  // What the run cost, for logs and benchmarks; the model never sees it.
  if (result.metadata.is_object()) {
    result.metadata["sandbox"] = {{"run_us", run_us},
                                  {"fuel_consumed", outcome->fuel_consumed},
                                  {"peak_memory_bytes",
                                   outcome->peak_memory_bytes}};
  }
  return result;
}

}  // namespace boxagnts::tools
