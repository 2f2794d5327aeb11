// The JSON object a hook may print on stdout when it exits with 0.
//
//   {"decision": "block" | "approve",
//    "reason": "text for the model or the user",
//    "updated_input": {...},            // PreToolUse: the new tool input
//    "additional_context": "text for the model"}
//
// Claude Code's form for PreToolUse is accepted too:
//
//   {"hookSpecificOutput": {"permissionDecision": "deny" | "allow" | "ask",
//                           "permissionDecisionReason": "...",
//                           "updatedInput": {...},
//                           "additionalContext": "..."}}
//
// "deny" means block. "allow" and "ask" never grant a permission: the
// permission rules still decide, so they mean only "do not block". Every
// field is optional and other keys are ignored, but a present field of the
// wrong type or value makes the whole output invalid.

#ifndef BOXAGNTS_QUERY_HOOK_OUTPUT_H_
#define BOXAGNTS_QUERY_HOOK_OUTPUT_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace boxagnts::query {

// A decision in a hook's output.
enum class HookDecision { kNone, kApprove, kBlock };

// The requests in a hook's stdout.
struct HookReply {
  HookDecision decision = HookDecision::kNone;
  std::string reason;
  std::optional<Json> updated_input;  // always a JSON object when set
  std::string additional_context;
};

// Parses the stdout of a hook that exited with 0. Empty or all-whitespace
// text is an empty reply. Anything else must be one JSON object of the
// form above. Otherwise the error (InvalidArgument) names the field and
// what was expected, or gives the JSON parser's position and reason.
Result<HookReply> ParseHookReply(std::string_view stdout_text);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_HOOK_OUTPUT_H_
