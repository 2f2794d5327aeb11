// `boxagnts demo` end to end: the bundled recording replayed on a fresh
// copy of the demo project by the real binary, tools and sandbox, with no
// key in the environment.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "testing/process.h"

namespace boxagnts {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::RunCommand;
using testing::TempDir;

constexpr char kFixedWcC[] =
    "#include \"wc.h\"\n"
    "\n"
    "#include <ctype.h>\n"
    "\n"
    "void wc_count(const char *text, size_t len, struct wc_counts *counts) "
    "{\n"
    "  int in_word = 0;\n"
    "\n"
    "  counts->lines = 0;\n"
    "  counts->words = 0;\n"
    "  counts->bytes = len;\n"
    "  for (size_t i = 0; i < len; i++) {\n"
    "    unsigned char c = (unsigned char)text[i];\n"
    "    if (c == '\\n') counts->lines++;\n"
    "    if (isspace(c)) {\n"
    "      /* A word ends at the first white space after it. */\n"
    "      if (in_word) counts->words++;\n"
    "      in_word = 0;\n"
    "    } else {\n"
    "      in_word = 1;\n"
    "    }\n"
    "  }\n"
    "  /* The input can end inside a word, with no white space after it. */\n"
    "  if (in_word) counts->words++;\n"
    "}\n";

class DemoCommandTest : public ::testing::Test {
 protected:
  // Runs `boxagnts demo --work-dir-parent PARENT` with only PATH, HOME
  // and BOXAGNTS_WORKSPACE_DIR set, so that no key or user setting can
  // reach it.
  CommandResult RunDemo(std::vector<std::string> flags = {}) {
    return RunDemoIn(parent_.path(), std::move(flags));
  }

  CommandResult RunDemoIn(const std::string& parent,
                          std::vector<std::string> flags = {}) {
    const char* path = std::getenv("PATH");
    std::vector<std::string> argv = {
        "/usr/bin/env",
        "-i",
        std::string("PATH=") + (path ? path : "/usr/bin:/bin"),
        "HOME=" + home_.path(),
        "BOXAGNTS_WORKSPACE_DIR=" + user_workspace_.path(),
        BOXAGNTS_BINARY,
        "demo",
        "--work-dir-parent",
        parent,
    };
    argv.insert(argv.end(), flags.begin(), flags.end());
    return RunCommand(argv);
  }

  fs::path DemoDir() const {
    return fs::path(parent_.path()) / "boxagnts-demo";
  }
  fs::path Repo() const { return DemoDir() / "repo"; }

  TempDir home_;
  TempDir user_workspace_;
  TempDir parent_;
};

TEST_F(DemoCommandTest, ReplayFixesBugInFreshCopy) {
  CommandResult result = RunDemo();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;

  EXPECT_EQ(*ReadFileToString((Repo() / "wc.c").string()), kFixedWcC);
  Result<std::string> test = ReadFileToString(
      (Repo() / "tests/test_wc.c").string());
  ASSERT_TRUE(test.ok());
  EXPECT_NE(test->find("  expect_counts(\"hello world\", 0, 2, 11);\n"
                       "  expect_counts(\"one\", 0, 1, 3);\n"),
            std::string::npos)
      << *test;
  Result<std::string> readme =
      ReadFileToString((Repo() / "README.md").string());
  ASSERT_TRUE(readme.ok());
  EXPECT_NE(readme->find("- [x] The word count is one short"),
            std::string::npos);

  // The changes are printed: a git diff, or each changed file in full
  // when git could not make the copy a repository.
  if (result.err.find("note: no git repository") == std::string::npos) {
    EXPECT_NE(result.out.find("diff --git a/wc.c b/wc.c"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("+  if (in_word) counts->words++;\n"),
              std::string::npos);
    EXPECT_NE(
        result.out.find("diff --git a/tests/test_wc.c b/tests/test_wc.c"),
        std::string::npos);
  } else {
    EXPECT_NE(result.out.find("=== wc.c\n--- before\n"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find(std::string("+++ after\n") + kFixedWcC),
              std::string::npos);
    EXPECT_NE(result.out.find("=== tests/test_wc.c\n"), std::string::npos);
  }
  EXPECT_EQ(result.out.find("=== main.c"), std::string::npos);
  EXPECT_NE(result.out.find("`make test` checks the fix."), std::string::npos);
  EXPECT_NE(result.out.find(Repo().string()), std::string::npos);

  // The user's workspace and home stay untouched. Without --keep the
  // demo's own workspace is removed.
  EXPECT_TRUE(fs::is_empty(user_workspace_.path()));
  EXPECT_FALSE(fs::exists(fs::path(home_.path()) / ".boxagnts"));
  EXPECT_FALSE(fs::exists(DemoDir() / "workspace"));
  EXPECT_TRUE(fs::is_regular_file(DemoDir() / ".boxagnts-demo"));
}

TEST_F(DemoCommandTest, SecondRunStartsFromFreshCopy) {
  ASSERT_EQ(RunDemo().exit_code, 0);
  std::ofstream(Repo() / "stray.txt") << "left from the first run\n";

  CommandResult again = RunDemo({"--keep"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_FALSE(fs::exists(Repo() / "stray.txt"));
  EXPECT_EQ(*ReadFileToString((Repo() / "wc.c").string()), kFixedWcC);
  // --keep leaves the session store for `boxagnts sessions`.
  EXPECT_TRUE(fs::exists(DemoDir() / "workspace/sessions.db"))
      << again.out;
  EXPECT_TRUE(fs::is_empty(user_workspace_.path()));
}

TEST_F(DemoCommandTest, LeavesForeignFolderAlone) {
  fs::create_directories(DemoDir());
  std::ofstream(DemoDir() / "notes.txt") << "mine\n";

  CommandResult result = RunDemo();
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("exists and was not made by boxagnts demo"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(*ReadFileToString((DemoDir() / "notes.txt").string()), "mine\n");
  EXPECT_FALSE(fs::exists(Repo()));
}

TEST_F(DemoCommandTest, MissingParentIsUsageError) {
  fs::path missing = fs::path(parent_.path()) / "missing";
  CommandResult result = RunDemoIn(missing.string());
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("--work-dir-parent \"" + missing.string() +
                            "\" is not an existing directory"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace boxagnts
