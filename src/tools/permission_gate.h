// The permission step of a tool call: check, ask when needed, audit.
//
// The tool layer calls Authorize after schema validation and runs the call
// only when it returns an outcome with `allowed` set.

#ifndef BOXAGNTS_TOOLS_PERMISSION_GATE_H_
#define BOXAGNTS_TOOLS_PERMISSION_GATE_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/cancellation.h"
#include "core/json.h"
#include "core/status.h"
#include "tools/approval.h"
#include "tools/audit_log.h"
#include "tools/permission_engine.h"
#include "tools/tool.h"

namespace boxagnts::tools {

struct PermissionOutcome {
  bool allowed = false;
  Decision decision = Decision::kDeny;  // final: kAllow or kDeny
  PermissionCheck check;                // the engine's result
  DecidedBy decided_by = DecidedBy::kMode;
  std::string reason;  // for the model when denied
};

class PermissionGate {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // The gate borrows all three; they must outlive it.
  PermissionGate(PermissionEngine* engine, ApprovalHandler* approval,
                 AuditLog* audit,
                 Clock clock = &std::chrono::system_clock::now);

  // Checks the call of `spec` with `input` in context.work_dir. On kAsk it
  // asks the approval handler; "allow always" adds the check's
  // always_allow_rules to the engine as session rules. A handler error
  // (cancelled, terminal failure) denies. Records one audit entry with
  // context.session_id and context.call_id.
  // Errors: the audit log's error when the entry cannot be written; the
  // call must then not run. Thread-safe when the handler and log are.
  Result<PermissionOutcome> Authorize(const ToolSpec& spec, const Json& input,
                                      const ToolContext& context,
                                      const CancellationToken& cancel);

 private:
  PermissionEngine* const engine_;
  ApprovalHandler* const approval_;
  AuditLog* const audit_;
  const Clock clock_;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_GATE_H_
