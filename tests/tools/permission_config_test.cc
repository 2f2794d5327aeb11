#include "tools/permission_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/process.h"

namespace boxagnts::tools {
namespace {

std::vector<std::string> Texts(const std::vector<PermissionRule>& rules) {
  std::vector<std::string> out;
  for (const PermissionRule& rule : rules) out.push_back(rule.text);
  return out;
}

std::string ParseError(const std::string& toml) {
  Result<PermissionConfig> config =
      ParsePermissionsToml(toml, "cfg.toml", RuleSource::kUser);
  EXPECT_FALSE(config.ok()) << toml;
  return config.ok() ? "" : config.status().message();
}

PermissionConfig MustParse(const std::string& toml, RuleSource source) {
  Result<PermissionConfig> config =
      ParsePermissionsToml(toml, "cfg.toml", source);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : PermissionConfig{};
}

TEST(ParsePermissionsToml, ReadsAllKeys) {
  PermissionConfig config = MustParse(R"toml(
[sandbox]
wasm_fuel = 100

[permissions]
default_mode = "acceptEdits"
allow = ["Read(src/**)", "WebFetch(domain:docs.rs)"]
ask = ["Edit(*.lock)"]
deny = ["Read(.env)"]
)toml",
                                      RuleSource::kWorkspace);
  EXPECT_EQ(config.default_mode, PermissionMode::kAcceptEdits);
  EXPECT_EQ(Texts(config.rules.allow),
            (std::vector<std::string>{"Read(src/**)",
                                      "WebFetch(domain:docs.rs)"}));
  EXPECT_EQ(Texts(config.rules.ask), std::vector<std::string>{"Edit(*.lock)"});
  EXPECT_EQ(Texts(config.rules.deny), std::vector<std::string>{"Read(.env)"});
  EXPECT_EQ(config.rules.allow[0].source, RuleSource::kWorkspace);
  EXPECT_EQ(config.rules.deny[0].source, RuleSource::kWorkspace);
}

TEST(ParsePermissionsToml, MissingTableIsEmpty) {
  PermissionConfig config = MustParse("[sandbox]\n", RuleSource::kUser);
  EXPECT_FALSE(config.default_mode.has_value());
  EXPECT_TRUE(config.rules.allow.empty());
  EXPECT_TRUE(config.rules.ask.empty());
  EXPECT_TRUE(config.rules.deny.empty());
}

TEST(ParsePermissionsToml, ErrorsNameFileAndKey) {
  EXPECT_EQ(ParseError("[permissions]\nalow = []\n"),
            "cfg.toml: unknown key permissions.alow (the permissions table "
            "takes allow, ask, deny and default_mode)");
  EXPECT_EQ(ParseError("[permissions]\ndefault_mode = \"auto\"\n"),
            "cfg.toml: permissions.default_mode: unknown permission mode "
            "\"auto\": use default, acceptEdits, plan or bypassPermissions "
            "(spelled exactly so)");
  EXPECT_EQ(ParseError("[permissions]\nallow = \"Read\"\n"),
            "cfg.toml: permissions.allow: expected an array of rule strings, "
            "such as [\"Read(src/**)\"]");
  EXPECT_EQ(ParseError("[permissions]\ndeny = [\"Read\", 3]\n"),
            "cfg.toml: permissions.deny[1]: expected a string such as "
            "\"Read(src/**)\"");
  EXPECT_EQ(ParseError("[permissions]\nask = [\"Read(\"]\n"),
            "cfg.toml: permissions.ask[0]: invalid permission rule "
            "\"Read(\": unbalanced parentheses (write Tool(specifier) and "
            "escape a literal parenthesis in a path as \\( or \\))");
  EXPECT_EQ(ParseError("permissions = 1\n"),
            "cfg.toml: \"permissions\" must be a table");
  EXPECT_EQ(ParseError("[permissions]\ndefault_mode = 1\n"),
            "cfg.toml: permissions.default_mode: expected a string such as "
            "\"acceptEdits\"");
}

TEST(ParsePermissionsToml, InvalidTomlNamesPosition) {
  std::string message = ParseError("[permissions\n");
  EXPECT_EQ(message.rfind("invalid TOML in cfg.toml at line 1", 0), 0u)
      << message;
}

TEST(LoadPermissionsFile, ReadsFileAndNamesMissingPath) {
  testing::TempDir dir;
  std::ofstream(dir / "user.toml") << "[permissions]\ndeny = [\"Bash\"]\n";
  Result<PermissionConfig> config =
      LoadPermissionsFile(dir / "user.toml", RuleSource::kUser);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(Texts(config->rules.deny), std::vector<std::string>{"Bash"});

  Result<PermissionConfig> missing =
      LoadPermissionsFile(dir / "absent.toml", RuleSource::kUser);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir / "absent.toml"),
            std::string::npos);
}

TEST(ParsePermissionRules, CommandLineRules) {
  Result<std::vector<PermissionRule>> rules =
      ParsePermissionRules({"Read", "Edit(src/**)"}, RuleSource::kCommandLine);
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(Texts(*rules), (std::vector<std::string>{"Read", "Edit(src/**)"}));
  EXPECT_EQ((*rules)[1].source, RuleSource::kCommandLine);

  Result<std::vector<PermissionRule>> bad =
      ParsePermissionRules({"Read", "Edit(x"}, RuleSource::kCommandLine);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"Edit(x\""), std::string::npos);
}

class MergePermissionsTest : public ::testing::Test {
 protected:
  PermissionConfig user_ = MustParse(R"toml(
[permissions]
default_mode = "acceptEdits"
allow = ["Read(user/**)"]
ask = ["Edit(user.md)"]
deny = ["Read(user.key)"]
)toml",
                                     RuleSource::kUser);
  PermissionConfig workspace_ = MustParse(R"toml(
[permissions]
default_mode = "bypassPermissions"
allow = ["Bash", "Edit"]
ask = ["Read(ws.md)"]
deny = ["Read(ws.key)"]
)toml",
                                          RuleSource::kWorkspace);
  PermissionConfig command_line_ = MustParse(R"toml(
[permissions]
allow = ["Read(cli/**)"]
deny = ["Read(cli.key)"]
)toml",
                                             RuleSource::kCommandLine);
};

TEST_F(MergePermissionsTest, TrustedWorkspaceMergesInOrder) {
  MergedPermissions merged =
      MergePermissions(user_, workspace_, true, command_line_);
  EXPECT_EQ(merged.mode, PermissionMode::kBypassPermissions);
  EXPECT_EQ(Texts(merged.rules.allow),
            (std::vector<std::string>{"Read(user/**)", "Bash", "Edit",
                                      "Read(cli/**)"}));
  EXPECT_EQ(Texts(merged.rules.ask),
            (std::vector<std::string>{"Edit(user.md)", "Read(ws.md)"}));
  EXPECT_EQ(Texts(merged.rules.deny),
            (std::vector<std::string>{"Read(user.key)", "Read(ws.key)",
                                      "Read(cli.key)"}));
  EXPECT_EQ(merged.rules.allow[1].source, RuleSource::kWorkspace);
  EXPECT_EQ(merged.rules.allow[3].source, RuleSource::kCommandLine);
  EXPECT_EQ(merged.ignored_workspace_settings, 0u);
}

TEST_F(MergePermissionsTest, UntrustedWorkspaceKeepsOnlyDenies) {
  MergedPermissions merged =
      MergePermissions(user_, workspace_, false, command_line_);
  EXPECT_EQ(merged.mode, PermissionMode::kAcceptEdits);
  EXPECT_EQ(Texts(merged.rules.allow),
            (std::vector<std::string>{"Read(user/**)", "Read(cli/**)"}));
  EXPECT_EQ(Texts(merged.rules.ask),
            std::vector<std::string>{"Edit(user.md)"});
  EXPECT_EQ(Texts(merged.rules.deny),
            (std::vector<std::string>{"Read(user.key)", "Read(ws.key)",
                                      "Read(cli.key)"}));
  // Two allow rules, one ask rule and the mode.
  EXPECT_EQ(merged.ignored_workspace_settings, 4u);
}

TEST_F(MergePermissionsTest, CommandLineModeWins) {
  command_line_.default_mode = PermissionMode::kPlan;
  MergedPermissions merged =
      MergePermissions(user_, workspace_, true, command_line_);
  EXPECT_EQ(merged.mode, PermissionMode::kPlan);
}

TEST(MergePermissions, NoModeMeansDefault) {
  MergedPermissions merged = MergePermissions({}, {}, false, {});
  EXPECT_EQ(merged.mode, PermissionMode::kDefault);
  EXPECT_TRUE(merged.rules.allow.empty());
}

}  // namespace
}  // namespace boxagnts::tools
