#include "tools/permission_gate.h"

#include "core/log.h"

namespace boxagnts::tools {
namespace {

// Settles an "ask" with the handler's response.
void ApplyResponse(const Result<ApprovalResponse>& response,
                   PermissionEngine* engine, PermissionOutcome* outcome) {
  std::string asked_because = " (asked because " + outcome->check.reason + ")";
  if (!response.ok()) {
    outcome->decision = Decision::kDeny;
    outcome->reason = "approval failed: " + response.status().message() +
                      asked_because;
    return;
  }
  switch (response->choice) {
    case ApprovalChoice::kAllowOnce:
      outcome->decision = Decision::kAllow;
      outcome->reason = response->reason + asked_because;
      return;
    case ApprovalChoice::kAllowAlways: {
      outcome->decision = Decision::kAllow;
      std::string added;
      for (const PermissionRule& rule : outcome->check.always_allow_rules) {
        engine->AddSessionRule(rule);
        added += (added.empty() ? "" : ", ") + rule.text;
      }
      outcome->reason = response->reason + asked_because +
                        "; added session rule " + added;
      return;
    }
    case ApprovalChoice::kDeny:
      outcome->decision = Decision::kDeny;
      outcome->reason = response->reason + asked_because;
      return;
  }
}

}  // namespace

PermissionGate::PermissionGate(PermissionEngine* engine,
                               ApprovalHandler* approval, AuditLog* audit,
                               Clock clock)
    : engine_(engine),
      approval_(approval),
      audit_(audit),
      clock_(std::move(clock)) {}

Result<PermissionOutcome> PermissionGate::Authorize(
    const ToolSpec& spec, const Json& input, const ToolContext& context,
    const CancellationToken& cancel) {
  PermissionOutcome outcome;
  outcome.check = engine_->Check(spec, input, context.work_dir);
  outcome.decided_by = outcome.check.decided_by;
  outcome.reason = outcome.check.reason;
  outcome.decision = outcome.check.decision == Decision::kAllow
                         ? Decision::kAllow
                         : Decision::kDeny;

  std::string handler_name;
  if (outcome.check.decision == Decision::kAsk) {
    handler_name = approval_->name();
    outcome.decided_by = DecidedBy::kApprovalHandler;
    ApprovalRequest request{context.session_id, context.call_id, spec.name,
                            input, outcome.check};
    Result<ApprovalResponse> response =
        approval_->RequestApproval(request, cancel);
    if (!response.ok()) {
      spdlog::warn("approval failed session={} call={} tool={}: {}",
                   context.session_id, context.call_id, spec.name,
                   response.status().ToString());
    }
    ApplyResponse(response, engine_, &outcome);
  }
  outcome.allowed = outcome.decision == Decision::kAllow;

  AuditEntry entry;
  entry.time = FormatUtcTimestampMs(clock_());
  entry.session_id = context.session_id;
  entry.call_id = context.call_id;
  entry.tool = spec.name;
  entry.input_sha256 = InputDigest(input);
  entry.matched_rule = outcome.check.MatchedRuleText();
  if (outcome.check.rule) entry.rule_source = outcome.check.rule->source;
  entry.decision = outcome.decision;
  entry.decided_by = outcome.decided_by;
  entry.approval_handler = handler_name;
  entry.reason = outcome.reason;
  Status recorded = audit_->Record(entry);
  if (!recorded.ok()) {
    spdlog::error("audit failed, call not run session={} call={} tool={}: {}",
                  context.session_id, context.call_id, spec.name,
                  recorded.ToString());
    return recorded;
  }

  auto level = outcome.allowed ? spdlog::level::debug : spdlog::level::info;
  spdlog::log(level, "permission {} session={} call={} tool={}: {}",
              DecisionName(outcome.decision), context.session_id,
              context.call_id, spec.name, outcome.reason);
  return outcome;
}

}  // namespace boxagnts::tools
