#include "tools/tool_executor.h"

#include "core/log.h"

namespace boxagnts::tools {

ToolCallOutcome ToolExecutor::Call(const std::string& name, const Json& input,
                                   const ToolContext& context,
                                   const CancellationToken& cancel) {
  ToolCallOutcome outcome;
  std::shared_ptr<Tool> tool = registry_->Find(name);
  if (!tool) {
    std::string known;
    for (const auto& t : registry_->List()) {
      known += (known.empty() ? "" : ", ") + t->spec().name;
    }
    outcome.result =
        ToolResult::Error("unknown tool \"" + name + "\"; available: " + known);
    return outcome;
  }

  // Validation comes first, so neither the permission engine nor the tool
  // receives input that breaks the schema.
  Status valid = registry_->SchemaFor(name)->Validate(input);
  if (!valid.ok()) {
    outcome.result = ToolResult::Error("tool " + name + ": " + valid.message());
    return outcome;
  }

  Result<PermissionOutcome> permission =
      gate_->Authorize(tool->spec(), input, context, cancel);
  if (!permission.ok()) {
    spdlog::error("session={} call={} tool={}: permission step failed: {}",
                  context.session_id, context.call_id, name,
                  permission.status().ToString());
    outcome.result = ToolResult::Error("tool " + name +
                                       " was not run: the permission step "
                                       "failed: " +
                                       permission.status().message());
    return outcome;
  }
  outcome.permission = *permission;
  if (!permission->allowed) {
    outcome.result = ToolResult::Error("permission denied for " + name + ": " +
                                       permission->reason);
    return outcome;
  }
  if (cancel.IsCancelled()) {
    outcome.result = ToolResult::Error("tool " + name + " was cancelled");
    return outcome;
  }

  spdlog::debug("session={} call={} tool={} started", context.session_id,
                context.call_id, name);
  outcome.result = tool->Execute(input, context, cancel);
  outcome.executed = true;
  if (outcome.result.content.size() > max_result_bytes_) {
    outcome.result.metadata["truncated_from_bytes"] =
        outcome.result.content.size();
    outcome.result.content =
        TruncateHeadTail(outcome.result.content, max_result_bytes_);
  }
  spdlog::debug("session={} call={} tool={} finished: is_error={}",
                context.session_id, context.call_id, name,
                outcome.result.is_error);
  return outcome;
}

}  // namespace boxagnts::tools
