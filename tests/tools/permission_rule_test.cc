#include "tools/permission_rule.h"

#include <gtest/gtest.h>

namespace boxagnts::tools {
namespace {

PermissionRule MustParse(std::string_view text) {
  Result<PermissionRule> rule = ParsePermissionRule(text, RuleSource::kUser);
  EXPECT_TRUE(rule.ok()) << rule.status().ToString();
  return rule.ok() ? *rule : PermissionRule{};
}

std::string ParseError(std::string_view text) {
  Result<PermissionRule> rule = ParsePermissionRule(text, RuleSource::kUser);
  EXPECT_FALSE(rule.ok()) << text;
  return rule.ok() ? "" : rule.status().message();
}

const PathSpecifier& PathOf(const PermissionRule& rule) {
  return std::get<PathSpecifier>(rule.matcher);
}

TEST(ParsePermissionRule, BareToolName) {
  PermissionRule rule = MustParse("  Read ");
  EXPECT_EQ(rule.tool, "Read");
  EXPECT_FALSE(rule.specifier.has_value());
  EXPECT_EQ(rule.text, "Read");
  EXPECT_EQ(rule.source, RuleSource::kUser);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rule.matcher));
}

TEST(ParsePermissionRule, SlashlessPatternFloats) {
  PermissionRule rule = MustParse("Edit(*.md)");
  EXPECT_EQ(rule.tool, "Edit");
  EXPECT_EQ(rule.specifier, "*.md");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kWorkDir);
  EXPECT_EQ(PathOf(rule).glob.ToString(), "**/*.md");
}

TEST(ParsePermissionRule, TrailingSlashStillFloats) {
  PermissionRule rule = MustParse("Read(build/)");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kWorkDir);
  EXPECT_EQ(PathOf(rule).glob.ToString(), "**/build");
}

TEST(ParsePermissionRule, InnerSlashAnchorsAtWorkDir) {
  PermissionRule rule = MustParse("Read(src/**)");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kWorkDir);
  EXPECT_EQ(PathOf(rule).glob.ToString(), "src/**");
}

TEST(ParsePermissionRule, LeadingSlashAnchorsAtWorkDir) {
  PermissionRule rule = MustParse("Read(/notes.txt)");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kWorkDir);
  EXPECT_EQ(PathOf(rule).glob.ToString(), "notes.txt");
}

TEST(ParsePermissionRule, DoubleSlashIsAbsolute) {
  PermissionRule rule = MustParse("Read(//etc/**)");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kRoot);
  EXPECT_EQ(PathOf(rule).glob.ToString(), "etc/**");
}

TEST(ParsePermissionRule, TildeIsHome) {
  PermissionRule rule = MustParse("Read(~/.ssh/**)");
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kHome);
  EXPECT_EQ(PathOf(rule).glob.ToString(), ".ssh/**");
}

TEST(ParsePermissionRule, DomainExactAndWildcard) {
  PermissionRule exact = MustParse("WebFetch(domain:Example.COM.)");
  const auto& domain = std::get<DomainSpecifier>(exact.matcher);
  EXPECT_EQ(domain.host, "example.com");
  EXPECT_FALSE(domain.subdomains);

  PermissionRule wildcard = MustParse("WebFetch(domain:*.example.com)");
  const auto& suffix = std::get<DomainSpecifier>(wildcard.matcher);
  EXPECT_EQ(suffix.host, "example.com");
  EXPECT_TRUE(suffix.subdomains);
}

TEST(ParsePermissionRule, DomainConvertsIdnToPunycode) {
  PermissionRule rule = MustParse("WebFetch(domain:bücher.example)");
  EXPECT_EQ(std::get<DomainSpecifier>(rule.matcher).host,
            "xn--bcher-kva.example");
}

TEST(ParsePermissionRule, EscapedParenthesesBalance) {
  PermissionRule rule = MustParse("Read(docs/a\\)b)");
  EXPECT_EQ(rule.specifier, "docs/a\\)b");
  EXPECT_TRUE(PathOf(rule).glob.Matches({"docs", "a)b"}));
}

TEST(ParsePermissionRule, ErrorsNameRuleAndFix) {
  EXPECT_EQ(ParseError("Read(src/**"),
            "invalid permission rule \"Read(src/**\": unbalanced parentheses "
            "(write Tool(specifier) and escape a literal parenthesis in a "
            "path as \\( or \\))");
  EXPECT_EQ(ParseError("(src/**)"),
            "invalid permission rule \"(src/**)\": the tool name is empty "
            "(write it before the parenthesis, as in Read(src/**))");
  EXPECT_EQ(ParseError("Read()"),
            "invalid permission rule \"Read()\": the specifier is empty "
            "(write Read to match every call, or Read(PATTERN))");
  EXPECT_EQ(ParseError("Bash(prefix:npm test)"),
            "invalid permission rule \"Bash(prefix:npm test)\": unknown "
            "specifier form \"prefix:\" (use a path glob or domain:HOST; "
            "write ./prefix:npm test for a relative path)");
}

TEST(ParsePermissionRule, RejectsMoreMalformedRules) {
  EXPECT_NE(ParseError("").find("the rule is empty"), std::string::npos);
  EXPECT_NE(ParseError("Read)x(").find("contains ')'"), std::string::npos);
  EXPECT_NE(ParseError("Read(a))").find("unbalanced"), std::string::npos);
  EXPECT_NE(ParseError("Read(a)b").find("unbalanced"), std::string::npos);
  EXPECT_NE(ParseError("Web Fetch").find("contains ' '"), std::string::npos);
  EXPECT_NE(ParseError("Read([ab)").find("unclosed '['"), std::string::npos);
  EXPECT_NE(ParseError("Read(../x)").find("\"..\""), std::string::npos);
}

TEST(ParsePermissionRule, RejectsMalformedDomains) {
  EXPECT_NE(ParseError("WebFetch(domain:)").find("the domain is empty"),
            std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:https://example.com)")
                .find("is not a bare host"),
            std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:example.com:8080)")
                .find("is not a bare host"),
            std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:a.*.com)").find("'*'"),
            std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:*)").find("'*'"), std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:*.10.0.0.1)").find("IP address"),
            std::string::npos);
  EXPECT_NE(ParseError("WebFetch(domain:exa mple.com)").find("exa mple.com"),
            std::string::npos);
}

sandbox::UrlHost Host(std::string_view text) {
  Result<sandbox::UrlHost> host = sandbox::NormalizeUrlHost(text);
  EXPECT_TRUE(host.ok()) << host.status().ToString();
  return host.ok() ? *host : sandbox::UrlHost{};
}

TEST(MatchesDomain, ExactHostOnly) {
  DomainSpecifier domain{"example.com", false};
  EXPECT_TRUE(MatchesDomain(domain, Host("example.com")));
  EXPECT_TRUE(MatchesDomain(domain, Host("EXAMPLE.com.")));
  EXPECT_FALSE(MatchesDomain(domain, Host("a.example.com")));
  EXPECT_FALSE(MatchesDomain(domain, Host("example.com.evil.net")));
  EXPECT_FALSE(MatchesDomain(domain, Host("notexample.com")));
}

TEST(MatchesDomain, WildcardMatchesSubdomainsNotApex) {
  DomainSpecifier domain{"example.com", true};
  EXPECT_TRUE(MatchesDomain(domain, Host("a.example.com")));
  EXPECT_TRUE(MatchesDomain(domain, Host("a.b.example.com")));
  EXPECT_FALSE(MatchesDomain(domain, Host("example.com")));
  EXPECT_FALSE(MatchesDomain(domain, Host("badexample.com")));
  EXPECT_FALSE(MatchesDomain(domain, Host("a.example.com.evil.net")));
}

constexpr uint32_t kRead = kCapabilityFileRead;
constexpr uint32_t kWrite = kCapabilityFileWrite;
constexpr uint32_t kReadWrite = kCapabilityFileRead | kCapabilityFileWrite;

ToolSpec Spec(std::string name, bool read_only, uint32_t capabilities,
              std::vector<std::string> path_fields) {
  ToolSpec spec;
  spec.name = std::move(name);
  spec.read_only = read_only;
  spec.capabilities = capabilities;
  spec.path_fields = std::move(path_fields);
  return spec;
}

bool Applies(const PermissionRule& rule, std::string name, bool read_only,
             uint32_t capabilities, std::vector<std::string> path_fields) {
  return RuleAppliesToTool(rule, Spec(std::move(name), read_only,
                                      capabilities, std::move(path_fields)));
}

TEST(RuleAppliesToTool, ReadCoversReadOnlyFileTools) {
  PermissionRule read = MustParse("Read(src/**)");
  EXPECT_TRUE(Applies(read, "Read", true, kRead, {"file_path"}));
  EXPECT_TRUE(Applies(read, "Grep", true, kRead, {"path"}));
  EXPECT_TRUE(Applies(read, "Glob", true, kRead, {"path"}));
  EXPECT_TRUE(Applies(read, "LS", true, kRead, {"path"}));
  // Not read-only, no file_read, or no path fields: not covered.
  EXPECT_FALSE(Applies(read, "Edit", false, kReadWrite, {"file_path"}));
  EXPECT_FALSE(Applies(read, "Clock", true, 0, {"path"}));
  EXPECT_FALSE(Applies(read, "Stat", true, kRead, {}));
}

TEST(RuleAppliesToTool, EditCoversFileWriteTools) {
  PermissionRule edit = MustParse("Edit");
  EXPECT_TRUE(Applies(edit, "Write", false, kWrite, {"file_path"}));
  EXPECT_TRUE(Applies(edit, "NotebookEdit", false, kReadWrite, {"path"}));
  EXPECT_FALSE(Applies(edit, "Read", true, kRead, {"file_path"}));
}

TEST(RuleAppliesToTool, OtherNamesMatchExactly) {
  PermissionRule grep = MustParse("Grep");
  EXPECT_TRUE(Applies(grep, "Grep", true, kRead, {"path"}));
  EXPECT_FALSE(Applies(grep, "Read", true, kRead, {"file_path"}));
  EXPECT_FALSE(Applies(grep, "grep", true, kRead, {"path"}));
}

TEST(MakeExactPathRule, EscapesAndAnchorsAtRoot) {
  PermissionRule rule =
      MakeExactPathRule("Edit", "/w/a*(1).txt", RuleSource::kSession);
  EXPECT_EQ(rule.text, "Edit(//w/a\\*\\(1\\).txt)");
  EXPECT_EQ(rule.source, RuleSource::kSession);
  EXPECT_EQ(PathOf(rule).anchor, PathAnchor::kRoot);
  EXPECT_TRUE(PathOf(rule).glob.Matches({"w", "a*(1).txt"}));
  EXPECT_FALSE(PathOf(rule).glob.Matches({"w", "ab(1).txt"}));

  // The text parses back to the same rule.
  PermissionRule reparsed = MustParse(rule.text);
  EXPECT_EQ(PathOf(reparsed).anchor, PathAnchor::kRoot);
  EXPECT_EQ(PathOf(reparsed).glob.ToString(), PathOf(rule).glob.ToString());
}

}  // namespace
}  // namespace boxagnts::tools
