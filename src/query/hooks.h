// Hooks: user-configured shell commands that the agent loop runs at fixed
// points, to check, change or block what happens there.
//
// The settings and their TOML form are in query/hook_config.h, the output
// a hook may print in query/hook_output.h, and how the process runs in
// query/hook_process.h. docs/hooks.md describes all of it for users.
//
// Payload. Each hook gets one JSON object on stdin, built by the caller;
// Run() adds "hook_event_name". The fields per event:
//
//   every event      session_id (string), cwd (string, the work dir),
//                    hook_event_name (string, such as "PreToolUse")
//   SessionStart     source: "startup" or "resume"
//   UserPromptSubmit prompt (string)
//   PreToolUse       tool_name (string), tool_input (object)
//   PostToolUse      tool_name, tool_input, and
//                    tool_response {content (string), is_error (bool)}
//   PreCompact       trigger: "auto" or "manual"
//   Stop             stop_reason (string, the provider's stop reason,
//                    such as "end_turn")
//
// Exit status. 0 is success and stdout may carry a JSON reply; 2 requests
// a block with stderr as the reason; any other code is a failure.
//
// Fail closed. A PreToolUse hook that fails in any way blocks the tool
// call, with a reason that names the command and what went wrong. Failing
// means another exit code, a timeout, cancellation, a crash, a process
// that cannot start, more than 1 MiB of stdout, or stdout that is neither
// empty nor a valid reply. For the other events a failure goes to
// HookOutcome::errors and changes nothing else.

#ifndef BOXAGNTS_QUERY_HOOKS_H_
#define BOXAGNTS_QUERY_HOOKS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancellation.h"
#include "core/json.h"
#include "query/hook_config.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace boxagnts::query {

// Cap on the reason or context text taken from one hook, in bytes; longer
// text keeps its head and tail around a marker.
inline constexpr uint64_t kMaxHookTextBytes = 10'000;

// The combined result of every hook that ran for one event.
struct HookOutcome {
  // PreToolUse: the call must not run. UserPromptSubmit: the prompt is
  // rejected. Stop: the loop goes on with `reason` as the next user turn.
  // Never set for the other events.
  bool block = false;
  std::string reason;  // why it was blocked, for the model or the user
  // PreToolUse only: the tool input after every hook's changes, set when
  // at least one hook changed it. Always a JSON object.
  std::optional<Json> updated_input;
  // SessionStart, UserPromptSubmit, PostToolUse: text to add for the
  // model, one paragraph per hook that supplied some. For PostToolUse this
  // includes the reason of a hook that requested a block, because the
  // call already ran and the model should see the objection.
  std::string additional_context;
  // Hooks that failed without blocking, one message each, naming the
  // command. The loop logs them.
  std::vector<std::string> errors;
};

// Runs the hooks of a HookConfig.
//
// Thread safety: Run() may be called from several threads at once.
class HookRunner {
 public:
  // `work_dir` is the hooks' working directory and BOXAGNTS_PROJECT_DIR.
  HookRunner(HookConfig config, std::string work_dir);

  // True when at least one command is configured for `event`, whatever
  // its matcher.
  bool HasHooks(HookEvent event) const;

  // Runs every command of `event` whose matcher accepts `tool_name` (only
  // PreToolUse and PostToolUse look at it), in config order, each with
  // `payload` plus "hook_event_name" on stdin and BOXAGNTS_HOOK_EVENT and
  // BOXAGNTS_PROJECT_DIR in its environment. The first hook that blocks
  // stops the chain. A PreToolUse hook that returns updated_input passes
  // the changed tool_input to the next hook. Once `cancel` is cancelled,
  // the running hook is killed and no further hook starts.
  // REQUIRES: payload is a JSON object (otherwise every hook counts as
  // failed, which blocks a PreToolUse call).
  HookOutcome Run(HookEvent event, const Json& payload,
                  std::string_view tool_name,
                  const CancellationToken& cancel) const;

 private:
  struct Entry {
    HookCommand command;
    std::shared_ptr<const re2::RE2> matcher;  // null: matches every tool
    std::string matcher_error;  // set when the pattern is invalid
  };

  std::string work_dir_;
  std::map<HookEvent, std::vector<Entry>> entries_;
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_HOOKS_H_
