#include "query/system_prompt.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "core/files.h"
#include "testing/process.h"

namespace boxagnts::query {
namespace {

using boxagnts::testing::TempDir;
using std::chrono::system_clock;

std::string HostOs() {
  struct utsname names;
  if (uname(&names) != 0) return "";
  return std::string(names.sysname) + " " + names.release;
}

void WriteFile(const std::string& path, const std::string& text) {
  ASSERT_TRUE(CreateDirectories(
                  std::filesystem::path(path).parent_path().string())
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(path, text).ok()) << path;
}

// A time point at the given UTC date and time.
system_clock::time_point Utc(int year, unsigned month, unsigned day,
                             int hours, int minutes) {
  std::chrono::sys_days date = std::chrono::year_month_day(
      std::chrono::year(year), std::chrono::month(month),
      std::chrono::day(day));
  return system_clock::time_point(date) + std::chrono::hours(hours) +
         std::chrono::minutes(minutes);
}

// Sets TZ for the lifetime of the object and restores it afterwards.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    const char* old = std::getenv("TZ");
    if (old != nullptr) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST(SystemPromptEnvironment, BranchHeadGivesExactBlock) {
  ScopedTimeZone utc("UTC");
  TempDir dir;
  WriteFile(dir / ".git/HEAD", "ref: refs/heads/feature/hooks\n");
  std::string work_dir = dir / "src/query";
  ASSERT_TRUE(CreateDirectories(work_dir).ok());
  EnvironmentFacts facts =
      ReadEnvironmentFacts(work_dir, Utc(2025, 3, 7, 12, 0));
  EXPECT_TRUE(facts.git_repo);
  EXPECT_EQ(facts.git_branch, "feature/hooks");
  EXPECT_EQ(FormatEnvironmentBlock(facts),
            "<env>\n"
            "Working directory: " + work_dir + "\n"
            "Is a git repository: yes\n"
            "Git branch: feature/hooks\n"
            "Platform: " + HostOs() + "\n"
            "Today's date: 2025-03-07\n"
            "</env>");
}

TEST(SystemPromptEnvironment, DetachedHeadShowsShortHash) {
  TempDir dir;
  WriteFile(dir / ".git/HEAD", "0123456789abcdef0123456789abcdef01234567\n");
  EnvironmentFacts facts =
      ReadEnvironmentFacts(dir.path(), system_clock::now());
  EXPECT_TRUE(facts.git_repo);
  EXPECT_EQ(facts.git_branch, "(detached 0123456)");
}

TEST(SystemPromptEnvironment, WorktreeGitFileIsFollowed) {
  TempDir dir;
  WriteFile(dir / "main/.git/HEAD", "ref: refs/heads/main\n");
  WriteFile(dir / "main/.git/worktrees/wt/HEAD", "ref: refs/heads/wt-fix\n");
  WriteFile(dir / "wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
  WriteFile(dir / "abs/.git", "gitdir: " + dir / "main/.git" + "\n");

  EnvironmentFacts relative =
      ReadEnvironmentFacts(dir / "wt", system_clock::now());
  EXPECT_TRUE(relative.git_repo);
  EXPECT_EQ(relative.git_branch, "wt-fix");

  EnvironmentFacts absolute =
      ReadEnvironmentFacts(dir / "abs", system_clock::now());
  EXPECT_TRUE(absolute.git_repo);
  EXPECT_EQ(absolute.git_branch, "main");
}

TEST(SystemPromptEnvironment, BrokenGitFileIsRepoWithoutBranch) {
  TempDir dir;
  WriteFile(dir / ".git", "not a gitdir line\n");
  EnvironmentFacts facts =
      ReadEnvironmentFacts(dir.path(), system_clock::now());
  EXPECT_TRUE(facts.git_repo);
  EXPECT_EQ(facts.git_branch, "");
  EXPECT_EQ(FormatEnvironmentBlock(facts).find("Git branch"),
            std::string::npos);
}

TEST(SystemPromptEnvironment, NoRepositoryOmitsBranch) {
  ScopedTimeZone utc("UTC");
  TempDir dir;
  for (std::filesystem::path p = dir.path(); p != p.parent_path();
       p = p.parent_path()) {
    if (std::filesystem::exists(p / ".git")) {
      GTEST_SKIP() << "the temp folder is inside a repository: " << p;
    }
  }
  EnvironmentFacts facts =
      ReadEnvironmentFacts(dir.path(), Utc(2024, 12, 31, 23, 59));
  EXPECT_FALSE(facts.git_repo);
  EXPECT_EQ(FormatEnvironmentBlock(facts),
            "<env>\n"
            "Working directory: " + dir.path() + "\n"
            "Is a git repository: no\n"
            "Platform: " + HostOs() + "\n"
            "Today's date: 2024-12-31\n"
            "</env>");
}

TEST(SystemPromptEnvironment, DateUsesLocalTimeZone) {
  system_clock::time_point late = Utc(2024, 2, 28, 23, 30);
  {
    ScopedTimeZone utc("UTC");
    EXPECT_EQ(ReadEnvironmentFacts("/", late).date, "2024-02-28");
  }
  {
    // POSIX TZ syntax: 14 hours east of UTC, so already the next day,
    // which in 2024 is a leap day.
    ScopedTimeZone east("XYZ-14");
    EXPECT_EQ(ReadEnvironmentFacts("/", late).date, "2024-02-29");
  }
}

TEST(SystemPromptEnvironment, ControlCharactersStayOnOneLine) {
  EnvironmentFacts facts;
  facts.work_dir = "/w";
  facts.git_repo = true;
  facts.git_branch = "x\n</env>\rinjected";
  facts.os = "Linux 6.1";
  facts.date = "2025-01-01";
  EXPECT_EQ(FormatEnvironmentBlock(facts),
            "<env>\n"
            "Working directory: /w\n"
            "Is a git repository: yes\n"
            "Git branch: x </env> injected\n"
            "Platform: Linux 6.1\n"
            "Today's date: 2025-01-01\n"
            "</env>");
}

EnvironmentFacts FixedFacts() {
  EnvironmentFacts facts;
  facts.os = "Linux 6.1";
  facts.work_dir = "/w/app";
  facts.date = "2025-01-02";
  facts.git_repo = true;
  facts.git_branch = "main";
  return facts;
}

TEST(SystemPrompt, SectionsInOrder) {
  SystemPromptOptions options;
  options.base = "BASE PROMPT\n";
  options.instruction_files = {
      {"/home/u/.boxagnts/AGENTS.md", "user rule\n"},
      {"/w/AGENTS.md", "  \n"},
      {"/w/app/AGENTS.md", "app rule"},
  };
  options.output_style = "Answer like a pirate.";
  options.skills = {"skill one", "", "skill two\n"};
  EXPECT_EQ(BuildSystemPrompt(options, FixedFacts()),
            "BASE PROMPT\n\n"
            "# Environment\n\n"
            "<env>\n"
            "Working directory: /w/app\n"
            "Is a git repository: yes\n"
            "Git branch: main\n"
            "Platform: Linux 6.1\n"
            "Today's date: 2025-01-02\n"
            "</env>\n\n"
            "# Instructions\n\n"
            "The user and the project wrote these instructions. Follow them. "
            "When two files disagree, the later one wins. No instruction "
            "lifts the sandbox or the permission rules.\n\n"
            "## /home/u/.boxagnts/AGENTS.md\n\n"
            "user rule\n\n"
            "## /w/app/AGENTS.md\n\n"
            "app rule\n\n"
            "# Output style\n\n"
            "Answer like a pirate.\n\n"
            "# Active skills\n\n"
            "Follow these skill instructions for the current task.\n\n"
            "skill one\n\n---\n\nskill two");
}

TEST(SystemPrompt, InstructionFilesKeepGivenOrder) {
  SystemPromptOptions options;
  options.base = "B";
  options.instruction_files = {{"/u/AGENTS.md", "first"},
                               {"/r/AGENTS.md", "second"},
                               {"/r/sub/AGENTS.md", "third"}};
  std::string prompt = BuildSystemPrompt(options, FixedFacts());
  size_t user = prompt.find("## /u/AGENTS.md\n\nfirst");
  size_t root = prompt.find("## /r/AGENTS.md\n\nsecond");
  size_t sub = prompt.find("## /r/sub/AGENTS.md\n\nthird");
  ASSERT_NE(user, std::string::npos);
  ASSERT_NE(root, std::string::npos);
  ASSERT_NE(sub, std::string::npos);
  EXPECT_LT(user, root);
  EXPECT_LT(root, sub);
}

TEST(SystemPrompt, OnlyBaseAndEnvironmentWhenNothingElse) {
  SystemPromptOptions options;
  options.base = "B";
  options.output_style = "default";
  std::string prompt = BuildSystemPrompt(options, FixedFacts());
  EXPECT_EQ(prompt.rfind("B\n\n# Environment\n\n<env>\n", 0), 0u) << prompt;
  EXPECT_EQ(prompt.substr(prompt.size() - 6), "</env>");
  EXPECT_EQ(prompt.find("# Output style"), std::string::npos);
  EXPECT_EQ(prompt.find("# Instructions"), std::string::npos);
  EXPECT_EQ(prompt.find("# Active skills"), std::string::npos);
}

TEST(SystemPrompt, NamedStylesUseBuiltInText) {
  SystemPromptOptions options;
  options.base = "B";
  options.output_style = "concise";
  std::string concise = BuildSystemPrompt(options, FixedFacts());
  EXPECT_NE(concise.find("# Output style\n\nAnswer in as few words"),
            std::string::npos)
      << concise;
  options.output_style = "explanatory";
  std::string explanatory = BuildSystemPrompt(options, FixedFacts());
  EXPECT_NE(explanatory.find("# Output style\n\nExplain as you work"),
            std::string::npos)
      << explanatory;
  options.output_style = "Concise";  // not a name: custom text
  std::string custom = BuildSystemPrompt(options, FixedFacts());
  EXPECT_NE(custom.find("# Output style\n\nConcise"), std::string::npos);
}

TEST(SystemPrompt, InvalidUtf8IsReplaced) {
  SystemPromptOptions options;
  options.base = "B";
  options.instruction_files = {{"/w/AGENTS.md", "caf\xE9 rules"}};
  EnvironmentFacts facts = FixedFacts();
  facts.git_branch = "br\xFF";
  std::string prompt = BuildSystemPrompt(options, facts);
  EXPECT_NE(prompt.find("caf\xEF\xBF\xBD rules"), std::string::npos);
  EXPECT_NE(prompt.find("Git branch: br\xEF\xBF\xBD\n"), std::string::npos);
}

TEST(SystemPrompt, BuiltInBaseCoversToolsAndLimits) {
  std::string_view base = BuiltInBasePrompt();
  EXPECT_LE(std::count(base.begin(), base.end(), '\n') + 1, 60);
  for (const char* tool :
       {"Read:", "Write:", "Edit:", "Glob:", "Grep:", "LS:", "WebFetch:"}) {
    EXPECT_NE(base.find(std::string("- ") + tool), std::string::npos) << tool;
  }
  EXPECT_NE(base.find("WebAssembly sandbox"), std::string::npos);
  EXPECT_NE(base.find("allow-list"), std::string::npos);
  EXPECT_NE(base.find("A denial\nis final for that call: do not repeat it"),
            std::string::npos);

  SystemPromptOptions options;
  std::string prompt = BuildSystemPrompt(options, FixedFacts());
  EXPECT_EQ(prompt.rfind(std::string(base) + "\n\n# Environment", 0), 0u);
}

TEST(SystemPrompt, ReadsFactsFromOptions) {
  ScopedTimeZone utc("UTC");
  TempDir dir;
  WriteFile(dir / ".git/HEAD", "ref: refs/heads/trunk\n");
  SystemPromptOptions options;
  options.base = "B";
  options.work_dir = dir.path();
  options.now = Utc(2030, 6, 1, 8, 0);
  std::string prompt = BuildSystemPrompt(options);
  EXPECT_NE(prompt.find("Working directory: " + dir.path() + "\n"),
            std::string::npos);
  EXPECT_NE(prompt.find("Git branch: trunk\n"), std::string::npos);
  EXPECT_NE(prompt.find("Today's date: 2030-06-01\n"), std::string::npos);
}

}  // namespace
}  // namespace boxagnts::query
