#include "tools/permission_types.h"

namespace boxagnts::tools {

std::string_view PermissionModeName(PermissionMode mode) {
  switch (mode) {
    case PermissionMode::kDefault:
      return "default";
    case PermissionMode::kAcceptEdits:
      return "acceptEdits";
    case PermissionMode::kPlan:
      return "plan";
    case PermissionMode::kBypassPermissions:
      return "bypassPermissions";
  }
  return "default";
}

Result<PermissionMode> ParsePermissionMode(std::string_view name) {
  for (PermissionMode mode :
       {PermissionMode::kDefault, PermissionMode::kAcceptEdits,
        PermissionMode::kPlan, PermissionMode::kBypassPermissions}) {
    if (name == PermissionModeName(mode)) return mode;
  }
  return Status::InvalidArgument(
      "unknown permission mode \"" + std::string(name) +
      "\": use default, acceptEdits, plan or bypassPermissions (spelled "
      "exactly so)");
}

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "allow";
    case Decision::kAsk:
      return "ask";
    case Decision::kDeny:
      return "deny";
  }
  return "deny";
}

std::string_view RuleSourceId(RuleSource source) {
  switch (source) {
    case RuleSource::kUser:
      return "user";
    case RuleSource::kWorkspace:
      return "workspace";
    case RuleSource::kCommandLine:
      return "command_line";
    case RuleSource::kSession:
      return "session";
  }
  return "user";
}

std::string_view RuleSourceDescription(RuleSource source) {
  switch (source) {
    case RuleSource::kUser:
      return "user config";
    case RuleSource::kWorkspace:
      return "workspace config";
    case RuleSource::kCommandLine:
      return "command line";
    case RuleSource::kSession:
      return "session";
  }
  return "user config";
}

std::string_view DecidedByName(DecidedBy decided_by) {
  switch (decided_by) {
    case DecidedBy::kRule:
      return "rule";
    case DecidedBy::kMode:
      return "mode";
    case DecidedBy::kInvalidInput:
      return "invalid_input";
    case DecidedBy::kApprovalHandler:
      return "approval_handler";
  }
  return "rule";
}

}  // namespace boxagnts::tools
