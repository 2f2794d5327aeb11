// One tool call through every step, in order: look up the tool, validate
// its input against the JSON Schema, ask the permission gate, run it, and
// shorten a result that is too large.
//
// Thread safety: Call may run on several threads at once when the
// registry is no longer changed and the gate's parts are thread-safe.

#ifndef BOXAGNTS_TOOLS_TOOL_EXECUTOR_H_
#define BOXAGNTS_TOOLS_TOOL_EXECUTOR_H_

#include <optional>
#include <string>

#include "tools/permission_gate.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "tools/truncate.h"

namespace boxagnts::tools {

struct ToolCallOutcome {
  ToolResult result;
  // Set once the call reached the permission step.
  std::optional<PermissionOutcome> permission;
  bool executed = false;  // the tool ran
};

class ToolExecutor {
 public:
  // Borrows `registry` and `gate`; both must outlive the executor.
  ToolExecutor(const ToolRegistry* registry, PermissionGate* gate,
               uint64_t max_result_bytes = kDefaultMaxResultBytes)
      : registry_(registry), gate_(gate), max_result_bytes_(max_result_bytes) {}

  // Never fails: every problem becomes an error result for the model,
  // naming the tool, the field or the rule.
  ToolCallOutcome Call(const std::string& name, const Json& input,
                       const ToolContext& context,
                       const CancellationToken& cancel);

 private:
  const ToolRegistry* const registry_;
  PermissionGate* const gate_;
  const uint64_t max_result_bytes_;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_TOOL_EXECUTOR_H_
