// `boxagnts tool list` and `boxagnts tool run` as a user runs them.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "core/json.h"
#include "testing/process.h"

namespace boxagnts {
namespace {

using testing::CommandResult;
using testing::RunCommand;

class ToolCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(work_);
    std::ofstream(work_ + "/a.txt") << "alpha\nbeta\n";
  }

  CommandResult Tool(std::vector<std::string> args) {
    args.insert(args.begin(), {BOXAGNTS_BINARY, "tool"});
    args.push_back("--workspace-dir");
    args.push_back(workspace_);
    return RunCommand(args);
  }

  CommandResult RunJson(const std::string& name, const Json& input,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", name, "--input", input.dump(),
                                     "--work-dir", work_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Tool(args);
  }

  testing::TempDir root_;
  std::string work_ = root_ / "work";
  std::string workspace_ = root_ / "ws";
};

TEST_F(ToolCommandTest, ListShowsBuiltInTools) {
  CommandResult r = Tool({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"Read", "Write", "Edit", "Glob", "Grep", "LS",
                           "WebFetch"}) {
    EXPECT_NE(("\n" + r.out).find(std::string("\n") + name + " "),
              std::string::npos)
        << name << " missing from:\n" << r.out;
  }
}

TEST_F(ToolCommandTest, RunPrintsResultAndPermission) {
  CommandResult r = RunJson("Read", {{"file_path", work_ + "/a.txt"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Result<Json> out = ParseJson(r.out, "output");
  ASSERT_TRUE(out.ok()) << r.out;
  EXPECT_EQ((*out)["content"], "     1\talpha\n     2\tbeta");
  EXPECT_EQ((*out)["is_error"], false);
  EXPECT_EQ((*out)["permission"]["decision"], "allow");
  EXPECT_EQ((*out)["permission"]["rule"], "mode default: default");
}

TEST_F(ToolCommandTest, DeniedCallExitsOneAndIsAudited) {
  CommandResult r =
      RunJson("Write", {{"file_path", work_ + "/b.txt"}, {"content", "x"}},
              {"--deny", "Write"});
  EXPECT_EQ(r.exit_code, 1);
  Result<Json> out = ParseJson(r.out, "output");
  ASSERT_TRUE(out.ok()) << r.out;
  EXPECT_EQ((*out)["is_error"], true);
  EXPECT_EQ((*out)["permission"]["decision"], "deny");
  EXPECT_EQ((*out)["permission"]["rule"], "Write");
  EXPECT_FALSE(std::filesystem::exists(work_ + "/b.txt"));
  Result<std::string> audit = ReadFileToString(workspace_ + "/audit.jsonl");
  ASSERT_TRUE(audit.ok());
  Result<Json> entry = ParseJson(audit->substr(0, audit->find('\n')), "audit");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ((*entry)["tool"], "Write");
  EXPECT_EQ((*entry)["decision"], "deny");
  EXPECT_EQ((*entry)["matched_rule"], "Write");
}

TEST_F(ToolCommandTest, AllowRuleLetsEditRun) {
  CommandResult r = RunJson("Edit",
                            {{"file_path", work_ + "/a.txt"},
                             {"old_string", "beta"},
                             {"new_string", "gamma"}},
                            {"--allow", "Edit(*.txt)"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(*ReadFileToString(work_ + "/a.txt"), "alpha\ngamma\n");
}

TEST_F(ToolCommandTest, PlanModeDeniesWrites) {
  CommandResult r =
      RunJson("Write", {{"file_path", work_ + "/b.txt"}, {"content", "x"}},
              {"--permission-mode", "plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ParseJson(r.out, "output")->at("permission")["decision"], "deny");
}

TEST_F(ToolCommandTest, BadFlagsAreUsageErrors) {
  CommandResult r = Tool({"run", "Read", "--input", "{not json", "--work-dir",
                          work_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid JSON in --input"), std::string::npos) << r.err;
  r = Tool({"run", "Read", "--input", "{}", "--work-dir", work_,
            "--permission-mode", "yolo"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("yolo"), std::string::npos) << r.err;
  r = Tool({"run", "Read", "--input", "{}", "--work-dir", work_, "--allow",
            "Read(src/**"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Read(src/**"), std::string::npos) << r.err;
}

TEST_F(ToolCommandTest, UntrustedProjectConfigCannotAllow) {
  std::filesystem::create_directories(work_ + "/.boxagnts");
  std::ofstream(work_ + "/.boxagnts/config.toml")
      << "[permissions]\nallow = [\"Write\"]\n";
  Json input = {{"file_path", work_ + "/b.txt"}, {"content", "x"}};
  CommandResult r = RunJson("Write", input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ignored until the project is trusted"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(work_ + "/b.txt"));

  r = RunJson("Write", input, {"--trust-project"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(std::filesystem::exists(work_ + "/b.txt"));
}

}  // namespace
}  // namespace boxagnts
