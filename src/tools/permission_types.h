// The values of the permission engine: modes, decisions and rule sources.
//
// A decision is an ordered value (allow < ask < deny). When several rules
// or several paths of one call give decisions, the strictest one wins, so
// combining them is a maximum.

#ifndef BOXAGNTS_TOOLS_PERMISSION_TYPES_H_
#define BOXAGNTS_TOOLS_PERMISSION_TYPES_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace boxagnts::tools {

// How the engine decides a call that no rule matches. The modes keep the
// names users type: default, acceptEdits, plan, bypassPermissions.
enum class PermissionMode {
  kDefault,            // reads inside the work dir run, the rest asks
  kAcceptEdits,        // as kDefault, and file edits inside the work dir run
  kPlan,               // reads as in kDefault, every other tool is denied
  kBypassPermissions,  // everything runs unless a deny or ask rule matches
};

enum class Decision { kAllow = 0, kAsk = 1, kDeny = 2 };

// Returns the stricter of two decisions.
inline Decision Strictest(Decision a, Decision b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// Origin of a rule. Listed in merge order.
enum class RuleSource {
  kUser,         // the user's config file
  kWorkspace,    // the workspace config file (only once trusted)
  kCommandLine,  // --allow, --ask and --deny flags
  kSession,      // "allow always" responses given while the session runs
};

// Origin of a decision, for the audit log.
enum class DecidedBy {
  kRule,             // an allow, ask or deny rule
  kMode,             // the permission mode, because no rule matched
  kInvalidInput,     // a path or URL in the input could not be checked
  kApprovalHandler,  // a person or program responded to an "ask"
};

// Returns the spelling users type, such as "acceptEdits".
std::string_view PermissionModeName(PermissionMode mode);

// Parses a mode name, spelled exactly as PermissionModeName returns it.
// Errors name the value and list the modes.
Result<PermissionMode> ParsePermissionMode(std::string_view name);

// Returns "allow", "ask" or "deny".
std::string_view DecisionName(Decision decision);

// Returns a short identifier: "user", "workspace", "command_line",
// "session". The audit log stores it.
std::string_view RuleSourceId(RuleSource source);

// Returns a phrase for messages: "user config", "workspace config",
// "command line", "session".
std::string_view RuleSourceDescription(RuleSource source);

// Returns "rule", "mode", "invalid_input" or "approval_handler".
std::string_view DecidedByName(DecidedBy decided_by);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_TYPES_H_
