// The whole tool call pipeline with the built-in tools: schema, then
// permissions, then the sandbox.

#include "tools/tool_executor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "tools/approval.h"
#include "tools/audit_log.h"
#include "tools/package.h"
#include "tools/permission_config.h"
#include "testing/process.h"

namespace boxagnts::tools {
namespace {

namespace fs = std::filesystem;

// Runs calls against the built-in tools of the build tree in a temporary
// work dir, with the headless approval handler and an in-memory audit log.
class ToolExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = LoadToolRegistry({BOXAGNTS_TOOLS_DIR "/..", ""});
    ASSERT_NE(registry_.Find("Read"), nullptr) << "built-in tools not built";
    work_ = root_ / "work";
    fs::create_directory(work_);
    std::ofstream(work_ + "/notes.txt") << "first\nsecond\n";
    std::ofstream(root_ / "secret.txt") << "TOP-SECRET";
    context_.work_dir = work_;
    context_.session_id = "s1";
    context_.call_id = "c1";
  }

  ToolCallOutcome Call(const std::string& name, const Json& input,
                       PermissionMode mode = PermissionMode::kDefault,
                       std::vector<std::string> allow = {},
                       std::vector<std::string> deny = {}) {
    PermissionRules rules;
    rules.allow = *ParsePermissionRules(allow, RuleSource::kCommandLine);
    rules.deny = *ParsePermissionRules(deny, RuleSource::kCommandLine);
    PermissionEngine engine(mode, rules, "");
    PermissionGate gate(&engine, &approval_, &audit_);
    ToolExecutor executor(&registry_, &gate, max_result_bytes_);
    return executor.Call(name, input, context_, {});
  }

  testing::TempDir root_;
  std::string work_;
  ToolRegistry registry_;
  ToolContext context_;
  HeadlessApprovalHandler approval_;
  MemoryAuditLog audit_;
  uint64_t max_result_bytes_ = kDefaultMaxResultBytes;
};

TEST_F(ToolExecutorTest, ReadInsideWorkDirIsAllowedAndRuns) {
  ToolCallOutcome outcome = Call("Read", {{"file_path", work_ + "/notes.txt"}});
  EXPECT_TRUE(outcome.executed);
  EXPECT_FALSE(outcome.result.is_error) << outcome.result.content;
  EXPECT_EQ(outcome.result.content, "     1\tfirst\n     2\tsecond");
  ASSERT_TRUE(outcome.permission.has_value());
  EXPECT_EQ(outcome.permission->decision, Decision::kAllow);
  ASSERT_EQ(audit_.entries().size(), 1u);
  EXPECT_EQ(audit_.entries()[0].tool, "Read");
}

TEST_F(ToolExecutorTest, SchemaFailureStopsBeforePermissions) {
  ToolCallOutcome outcome = Call("Read", {{"file_path", 42}});
  EXPECT_FALSE(outcome.executed);
  EXPECT_FALSE(outcome.permission.has_value());
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_EQ(outcome.result.content.rfind("tool Read: invalid input: field "
                                         "/file_path: ",
                                         0),
            0u)
      << outcome.result.content;
  EXPECT_TRUE(audit_.entries().empty());
}

TEST_F(ToolExecutorTest, UnknownToolListsAvailableOnes) {
  ToolCallOutcome outcome = Call("Bash", {{"command", "ls"}});
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_EQ(outcome.result.content.rfind("unknown tool \"Bash\"; available: ",
                                         0),
            0u);
  EXPECT_NE(outcome.result.content.find("Read"), std::string::npos);
}

TEST_F(ToolExecutorTest, WriteAsksAndHeadlessDenies) {
  ToolCallOutcome outcome =
      Call("Write", {{"file_path", work_ + "/new.txt"}, {"content", "x"}});
  EXPECT_FALSE(outcome.executed);
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_EQ(outcome.result.content.rfind("permission denied for Write: ", 0), 0u);
  EXPECT_FALSE(fs::exists(work_ + "/new.txt"));
}

TEST_F(ToolExecutorTest, AcceptEditsRunsWrite) {
  ToolCallOutcome outcome =
      Call("Write", {{"file_path", work_ + "/new.txt"}, {"content", "x"}},
           PermissionMode::kAcceptEdits);
  EXPECT_TRUE(outcome.executed);
  EXPECT_FALSE(outcome.result.is_error) << outcome.result.content;
  EXPECT_EQ(*ReadFileToString(work_ + "/new.txt"), "x");
}

TEST_F(ToolExecutorTest, DenyRuleBeatsBypassMode) {
  ToolCallOutcome outcome =
      Call("Write", {{"file_path", work_ + "/new.txt"}, {"content", "x"}},
           PermissionMode::kBypassPermissions, {}, {"Edit(*.txt)"});
  EXPECT_FALSE(outcome.executed);
  EXPECT_EQ(outcome.permission->decision, Decision::kDeny);
  EXPECT_EQ(outcome.permission->check.MatchedRuleText(), "Edit(*.txt)");
}

TEST_F(ToolExecutorTest, ReadOutsideWorkDirIsNotAllowed) {
  ToolCallOutcome outcome = Call("Read", {{"file_path", root_ / "secret.txt"}});
  EXPECT_FALSE(outcome.executed);
  EXPECT_EQ(outcome.result.content.find("TOP-SECRET"), std::string::npos);
}

TEST_F(ToolExecutorTest, AllowedOutsidePathStaysInvisibleToSandbox) {
  // Even when a rule allows the path, the sandbox mounts only the work
  // dir, so the file does not exist for the guest.
  ToolCallOutcome outcome = Call("Read", {{"file_path", root_ / "secret.txt"}},
                                 PermissionMode::kBypassPermissions);
  EXPECT_TRUE(outcome.executed);
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_EQ(outcome.result.content.find("TOP-SECRET"), std::string::npos);
}

TEST_F(ToolExecutorTest, ReadOnlyToolCannotWrite) {
  // A read-only package whose module tries to create a file in the work
  // dir: its mounts are read-only, so the write fails.
  std::string dir = root_ / "pkg";
  fs::create_directories(dir);
  std::ofstream(dir + "/tool.json") << Json{
      {"name", "Sneaky"},
      {"description", "claims to read, tries to write"},
      {"input_schema", {{"type", "object"}}},
      {"read_only", true},
      {"capabilities", {"file_read"}}}.dump();
  fs::copy_file(std::string(BOXAGNTS_TEST_GUEST_DIR) + "/fs_probe.wasm",
                dir + "/probe.wasm");
  Result<std::unique_ptr<WasmTool>> tool = LoadToolPackage(dir);
  ASSERT_TRUE(tool.ok()) << tool.status().ToString();
  // fs_probe takes its operation from argv, which tools do not get, so
  // run its request directly to check the profile.
  auto request = (*tool)->BuildRunRequest(Json::object(), context_, {});
  ASSERT_TRUE(request.ok());
  request->args = {"write", work_ + "/planted.txt", "x"};
  sandbox::Sandbox sandbox("");
  auto outcome = sandbox.Run(sandbox::ModuleSource::File((*tool)->module_path()),
                             *request);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->stdout_bytes.rfind("error ", 0), 0u) << outcome->stdout_bytes;
  EXPECT_FALSE(fs::exists(work_ + "/planted.txt"));
}

TEST_F(ToolExecutorTest, LargeResultIsTruncatedWithMarker) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "line " + std::to_string(i) + "\n";
  std::ofstream(work_ + "/big.txt") << big;
  max_result_bytes_ = 2000;
  ToolCallOutcome outcome = Call("Read", {{"file_path", work_ + "/big.txt"}});
  EXPECT_FALSE(outcome.result.is_error) << outcome.result.content;
  EXPECT_LE(outcome.result.content.size(), 2000u);
  EXPECT_NE(outcome.result.content.find("cut from the middle"), std::string::npos);
  EXPECT_GT(outcome.result.metadata["truncated_from_bytes"].get<uint64_t>(),
            2000u);
}

}  // namespace
}  // namespace boxagnts::tools

namespace boxagnts::tools {
namespace {

TEST_F(ToolExecutorTest, SearchOverDeniedFileIsDenied) {
  std::ofstream(work_ + "/.env") << "API_KEY=hunter2";
  fs::create_directories(work_ + "/src");
  std::ofstream(work_ + "/src/main.c") << "int main;";
  ToolCallOutcome outcome =
      Call("Grep", {{"pattern", "API_KEY"}, {"output_mode", "content"}},
           PermissionMode::kDefault, {}, {"Read(.env)"});
  EXPECT_FALSE(outcome.executed);
  EXPECT_EQ(outcome.permission->decision, Decision::kDeny);
  EXPECT_EQ(outcome.permission->check.MatchedRuleText(), "Read(.env)");
  EXPECT_EQ(outcome.result.content.find("hunter2"), std::string::npos);

  outcome = Call("Glob", {{"pattern", "*"}}, PermissionMode::kDefault, {},
                 {"Read(.env)"});
  EXPECT_FALSE(outcome.executed);

  // A search of a folder the rule cannot reach runs.
  outcome = Call("Grep", {{"pattern", "main"}, {"path", work_ + "/src"}},
                 PermissionMode::kDefault, {}, {"Read(/.env)"});
  EXPECT_TRUE(outcome.executed) << outcome.result.content;
  EXPECT_FALSE(outcome.result.is_error) << outcome.result.content;
}

TEST_F(ToolExecutorTest, DirectoryRuleStopsSearchAboveIt) {
  fs::create_directories(work_ + "/secrets");
  std::ofstream(work_ + "/secrets/k.txt") << "TOPSECRET";
  ToolCallOutcome outcome =
      Call("Grep", {{"pattern", "TOP"}, {"output_mode", "content"}},
           PermissionMode::kDefault, {}, {"Read(secrets/)"});
  EXPECT_FALSE(outcome.executed);
  EXPECT_EQ(outcome.result.content.find("TOPSECRET"), std::string::npos);
}

TEST_F(ToolExecutorTest, TildeIsAPlainNameForRules) {
  fs::create_directories(work_ + "/~");
  std::ofstream(work_ + "/~/.env") << "TILDE_SECRET";
  ToolCallOutcome outcome = Call("Read", {{"file_path", "~/.env"}},
                                 PermissionMode::kBypassPermissions, {},
                                 {"Read(.env)"});
  EXPECT_FALSE(outcome.executed);
  EXPECT_EQ(outcome.result.content.find("TILDE_SECRET"), std::string::npos);
}

}  // namespace
}  // namespace boxagnts::tools

namespace boxagnts::tools {
namespace {

TEST_F(ToolExecutorTest, WriteKeepsLinkItCannotFollow) {
  fs::create_symlink(root_ / "secret.txt", work_ + "/outward");
  ToolCallOutcome outcome =
      Call("Write", {{"file_path", work_ + "/outward"}, {"content", "x"}},
           PermissionMode::kBypassPermissions);
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_NE(outcome.result.content.find("is a symbolic link that cannot be "
                                        "followed"),
            std::string::npos)
      << outcome.result.content;
  EXPECT_TRUE(fs::is_symlink(work_ + "/outward"));
  EXPECT_EQ(*ReadFileToString(root_ / "secret.txt"), "TOP-SECRET");
}

}  // namespace
}  // namespace boxagnts::tools

namespace boxagnts::tools {
namespace {

TEST_F(ToolExecutorTest, GrepRejectsBackReferences) {
  ToolCallOutcome outcome = Call("Grep", {{"pattern", "(a)\\1"}});
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_NE(outcome.result.content.find("back-references such as \\1 are not "
                                        "supported"),
            std::string::npos)
      << outcome.result.content;
  outcome = Call("Grep", {{"pattern", "a\\\\1"}});
  EXPECT_FALSE(outcome.result.is_error) << "an escaped backslash is fine";
}

TEST_F(ToolExecutorTest, WriteRejectsDirectoryLikePath) {
  ToolCallOutcome outcome =
      Call("Write", {{"file_path", work_ + "/newdir/"}, {"content", "x"}},
           PermissionMode::kAcceptEdits);
  EXPECT_TRUE(outcome.result.is_error);
  EXPECT_NE(outcome.result.content.find("ends with '/'"), std::string::npos)
      << outcome.result.content;
  EXPECT_FALSE(fs::exists(work_ + "/newdir"));
}

}  // namespace
}  // namespace boxagnts::tools
