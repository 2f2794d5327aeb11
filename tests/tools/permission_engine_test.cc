#include "tools/permission_engine.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "testing/process.h"

namespace boxagnts::tools {
namespace {

constexpr uint32_t kRead = kCapabilityFileRead;
constexpr uint32_t kWrite = kCapabilityFileWrite;
constexpr uint32_t kNet = kCapabilityNetwork;

ToolSpec Spec(std::string name, bool read_only, uint32_t capabilities,
              std::vector<std::string> path_fields,
              std::string url_field = "") {
  ToolSpec spec;
  spec.name = std::move(name);
  spec.read_only = read_only;
  spec.capabilities = capabilities;
  spec.path_fields = std::move(path_fields);
  spec.url_field = std::move(url_field);
  return spec;
}

const std::map<std::string, ToolSpec>& Tools() {
  static const auto* tools = new std::map<std::string, ToolSpec>{
      {"Read", Spec("Read", true, kRead, {"file_path"})},
      {"Grep", Spec("Grep", true, kRead, {"path"})},
      {"Glob", Spec("Glob", true, kRead, {"path"})},
      {"LS", Spec("LS", true, kRead, {"path"})},
      {"Edit", Spec("Edit", false, kRead | kWrite, {"file_path"})},
      {"Write", Spec("Write", false, kWrite, {"file_path"})},
      {"Copy", Spec("Copy", false, kRead | kWrite, {"from", "to"})},
      {"WebFetch", Spec("WebFetch", true, kNet, {}, "url")},
      {"Bash", Spec("Bash", false, kRead | kWrite | kNet, {})},
      {"Clock", Spec("Clock", true, 0, {})},
      {"DiskUsage", Spec("DiskUsage", true, kRead, {})},
  };
  return *tools;
}

std::string ReplaceAll(std::string text, const std::string& from,
                       const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A work dir with files, a home dir and symbolic links:
//   {root}/w/src/a.cc, w/README.md, w/.env, w/secrets/key
//   {root}/w/inner -> src, w/escape -> {root}/outside,
//   w/docs_link -> secrets, w/loop -> loop
//   {root}/outside/secret, {root}/home/.ssh/id, {root}/wlink -> w
class PermissionEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* dir : {"w", "w/src", "w/secrets", "outside", "home",
                            "home/.ssh"}) {
      ASSERT_EQ(::mkdir((root_ / dir).c_str(), 0755), 0) << dir;
    }
    for (const char* file : {"w/src/a.cc", "w/README.md", "w/.env",
                             "w/secrets/key", "outside/secret",
                             "home/.ssh/id"}) {
      std::ofstream(root_ / file) << "x";
    }
    Link("src", "w/inner");
    Link(root_ / "outside", "w/escape");
    Link("secrets", "w/docs_link");
    Link("loop", "w/loop");
    Link("w", "wlink");
  }

  void Link(const std::string& target, const std::string& link) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ / link).c_str()), 0) << link;
  }

  std::string Expand(const std::string& text) const {
    return ReplaceAll(text, "{root}", root_.path());
  }

  std::vector<PermissionRule> Rules(const std::vector<std::string>& texts,
                                    RuleSource source = RuleSource::kUser) {
    std::vector<PermissionRule> rules;
    for (const std::string& text : texts) {
      Result<PermissionRule> rule = ParsePermissionRule(Expand(text), source);
      EXPECT_TRUE(rule.ok()) << rule.status().ToString();
      if (rule.ok()) rules.push_back(*rule);
    }
    return rules;
  }

  PermissionEngine MakeEngine(PermissionMode mode,
                              const std::vector<std::string>& allow,
                              const std::vector<std::string>& ask,
                              const std::vector<std::string>& deny) {
    PermissionRules rules{Rules(allow), Rules(ask), Rules(deny)};
    return PermissionEngine(mode, std::move(rules), root_ / "home");
  }

  PermissionCheck Check(const PermissionEngine& engine,
                        const std::string& tool,
                        const std::string& input_json,
                        const std::string& work_dir = "{root}/w") {
    Result<Json> input = ParseJson(Expand(input_json), "test input");
    EXPECT_TRUE(input.ok()) << input.status().ToString();
    return engine.Check(Tools().at(tool), input.ok() ? *input : Json(),
                        Expand(work_dir));
  }

  testing::TempDir root_;
};

struct Case {
  const char* name;
  PermissionMode mode;
  std::vector<std::string> allow;
  std::vector<std::string> ask;
  std::vector<std::string> deny;
  const char* tool;
  const char* input;
  Decision decision;
  const char* matched;  // PermissionCheck::MatchedRuleText()
};

using enum PermissionMode;
using enum Decision;

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      // Precedence: deny > ask > allow > mode default.
      {"deny beats ask and allow", kBypassPermissions, {"Read(src/**)"},
       {"Read(src/**)"}, {"Read(src/**)"}, "Read",
       R"({"file_path":"src/a.cc"})", kDeny, "Read(src/**)"},
      {"ask beats allow", kDefault, {"Read(src/**)"}, {"Read(*.cc)"}, {},
       "Read", R"({"file_path":"src/a.cc"})", kAsk, "Read(*.cc)"},
      {"allow beats mode default", kDefault, {"Edit(src/**)"}, {}, {},
       "Edit", R"({"file_path":"src/a.cc"})", kAllow, "Edit(src/**)"},
      {"bypass keeps deny rules", kBypassPermissions, {}, {}, {"Read(.env)"},
       "Read", R"({"file_path":".env"})", kDeny, "Read(.env)"},
      {"bypass keeps ask rules", kBypassPermissions, {}, {"Edit(*.md)"}, {},
       "Edit", R"({"file_path":"README.md"})", kAsk, "Edit(*.md)"},
      {"deny on other path is no match", kDefault, {}, {}, {"Read(.env)"},
       "Read", R"({"file_path":"src/a.cc"})", kAllow,
       "mode default: default"},

      // Mode defaults.
      {"bypass allows anything", kBypassPermissions, {}, {}, {}, "Bash",
       R"({"command":"rm -rf /"})", kAllow,
       "mode default: bypassPermissions"},
      {"default reads inside", kDefault, {}, {}, {}, "Read",
       R"({"file_path":"src/a.cc"})", kAllow, "mode default: default"},
      {"default asks outside", kDefault, {}, {}, {}, "Read",
       R"({"file_path":"{root}/outside/secret"})", kAsk,
       "mode default: default"},
      {"default asks for edits", kDefault, {}, {}, {}, "Edit",
       R"({"file_path":"src/a.cc"})", kAsk, "mode default: default"},
      {"acceptEdits edits inside", kAcceptEdits, {}, {}, {}, "Edit",
       R"({"file_path":"src/a.cc"})", kAllow, "mode default: acceptEdits"},
      {"acceptEdits writes new file", kAcceptEdits, {}, {}, {}, "Write",
       R"({"file_path":"src/new/b.cc"})", kAllow,
       "mode default: acceptEdits"},
      {"acceptEdits asks outside", kAcceptEdits, {}, {}, {}, "Edit",
       R"({"file_path":"../outside/secret"})", kAsk,
       "mode default: acceptEdits"},
      {"acceptEdits asks for network", kAcceptEdits, {}, {}, {}, "Bash",
       R"({"command":"ls"})", kAsk, "mode default: acceptEdits"},
      {"plan reads inside", kPlan, {}, {}, {}, "Read",
       R"({"file_path":"src/a.cc"})", kAllow, "mode default: plan"},
      {"plan denies edits", kPlan, {}, {}, {}, "Edit",
       R"({"file_path":"src/a.cc"})", kDeny, "mode default: plan"},
      {"plan denies despite allow", kPlan, {"Edit"}, {}, {}, "Edit",
       R"({"file_path":"src/a.cc"})", kDeny, "mode default: plan"},
      {"plan asks for network reads", kPlan, {}, {}, {}, "WebFetch",
       R"({"url":"https://example.com/"})", kAsk, "mode default: plan"},
      {"default asks for network", kDefault, {}, {}, {}, "WebFetch",
       R"({"url":"https://example.com/"})", kAsk, "mode default: default"},
      {"default allows pure tool", kDefault, {}, {}, {}, "Clock", "{}",
       kAllow, "mode default: default"},
      {"default asks pathless file tool", kDefault, {}, {}, {}, "DiskUsage",
       "{}", kAsk, "mode default: default"},
      {"missing path is work dir", kDefault, {}, {}, {"Read(/)"}, "Read",
       "{}", kDeny, "Read(/)"},
      {"missing path reads inside", kDefault, {}, {}, {}, "LS", "{}", kAllow,
       "mode default: default"},

      // Path normalisation.
      {"dot segments normalised", kDefault, {}, {}, {"Read(.env)"}, "Read",
       R"({"file_path":"./src/../.env"})", kDeny, "Read(.env)"},
      {"repeated slashes normalised", kDefault, {}, {}, {"Read(src/a.cc)"},
       "Read", R"({"file_path":"src//./a.cc"})", kDeny, "Read(src/a.cc)"},
      {"absolute path in work dir", kDefault, {}, {}, {"Read(.env)"}, "Read",
       R"({"file_path":"//{root}//w/.env"})", kDeny, "Read(.env)"},
      // Tools read "~" in their input as a plain name in the work dir, so
      // the engine checks that file, not one in the home directory.
      {"tilde path is a name in work dir", kDefault, {}, {}, {}, "Read",
       R"({"file_path":"~/.ssh/id"})", kAllow, "mode default: default"},
      {"tilde path meets work dir deny", kBypassPermissions, {}, {}, {"Read(.env)"},
       "Read", R"({"file_path":"~/.env"})", kDeny, "Read(.env)"},
      {"dot dot leaves work dir", kDefault, {}, {}, {}, "Read",
       R"({"file_path":"src/../../outside/secret"})", kAsk,
       "mode default: default"},
      {"dot dot cannot dodge deny", kDefault, {}, {},
       {"Read(/{root}/outside/**)"}, "Read",
       R"({"file_path":"src/../../outside/secret"})", kDeny,
       "Read(/{root}/outside/**)"},
      {"floating pattern stays in work dir", kDefault, {"Read(*.md)"}, {},
       {}, "Read", R"({"file_path":"{root}/outside/x.md"})", kAsk,
       "mode default: default"},

      // Symbolic links.
      {"link inside is resolved", kDefault, {}, {}, {"Read(src/**)"}, "Read",
       R"({"file_path":"inner/a.cc"})", kDeny, "Read(src/**)"},
      {"link out of work dir asks", kDefault, {}, {}, {}, "Read",
       R"({"file_path":"escape/secret"})", kAsk, "mode default: default"},
      {"link out blocks acceptEdits", kAcceptEdits, {}, {}, {}, "Write",
       R"({"file_path":"escape/new"})", kAsk, "mode default: acceptEdits"},
      {"allow needs resolved path", kDefault, {"Read(escape/**)"}, {}, {},
       "Read", R"({"file_path":"escape/secret"})", kAsk,
       "mode default: default"},
      {"allow on resolved target", kDefault, {"Read(/{root}/outside/**)"},
       {}, {}, "Read", R"({"file_path":"escape/secret"})", kAllow,
       "Read(/{root}/outside/**)"},
      {"deny on resolved form", kDefault, {}, {},
       {"Read(/{root}/outside/**)"}, "Read",
       R"({"file_path":"escape/secret"})", kDeny,
       "Read(/{root}/outside/**)"},
      {"deny on written form", kBypassPermissions, {}, {},
       {"Read(escape/**)"}, "Read", R"({"file_path":"escape/secret"})",
       kDeny, "Read(escape/**)"},
      {"link to denied dir", kDefault, {}, {}, {"Read(secrets/)"}, "Read",
       R"({"file_path":"docs_link/key"})", kDeny, "Read(secrets/)"},
      {"symlink loop is invalid", kBypassPermissions, {}, {}, {}, "Read",
       R"({"file_path":"loop/x"})", kDeny, "invalid input"},

      // Several path fields: every path must pass.
      {"second path outside asks", kAcceptEdits, {}, {}, {}, "Copy",
       R"({"from":"src/a.cc","to":"../outside/x"})", kAsk,
       "mode default: acceptEdits"},
      {"both paths inside", kAcceptEdits, {}, {}, {}, "Copy",
       R"({"from":"src/a.cc","to":"src/b.cc"})", kAllow,
       "mode default: acceptEdits"},
      {"deny on one of two paths", kBypassPermissions, {}, {},
       {"Edit(secrets/**)"}, "Copy",
       R"({"from":"src/a.cc","to":"secrets/k"})", kDeny, "Edit(secrets/**)"},
      {"allow must cover every path", kDefault, {"Copy(src/**)"}, {}, {},
       "Copy", R"({"from":"src/a.cc","to":"README.md"})", kAsk,
       "mode default: default"},
      {"path array checks each", kDefault, {}, {}, {"Read(.env)"}, "Grep",
       R"({"path":["src",".env"]})", kDeny, "Read(.env)"},

      // Read rules cover Grep, Glob and LS; Edit rules cover Write.
      {"Read rule covers Grep", kDefault, {}, {}, {"Read(secrets/**)"},
       "Grep", R"({"path":"secrets"})", kDeny, "Read(secrets/**)"},
      {"Read rule covers Glob", kDefault, {}, {}, {"Read(secrets/**)"},
       "Glob", R"({"path":"secrets"})", kDeny, "Read(secrets/**)"},
      {"Read rule covers LS", kDefault, {}, {}, {"Read(secrets)"}, "LS",
       R"({"path":"secrets/"})", kDeny, "Read(secrets)"},
      {"Read allow covers LS", kDefault, {"Read(/{root}/outside)"}, {}, {},
       "LS", R"({"path":"{root}/outside"})", kAllow,
       "Read(/{root}/outside)"},
      {"Edit rule covers Write", kAcceptEdits, {}, {}, {"Edit(*.md)"},
       "Write", R"({"file_path":"docs/new.md"})", kDeny, "Edit(*.md)"},
      {"Grep rule skips Read", kDefault, {}, {}, {"Grep(secrets/**)"},
       "Read", R"({"file_path":"secrets/key"})", kAllow,
       "mode default: default"},
      {"bare rule matches any path", kDefault, {"Edit"}, {}, {}, "Edit",
       R"({"file_path":"/etc/hosts"})", kAllow, "Edit"},
      {"bare Read denies Grep", kBypassPermissions, {}, {}, {"Read"}, "Grep",
       R"({"path":"src"})", kDeny, "Read"},

      // domain: rules compare the parsed, normalised host.
      {"domain exact", kDefault, {"WebFetch(domain:example.com)"}, {}, {},
       "WebFetch", R"({"url":"https://example.com/x"})", kAllow,
       "WebFetch(domain:example.com)"},
      {"domain case and dot", kDefault, {"WebFetch(domain:example.com)"}, {},
       {}, "WebFetch", R"({"url":"https://EXAMPLE.Com./x"})", kAllow,
       "WebFetch(domain:example.com)"},
      {"domain userinfo trick", kDefault, {"WebFetch(domain:example.com)"},
       {}, {}, "WebFetch", R"({"url":"https://example.com@evil.net/"})",
       kDeny, "invalid input"},
      {"domain in query", kDefault, {"WebFetch(domain:example.com)"}, {}, {},
       "WebFetch", R"({"url":"https://evil.net/?u=example.com"})", kAsk,
       "mode default: default"},
      {"domain in path", kDefault, {"WebFetch(domain:example.com)"}, {}, {},
       "WebFetch", R"({"url":"https://evil.net/example.com/"})", kAsk,
       "mode default: default"},
      {"domain suffix trick", kDefault, {"WebFetch(domain:example.com)"}, {},
       {}, "WebFetch", R"({"url":"https://example.com.evil.net/"})", kAsk,
       "mode default: default"},
      {"domain is not subdomain", kDefault, {"WebFetch(domain:example.com)"},
       {}, {}, "WebFetch", R"({"url":"https://a.example.com/"})", kAsk,
       "mode default: default"},
      {"wildcard subdomain", kDefault, {"WebFetch(domain:*.example.com)"}, {},
       {}, "WebFetch", R"({"url":"https://a.b.example.com/"})", kAllow,
       "WebFetch(domain:*.example.com)"},
      {"wildcard skips apex", kDefault, {"WebFetch(domain:*.example.com)"},
       {}, {}, "WebFetch", R"({"url":"https://example.com/"})", kAsk,
       "mode default: default"},
      {"domain deny in bypass", kBypassPermissions, {}, {},
       {"WebFetch(domain:evil.net)"}, "WebFetch",
       R"({"url":"http://EVIL.NET.:8080/a"})", kDeny,
       "WebFetch(domain:evil.net)"},
      {"domain idn", kDefault, {"WebFetch(domain:bücher.example)"}, {}, {},
       "WebFetch", R"({"url":"https://BÜCHER.example/"})", kAllow,
       "WebFetch(domain:bücher.example)"},
      {"domain rule skips paths", kBypassPermissions, {}, {},
       {"Read(domain:example.com)"}, "Read", R"({"file_path":"src/a.cc"})",
       kAllow, "mode default: bypassPermissions"},
      {"unsupported scheme", kBypassPermissions, {}, {}, {}, "WebFetch",
       R"({"url":"ftp://example.com/"})", kDeny, "invalid input"},
      {"missing url", kBypassPermissions, {}, {}, {}, "WebFetch", "{}", kDeny,
       "invalid input"},
      {"path of wrong type", kBypassPermissions, {}, {}, {}, "Read",
       R"({"file_path":42})", kDeny, "invalid input"},
  };
  return *cases;
}

TEST_F(PermissionEngineTest, DecisionTable) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    PermissionEngine engine = MakeEngine(c.mode, c.allow, c.ask, c.deny);
    PermissionCheck check = Check(engine, c.tool, c.input);
    EXPECT_EQ(DecisionName(check.decision), DecisionName(c.decision))
        << check.reason;
    EXPECT_EQ(check.MatchedRuleText(), Expand(c.matched)) << check.reason;
    EXPECT_EQ(check.mode, c.mode);
  }
}

TEST_F(PermissionEngineTest, ReasonNamesRuleSourceAndPath) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {"Read(.env)"});
  PermissionCheck check = Check(engine, "Read", R"({"file_path":".env"})");
  EXPECT_EQ(check.decided_by, DecidedBy::kRule);
  ASSERT_TRUE(check.rule.has_value());
  EXPECT_EQ(check.rule->source, RuleSource::kUser);
  EXPECT_EQ(check.reason,
            Expand("deny rule \"Read(.env)\" (user config) matches path "
                   "\"{root}/w/.env\""));
}

TEST_F(PermissionEngineTest, ReasonShowsResolvedPath) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {});
  PermissionCheck check = Check(engine, "Read", R"({"file_path":"escape"})");
  EXPECT_EQ(check.decided_by, DecidedBy::kMode);
  EXPECT_EQ(check.reason,
            Expand("mode default (default): path \"{root}/w/escape\" "
                   "(resolves to \"{root}/outside\") is outside the work dir "
                   "\"{root}/w\""));
}

TEST_F(PermissionEngineTest, InvalidUrlReasonNamesField) {
  PermissionEngine engine = MakeEngine(kBypassPermissions, {}, {}, {});
  PermissionCheck check =
      Check(engine, "WebFetch", R"({"url":"https://example.com@evil.net/"})");
  EXPECT_EQ(check.decided_by, DecidedBy::kInvalidInput);
  EXPECT_EQ(check.reason,
            "cannot check the call of \"WebFetch\": input field \"url\": "
            "invalid URL \"https://example.com@evil.net/\": user information "
            "(user@host) is not allowed in the URL (send credentials in a "
            "header)");
}

TEST_F(PermissionEngineTest, WorkDirThroughSymlink) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {"Read(src/**)"});
  PermissionCheck inside =
      Check(engine, "Read", R"({"file_path":"README.md"})", "{root}/wlink/");
  EXPECT_EQ(inside.decision, kAllow) << inside.reason;
  PermissionCheck denied =
      Check(engine, "Read", R"({"file_path":"src/a.cc"})", "{root}/wlink");
  EXPECT_EQ(denied.decision, kDeny) << denied.reason;
}

TEST_F(PermissionEngineTest, RelativeWorkDirDenies) {
  PermissionEngine engine = MakeEngine(kBypassPermissions, {}, {}, {});
  PermissionCheck check = Check(engine, "Read", "{}", "w");
  EXPECT_EQ(check.decision, kDeny);
  EXPECT_EQ(check.reason,
            "cannot check the call of \"Read\": work dir \"w\" is not an "
            "absolute path");
}

TEST_F(PermissionEngineTest, AskOffersExactSessionRules) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {});
  PermissionCheck check =
      Check(engine, "Copy", R"({"from":"escape/secret","to":"src/b.cc"})");
  ASSERT_EQ(check.decision, kAsk);
  ASSERT_EQ(check.always_allow_rules.size(), 2u);
  EXPECT_EQ(check.always_allow_rules[0].text,
            Expand("Copy(/{root}/outside/secret)"));
  EXPECT_EQ(check.always_allow_rules[1].text,
            Expand("Copy(/{root}/w/src/b.cc)"));
  EXPECT_EQ(check.always_allow_rules[0].source, RuleSource::kSession);

  PermissionCheck fetch =
      Check(engine, "WebFetch", R"({"url":"https://Docs.RS./x"})");
  ASSERT_EQ(fetch.always_allow_rules.size(), 1u);
  EXPECT_EQ(fetch.always_allow_rules[0].text, "WebFetch(domain:docs.rs)");

  PermissionCheck bash = Check(engine, "Bash", R"({"command":"ls"})");
  ASSERT_EQ(bash.always_allow_rules.size(), 1u);
  EXPECT_EQ(bash.always_allow_rules[0].text, "Bash");
}

TEST_F(PermissionEngineTest, SessionRuleAllowsLaterCalls) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {});
  const std::string input = R"({"file_path":"{root}/outside/secret"})";
  PermissionCheck first = Check(engine, "Edit", input);
  ASSERT_EQ(first.decision, kAsk);
  for (const PermissionRule& rule : first.always_allow_rules) {
    engine.AddSessionRule(rule);
  }
  PermissionCheck second = Check(engine, "Edit", input);
  EXPECT_EQ(second.decision, kAllow) << second.reason;
  ASSERT_TRUE(second.rule.has_value());
  EXPECT_EQ(second.rule->source, RuleSource::kSession);
  EXPECT_EQ(second.rule->text, Expand("Edit(/{root}/outside/secret)"));
  // The rule is exact: a sibling still asks.
  PermissionCheck sibling =
      Check(engine, "Edit", R"({"file_path":"{root}/outside/other"})");
  EXPECT_EQ(sibling.decision, kAsk);
}

TEST_F(PermissionEngineTest, SessionRuleCannotOverrideAskRule) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {"Edit(*.md)"}, {});
  PermissionCheck first = Check(engine, "Edit", R"({"file_path":"README.md"})");
  ASSERT_EQ(first.decision, kAsk);
  for (const PermissionRule& rule : first.always_allow_rules) {
    engine.AddSessionRule(rule);
  }
  PermissionCheck second =
      Check(engine, "Edit", R"({"file_path":"README.md"})");
  EXPECT_EQ(second.decision, kAsk);
  EXPECT_EQ(second.MatchedRuleText(), "Edit(*.md)");
}

TEST_F(PermissionEngineTest, SetModeAppliesToLaterChecks) {
  PermissionEngine engine = MakeEngine(kDefault, {}, {}, {});
  engine.SetMode(kPlan);
  EXPECT_EQ(engine.mode(), kPlan);
  PermissionCheck check = Check(engine, "Edit", R"({"file_path":"a"})");
  EXPECT_EQ(check.decision, kDeny);
  EXPECT_EQ(check.reason,
            "mode default (plan): \"Edit\" is not read-only, and plan mode "
            "changes nothing");
}

}  // namespace
}  // namespace boxagnts::tools
