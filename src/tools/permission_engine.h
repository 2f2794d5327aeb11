// The permission engine: decides allow, ask or deny for one tool call.
//
// Precedence: a matching deny rule beats a matching ask rule, which beats
// a matching allow rule, which beats the mode's default. Each path, URL or
// (for tools with neither) the call itself is decided on its own, and the
// call gets the strictest of those decisions, so every path must pass.
//
// Deny and ask rules match a path as written or as resolved. Allow rules
// and the mode's "inside the work dir" test look only at the resolved
// path, so a symbolic link never widens what is allowed.
//
// Mode defaults, used when no rule matches:
//   default            a read-only tool without the network capability is
//                      allowed when all its paths are inside the work dir;
//                      everything else asks. A read-only tool without path
//                      fields is allowed only when it has no file
//                      capability either.
//   acceptEdits        as default; a tool with file_write (and without
//                      network) is also allowed when all its paths are
//                      inside the work dir.
//   plan               reads as in default; a tool that is not read-only
//                      is denied, even when an allow rule matches, because
//                      plan mode promises that nothing changes.
//   bypassPermissions  everything is allowed; deny rules still deny and
//                      ask rules still ask.
// A path or URL that cannot be checked (bad type, unresolvable path,
// invalid URL) denies the call in every mode.

#ifndef BOXAGNTS_TOOLS_PERMISSION_ENGINE_H_
#define BOXAGNTS_TOOLS_PERMISSION_ENGINE_H_

#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/json.h"
#include "tools/permission_config.h"
#include "tools/permission_paths.h"
#include "tools/permission_rule.h"
#include "tools/permission_types.h"
#include "tools/tool.h"

namespace boxagnts::tools {

struct PermissionCheck {
  Decision decision = Decision::kDeny;
  // The rule that decided; unset when the mode or invalid input did.
  std::optional<PermissionRule> rule;
  DecidedBy decided_by = DecidedBy::kMode;
  PermissionMode mode = PermissionMode::kDefault;  // mode at check time
  std::string reason;  // one sentence for people and the audit log
  // For kAsk: the session rules that an "allow always" response adds, one
  // per path (exact, resolved), per URL host, or the bare tool.
  std::vector<PermissionRule> always_allow_rules;

  // Returns the rule text, "mode default: <mode>" or "invalid input".
  std::string MatchedRuleText() const;
};

class PermissionEngine {
 public:
  // `home_dir` anchors "~/" rules and paths; "" disables them.
  PermissionEngine(PermissionMode mode, PermissionRules rules,
                   std::string home_dir = HomeDirectory());

  PermissionEngine(const PermissionEngine&) = delete;
  PermissionEngine& operator=(const PermissionEngine&) = delete;

  // Decides a call of `spec` with `input` (already schema-valid) in
  // `work_dir` (absolute). Reads the file system to resolve paths. Never
  // fails: problems become a kDeny with the reason.
  // Thread-safe.
  PermissionCheck Check(const ToolSpec& spec, const Json& input,
                        const std::string& work_dir) const;

  // Adds an allow rule for the rest of the session (an "allow always"
  // response). The rule's source becomes kSession. It cannot override a
  // deny or ask rule. Thread-safe.
  void AddSessionRule(PermissionRule rule);

  // Changes the mode for later checks. Thread-safe.
  void SetMode(PermissionMode mode);
  PermissionMode mode() const;

  // Returns a copy of the current rules, session rules included.
  PermissionRules rules() const;

 private:
  mutable std::shared_mutex mutex_;
  PermissionMode mode_;    // guarded by mutex_
  PermissionRules rules_;  // guarded by mutex_
  const std::string home_dir_;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_ENGINE_H_
