// The paths, URL or call that one tool call touches, and how a rule's
// specifier is matched against them.
//
// A call touches the paths in its path fields (each in the written and the
// resolved form, see permission_paths.h), the URL in its URL field, or,
// for a tool with neither, the call as a whole.

#ifndef BOXAGNTS_TOOLS_PERMISSION_TARGETS_H_
#define BOXAGNTS_TOOLS_PERMISSION_TARGETS_H_

#include <string>
#include <variant>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "sandbox/net_url.h"
#include "tools/permission_rule.h"
#include "tools/tool.h"

namespace boxagnts::tools {

struct PathTarget {
  std::string field;     // input field that named it
  std::string written;   // absolute, normalised lexically
  std::string resolved;  // symbolic links followed
  // True when the path is a directory that the tool searches (reads the
  // whole tree of), so deny and ask rules matching inside it apply.
  bool searched = false;
};

struct UrlTarget {
  std::string field;
  sandbox::HttpUrl url;  // parsed and normalised
};

// The call of a tool without path and URL fields.
struct WholeCallTarget {};

using PermissionTarget = std::variant<PathTarget, UrlTarget, WholeCallTarget>;

// The directories that path rules are anchored at, in both forms.
struct AnchorDirs {
  std::string work_dir;           // normalised lexically
  std::string work_dir_resolved;
  std::string home_dir;           // "" when unknown
  std::string home_dir_resolved;
};

// Normalises and resolves the work dir and home dir. Errors
// (InvalidArgument or IoError) name the work dir: it must be absolute and
// resolvable.
Result<AnchorDirs> MakeAnchorDirs(const std::string& work_dir,
                                  const std::string& home_dir);

// Lists what a call of `spec` with `input` touches. A path field that is
// absent or null stands for the work dir; a path field may hold a string
// or an array of strings. Errors name the field and the value: a path
// field of another type, a path that cannot be resolved, a missing or
// non-string URL field, or a URL that ParseHttpUrl rejects (user
// information, unsupported scheme, ...).
Result<std::vector<PermissionTarget>> CollectTargets(const ToolSpec& spec,
                                                     const Json& input,
                                                     const AnchorDirs& dirs);

enum class MatchPurpose {
  // Deny and ask rules: a path matches in its written or resolved form.
  kRestrict,
  // Allow rules: a path matches only in its resolved form, so that a
  // symbolic link cannot lead an allow rule out of its tree.
  kGrant,
};

// True when the specifier of `rule` matches `target`. A bare rule matches
// every target; a path specifier only path targets; a domain specifier
// only URL targets.
bool RuleMatchesTarget(const PermissionRule& rule,
                       const PermissionTarget& target, const AnchorDirs& dirs,
                       MatchPurpose purpose);

// Returns the target for messages: `path "/w/a"`, `host "example.com"` or
// `the call`.
std::string DescribeTarget(const PermissionTarget& target);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_TARGETS_H_
