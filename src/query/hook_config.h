// Hook settings: which shell commands run at which points of the agent
// loop.
//
// A config file lists them in a `[hooks]` table, one array of tables per
// event:
//
//   [[hooks.PreToolUse]]
//   matcher = "Edit|Write"   # RE2 regex that must match the whole tool
//                            # name; absent or "*" matches every tool
//   command = "python3 check.py"
//   timeout = "10s"          # default 60s, at most 1h
//
// Only PreToolUse and PostToolUse take a matcher, because only they concern
// a tool. Unknown events, unknown keys, values of the wrong type, invalid
// regexes and invalid timeouts are errors that name the source, the key
// and the value, so a typo never drops a hook silently.

#ifndef BOXAGNTS_QUERY_HOOK_CONFIG_H_
#define BOXAGNTS_QUERY_HOOK_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxagnts::query {

// The points of the agent loop at which hooks run.
enum class HookEvent {
  kSessionStart,      // a session starts or resumes
  kUserPromptSubmit,  // before a user prompt reaches the model
  kPreToolUse,        // before a tool call runs, after its input is parsed
  kPostToolUse,       // after a tool call returned a result
  kPreCompact,        // before the conversation is compacted
  kStop,              // the model ended its turn without a tool call
};

// Every event, in declaration order.
inline constexpr HookEvent kAllHookEvents[] = {
    HookEvent::kSessionStart, HookEvent::kUserPromptSubmit,
    HookEvent::kPreToolUse,   HookEvent::kPostToolUse,
    HookEvent::kPreCompact,   HookEvent::kStop,
};

// Returns the config and payload name of `event`, such as "PreToolUse".
std::string_view HookEventName(HookEvent event);

// Parses an event name as HookEventName returns it (case-sensitive).
// The error names the text and lists the valid names.
Result<HookEvent> ParseHookEventName(std::string_view name);

// True for the events whose hooks take a tool-name matcher.
bool HookEventHasMatcher(HookEvent event);

inline constexpr int64_t kDefaultHookTimeoutMs = 60'000;
inline constexpr int64_t kMaxHookTimeoutMs = 3'600'000;

// One configured hook.
struct HookCommand {
  std::string matcher;  // RE2 pattern on the tool name; "" or "*": all
  std::string command;  // run with /bin/sh -c
  int64_t timeout_ms = kDefaultHookTimeoutMs;
  std::string source;   // the config file it came from, for messages
};

// The hooks of one or more config sources, in run order per event.
struct HookConfig {
  std::map<HookEvent, std::vector<HookCommand>> hooks;
};

// Parses the `[hooks]` table of TOML `text`; every command gets `source`
// as its source. Text without the table gives an empty config. Errors are
// InvalidArgument and start with `source`, then name the key and value:
//   /u/.boxagnts/config.toml: hooks.PreToolUse[0].timeout: invalid ...
Result<HookConfig> ParseHooksToml(std::string_view text,
                                  const std::string& source);

// Appends the commands of `from` after those of `into`, event by event, so
// merging user config then project config runs the user's hooks first.
void MergeHooks(HookConfig* into, const HookConfig& from);

// Checks that `matcher` is "", "*" or a valid RE2 pattern. The error
// names the pattern and RE2's reason.
Status ValidateHookMatcher(const std::string& matcher);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_HOOK_CONFIG_H_
