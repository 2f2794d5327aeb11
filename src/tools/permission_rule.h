// Permission rules: `Tool` or `Tool(specifier)`.
//
// A bare `Tool` matches every call of that tool. A specifier narrows it:
//   - a path glob (gitignore syntax, see path_glob.h) for tools with path
//     fields: "src/**", "*.md", "/build", "//etc/**", "~/notes/*";
//   - `domain:HOST` for tools with a URL field: an exact host such as
//     `domain:example.com`, or `domain:*.example.com`, which matches every
//     subdomain of example.com but not example.com itself.
// A specifier that starts with another `word:` prefix is an unknown form
// and an error. Write "./a:b" for a relative path whose name has a colon.
//
// Path patterns are anchored like this:
//   "//abs/path"   an absolute file system path
//   "~/x"          under the home directory
//   "/x"           under the work dir
//   "a/b", "a/"    a pattern with a '/' other than a trailing one is
//                  relative to the work dir
//   "*.md"         a pattern without such a '/' matches a name at any
//                  depth under the work dir, as in gitignore
// A pattern that matches a directory covers everything under it, so
// "build", "build/" and "build/**" all cover the build directory and its
// contents.

#ifndef BOXAGNTS_TOOLS_PERMISSION_RULE_H_
#define BOXAGNTS_TOOLS_PERMISSION_RULE_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"
#include "sandbox/net_url.h"
#include "tools/path_glob.h"
#include "tools/permission_types.h"
#include "tools/tool.h"

namespace boxagnts::tools {

enum class PathAnchor { kWorkDir, kHome, kRoot };

// A path specifier: a glob relative to its anchor directory.
struct PathSpecifier {
  PathAnchor anchor = PathAnchor::kWorkDir;
  PathGlob glob;
};

// A domain specifier on a normalised host (lower case, no trailing dot,
// international names in punycode, IP addresses in canonical form).
struct DomainSpecifier {
  std::string host;         // "example.com" for both forms
  bool subdomains = false;  // true for "*.example.com"
};

struct PermissionRule {
  std::string tool;                       // "Read"
  std::optional<std::string> specifier;   // "src/**", as written
  RuleSource source = RuleSource::kUser;
  std::string text;                       // "Read(src/**)", as written
  // Compiled specifier; monostate for a bare rule.
  std::variant<std::monostate, PathSpecifier, DomainSpecifier> matcher;
};

// Parses a rule such as "Read(src/**)" or "WebFetch(domain:example.com)".
// Surrounding white space is ignored. Errors (InvalidArgument) quote the
// rule and explain the fix: unbalanced parentheses, an empty tool name, a
// character that no tool name has, an empty specifier, an unknown
// specifier form, or an invalid glob or host.
Result<PermissionRule> ParsePermissionRule(std::string_view text,
                                           RuleSource source);

// True when `rule` governs calls of `spec`. That is so when the names are
// equal. A `Read` rule also governs read-only tools with the file_read
// capability and path fields (such as Glob, Grep, LS). An `Edit` rule also
// governs tools with the file_write capability (such as Write).
bool RuleAppliesToTool(const PermissionRule& rule, const ToolSpec& spec);

// True when `host` matches the domain specifier: equal to its host, or,
// for "*.suffix", a name that ends in ".suffix".
bool MatchesDomain(const DomainSpecifier& domain,
                   const sandbox::UrlHost& host);

// Builds the session rule that an "allow always" response adds for one
// resolved absolute path: `Tool(//path)` with the path's glob
// metacharacters escaped. It covers the path and, for a directory,
// everything under it.
PermissionRule MakeExactPathRule(std::string_view tool,
                                 std::string_view absolute_path,
                                 RuleSource source);

// Builds `Tool(domain:host)` for a normalised host.
PermissionRule MakeDomainRule(std::string_view tool, std::string_view host,
                              RuleSource source);

// Builds the bare rule `Tool`.
PermissionRule MakeToolRule(std::string_view tool, RuleSource source);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PERMISSION_RULE_H_
