// Permission settings from config files and flags, and how they merge.
//
// A config file contains them in a `[permissions]` table:
//
//   [permissions]
//   default_mode = "acceptEdits"   # default, acceptEdits, plan,
//                                  # bypassPermissions
//   allow = ["Read(src/**)", "WebFetch(domain:docs.rs)"]
//   ask = ["Edit(*.lock)"]
//   deny = ["Read(.env)", "Read(secrets/)"]
//
// Unknown keys, values of the wrong type and invalid rules are errors that
// name the file and the key, so a typo never leaves a rule out silently.

#ifndef BOXAGNTS_TOOLS_PERMISSION_CONFIG_H_
#define BOXAGNTS_TOOLS_PERMISSION_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tools/permission_rule.h"
#include "tools/permission_types.h"

namespace boxagnts::tools {

struct PermissionRules {
  std::vector<PermissionRule> allow;
  std::vector<PermissionRule> ask;
  std::vector<PermissionRule> deny;
};

// The permission settings of one source.
struct PermissionConfig {
  std::optional<PermissionMode> default_mode;  // unset: no opinion
  PermissionRules rules;
};

// Parses the `[permissions]` table of TOML `text`; every rule gets
// `source`. Text without the table gives an empty config. Errors
// (InvalidArgument) start with `source_name` and name the key, such as
//   /w/.boxagnts/config.toml: permissions.allow[1]: invalid permission rule ...
Result<PermissionConfig> ParsePermissionsToml(std::string_view text,
                                              const std::string& source_name,
                                              RuleSource source);

// Reads the file at `path` and parses it as ParsePermissionsToml does.
// Errors name the path.
Result<PermissionConfig> LoadPermissionsFile(const std::string& path,
                                             RuleSource source);

// Parses rules given one by one, such as the values of --allow flags.
// Errors name the rule.
Result<std::vector<PermissionRule>> ParsePermissionRules(
    const std::vector<std::string>& texts, RuleSource source);

struct MergedPermissions {
  PermissionMode mode = PermissionMode::kDefault;
  PermissionRules rules;
  // Allow and ask rules and the mode of an untrusted workspace, which the
  // merge left out; the caller may tell the user about them.
  size_t ignored_workspace_settings = 0;
};

// Merges the sources in the order user, workspace, command line. Rule
// lists are concatenated in that order; the mode comes from the last
// source that sets one, else kDefault. Until the workspace is trusted,
// its allow and ask rules and its default_mode are ignored, because a
// cloned repository must neither grant itself permissions nor raise
// prompts of its own making. Its deny rules are kept, since they only
// restrict. Session rules are added later with
// PermissionEngine::AddSessionRule.
MergedPermissions MergePermissions(const PermissionConfig& user,
                                   const PermissionConfig& workspace,
                                   bool workspace_trusted,
                                   const PermissionConfig& command_line);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_CONFIG_H_
