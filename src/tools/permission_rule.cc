#include "tools/permission_rule.h"

namespace boxagnts::tools {
namespace {

constexpr std::string_view kDomainPrefix = "domain:";

std::string_view TrimSpace(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

bool IsToolNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

// True when the parentheses in `text`, other than escaped ones, balance.
bool ParenthesesBalance(std::string_view text) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0;
}

// Returns the form prefix of a specifier such as "domain" in
// "domain:x", or "" when the specifier does not start with `word:`.
std::string_view FormPrefix(std::string_view specifier) {
  size_t i = 0;
  while (i < specifier.size() &&
         ((specifier[i] >= 'a' && specifier[i] <= 'z') ||
          (specifier[i] >= 'A' && specifier[i] <= 'Z'))) {
    ++i;
  }
  if (i == 0 || i >= specifier.size() || specifier[i] != ':') return {};
  return specifier.substr(0, i);
}

Result<PathSpecifier> ParsePathSpecifier(std::string_view specifier) {
  PathAnchor anchor = PathAnchor::kWorkDir;
  std::string pattern;
  if (specifier.starts_with("//")) {
    anchor = PathAnchor::kRoot;
    pattern = specifier.substr(2);
  } else if (specifier == "~" || specifier.starts_with("~/")) {
    anchor = PathAnchor::kHome;
    pattern = specifier.substr(1);
  } else if (specifier.starts_with("/")) {
    pattern = specifier.substr(1);
  } else {
    // As in gitignore, only a '/' before the last character anchors.
    std::string_view body = specifier;
    while (!body.empty() && body.back() == '/') body.remove_suffix(1);
    bool anchored = body.find('/') != std::string_view::npos;
    pattern = anchored ? std::string(specifier)
                       : "**/" + std::string(specifier);
  }
  Result<PathGlob> glob = PathGlob::Compile(pattern);
  if (!glob.ok()) return glob.status();
  return PathSpecifier{anchor, std::move(*glob)};
}

Result<DomainSpecifier> ParseDomainSpecifier(std::string_view host_text) {
  std::string quoted = "domain \"" + std::string(host_text) + "\"";
  if (host_text.empty()) {
    return Status::InvalidArgument(
        "the domain is empty (write domain:example.com)");
  }
  if (host_text.find_first_of("/@?#") != std::string_view::npos ||
      (host_text.front() != '[' &&
       host_text.find(':') != std::string_view::npos)) {
    return Status::InvalidArgument(
        quoted + " is not a bare host (write a host name only, such as "
                 "domain:example.com, with no scheme, port, user or path)");
  }
  DomainSpecifier domain;
  if (host_text.starts_with("*.")) {
    domain.subdomains = true;
    host_text.remove_prefix(2);
  }
  if (host_text.find('*') != std::string_view::npos) {
    return Status::InvalidArgument(
        quoted + " has a '*' that is not a leading \"*.\" (write "
                 "domain:*.example.com for subdomains, or the bare tool "
                 "name for every host)");
  }
  Result<sandbox::UrlHost> host = sandbox::NormalizeUrlHost(host_text);
  if (!host.ok()) {
    return Status::InvalidArgument(quoted + ": " + host.status().message());
  }
  if (domain.subdomains && host->kind != sandbox::HostKind::kName) {
    return Status::InvalidArgument(
        quoted + " puts \"*.\" before an IP address (IP addresses have no "
                 "subdomains: name the address alone)");
  }
  domain.host = host->text;
  return domain;
}

Status RuleError(std::string_view text, const std::string& reason) {
  return Status::InvalidArgument("invalid permission rule \"" +
                                 std::string(text) + "\": " + reason);
}

}  // namespace

Result<PermissionRule> ParsePermissionRule(std::string_view raw,
                                           RuleSource source) {
  std::string_view text = TrimSpace(raw);
  PermissionRule rule;
  rule.source = source;
  rule.text = std::string(text);
  if (text.empty()) {
    return RuleError(raw, "the rule is empty (write Tool or Tool(specifier))");
  }

  size_t open = text.find('(');
  rule.tool = std::string(TrimSpace(text.substr(0, open)));
  if (rule.tool.empty()) {
    return RuleError(text, "the tool name is empty (write it before the "
                           "parenthesis, as in Read(src/**))");
  }
  for (char c : rule.tool) {
    if (!IsToolNameChar(c)) {
      return RuleError(text, "the tool name \"" + rule.tool +
                                 "\" contains '" + std::string(1, c) +
                                 "' (tool names use letters, digits, '_', "
                                 "'-' and '.'; put a specifier in "
                                 "parentheses)");
    }
  }
  if (open == std::string_view::npos) return rule;

  if (text.back() != ')' || !ParenthesesBalance(text.substr(open))) {
    return RuleError(text, "unbalanced parentheses (write Tool(specifier) "
                           "and escape a literal parenthesis in a path as "
                           "\\( or \\))");
  }
  std::string_view specifier =
      TrimSpace(text.substr(open + 1, text.size() - open - 2));
  if (specifier.empty()) {
    return RuleError(text, "the specifier is empty (write " + rule.tool +
                               " to match every call, or " + rule.tool +
                               "(PATTERN))");
  }
  rule.specifier = std::string(specifier);

  std::string_view form = FormPrefix(specifier);
  if (form == "domain") {
    Result<DomainSpecifier> domain =
        ParseDomainSpecifier(specifier.substr(kDomainPrefix.size()));
    if (!domain.ok()) return RuleError(text, domain.status().message());
    rule.matcher = std::move(*domain);
    return rule;
  }
  if (!form.empty()) {
    return RuleError(text, "unknown specifier form \"" + std::string(form) +
                               ":\" (use a path glob or domain:HOST; write "
                               "./" + std::string(specifier) +
                               " for a relative path)");
  }
  Result<PathSpecifier> path = ParsePathSpecifier(specifier);
  if (!path.ok()) return RuleError(text, path.status().message());
  rule.matcher = std::move(*path);
  return rule;
}

bool RuleAppliesToTool(const PermissionRule& rule, const ToolSpec& spec) {
  if (rule.tool == spec.name) return true;
  if (rule.tool == "Read") {
    return spec.read_only && (spec.capabilities & kCapabilityFileRead) &&
           !spec.path_fields.empty();
  }
  if (rule.tool == "Edit") {
    return (spec.capabilities & kCapabilityFileWrite) != 0;
  }
  return false;
}

bool MatchesDomain(const DomainSpecifier& domain,
                   const sandbox::UrlHost& host) {
  if (!domain.subdomains) return host.text == domain.host;
  if (host.kind != sandbox::HostKind::kName) return false;
  std::string suffix = "." + domain.host;
  return host.text.size() > suffix.size() && host.text.ends_with(suffix);
}

PermissionRule MakeExactPathRule(std::string_view tool,
                                 std::string_view absolute_path,
                                 RuleSource source) {
  std::string specifier = "/" + EscapeGlob(absolute_path);
  PermissionRule rule;
  rule.tool = std::string(tool);
  rule.specifier = specifier;
  rule.source = source;
  rule.text = rule.tool + "(" + specifier + ")";
  // The escaped literal always compiles.
  rule.matcher = PathSpecifier{
      PathAnchor::kRoot, std::move(*PathGlob::Compile(specifier.substr(2)))};
  return rule;
}

PermissionRule MakeDomainRule(std::string_view tool, std::string_view host,
                              RuleSource source) {
  PermissionRule rule;
  rule.tool = std::string(tool);
  rule.specifier = std::string(kDomainPrefix) + std::string(host);
  rule.source = source;
  rule.text = rule.tool + "(" + *rule.specifier + ")";
  rule.matcher = DomainSpecifier{std::string(host), false};
  return rule;
}

PermissionRule MakeToolRule(std::string_view tool, RuleSource source) {
  PermissionRule rule;
  rule.tool = std::string(tool);
  rule.source = source;
  rule.text = rule.tool;
  return rule;
}

}  // namespace boxagnts::tools
