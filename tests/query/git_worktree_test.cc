#include "query/git_worktree.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/files.h"
#include "query/git_command.h"
#include "testing/process.h"

namespace boxagnts::query {
namespace {

using ::boxagnts::testing::CommandResult;
using ::boxagnts::testing::RunCommand;
using ::boxagnts::testing::TempDir;

// Runs the machine's git directly, without RunGit's protections, to set
// up repositories and to show that the traps below do fire.
CommandResult RunPlainGit(const std::string& dir,
                          const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env",   "git",
                                   "-C",             dir,
                                   "-c",             "user.name=Test",
                                   "-c",             "user.email=test@x",
                                   "-c",             "commit.gpgSign=false",
                                   "-c",             "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

// Like RunPlainGit; fails the test when git fails and returns stdout.
std::string PlainGit(const std::string& dir,
                     const std::vector<std::string>& args) {
  CommandResult result = RunPlainGit(dir, args);
  std::string joined;
  for (const std::string& arg : args) joined += " " + arg;
  EXPECT_EQ(result.exit_code, 0) << "git" << joined << ": " << result.err;
  return result.out;
}

void WriteFile(const std::string& path, const std::string& content,
               int mode = 0644) {
  ASSERT_TRUE(
      CreateDirectories(std::filesystem::path(path).parent_path()).ok());
  ASSERT_TRUE(WriteFileAtomic(path, content, mode).ok()) << path;
}

std::string ReadFile(const std::string& path) {
  Result<std::string> content = ReadFileToString(path);
  return content.ok() ? *content : "<" + content.status().message() + ">";
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> ListFolder(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Creates <dir> as a repository on branch main with one commit holding
// a.txt ("one\n") and c.txt ("three\n").
std::string InitRepo(const std::string& dir) {
  WriteFile(dir + "/a.txt", "one\n");
  WriteFile(dir + "/c.txt", "three\n");
  PlainGit(dir, {"init", "-q"});
  PlainGit(dir, {"add", "a.txt", "c.txt"});
  PlainGit(dir, {"commit", "-q", "-m", "init"});
  return dir;
}

std::string Trim(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

WorktreeOptions OptionsFor(const std::string& repo, const std::string& branch,
                           const TempDir& tmp) {
  WorktreeOptions options;
  options.repo_dir = repo;
  options.branch = branch;
  options.parent_dir = tmp / "worktrees";
  return options;
}

// ---------------------------------------------------------------------------
// Traps: programs that create a marker file when run, and config naming
// them. After the runtime's git commands the marker folder must be empty.

class Traps {
 public:
  explicit Traps(const TempDir& tmp)
      : markers_(tmp / "markers"), bin_(tmp / "bin") {
    EXPECT_TRUE(CreateDirectories(markers_).ok());
  }

  // Writes an executable that creates the marker `name` and returns its
  // path. Filter and textconv programs also pass their input through.
  std::string Program(const std::string& name) {
    std::string path = bin_ + "/" + name;
    WriteFile(path, "#!/bin/sh\ntouch '" + markers_ + "/" + name +
                        "'\ncat 2>/dev/null\nexit 0\n",
              0755);
    return path;
  }

  // Writes hooks that each create the marker `<prefix><hook name>`.
  void Hooks(const std::string& dir, const std::string& prefix) {
    for (const char* hook :
         {"post-checkout", "pre-commit", "prepare-commit-msg", "commit-msg",
          "post-commit", "post-index-change", "reference-transaction",
          "pre-auto-gc", "post-rewrite", "pre-push"}) {
      WriteFile(dir + "/" + hook,
                "#!/bin/sh\ntouch '" + markers_ + "/" + prefix + hook + "'\n",
                0755);
    }
  }

  // Arms `repo` with every config key that names a program, except filter
  // drivers, plus hooks in .git/hooks and in a core.hooksPath folder.
  void ArmConfig(const std::string& repo) {
    Hooks(repo + "/.git/hooks", "default-hook-");
    Hooks(bin_ + "/hooks", "hook-");
    std::vector<std::pair<std::string, std::string>> settings = {
        {"core.fsmonitor", Program("fsmonitor")},
        {"core.hooksPath", bin_ + "/hooks"},
        {"core.pager", Program("pager")},
        {"pager.log", Program("pager-log")},
        {"pager.diff", Program("pager-diff")},
        {"core.editor", Program("editor")},
        {"sequence.editor", Program("sequence-editor")},
        {"core.sshCommand", Program("ssh")},
        {"core.askPass", Program("askpass")},
        {"credential.helper", Program("credential")},
        {"diff.external", Program("external-diff")},
        {"diff.trap.command", Program("diff-command")},
        {"diff.trap.textconv", Program("textconv")},
        {"gpg.program", Program("gpg")},
        {"gpg.ssh.program", Program("gpg-ssh")},
        {"commit.gpgSign", "true"},
        {"log.showSignature", "true"},
        {"gc.auto", "1"},
        {"gc.autoDetach", "false"},
        {"maintenance.auto", "true"},
        {"submodule.recurse", "true"},
    };
    for (const auto& [key, value] : settings) {
      PlainGit(repo, {"config", key, value});
    }
  }

  // Arms `repo` with a filter driver that `*.txt` files use. The
  // .gitattributes file must be committed before.
  void ArmFilter(const std::string& repo) {
    for (const char* command : {"clean", "smudge", "process"}) {
      PlainGit(repo, {"config", std::string("filter.trap.") + command,
                      Program(std::string("filter-") + command)});
    }
  }

  std::vector<std::string> Fired() const { return ListFolder(markers_); }

 private:
  std::string markers_;
  std::string bin_;
};

// ---------------------------------------------------------------------------
// RunGit

TEST(GitCommand, RejectsOptionsBeforeSubcommand) {
  TempDir tmp;
  std::vector<std::vector<std::string>> cases = {
      {},
      {"--git-dir=/x"},
      {"-c", "core.hooksPath=/tmp/hooks", "status"},
      {"--exec-path=/tmp", "version"},
      {"-C", "/", "status"},
      {"--config-env=core.pager=PAGER", "log"},
      {"--git-dir=/x", "-c", "a.b=c", "status"},
  };
  for (const std::vector<std::string>& args : cases) {
    Result<GitResult> run = RunGit(args, tmp.path());
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument)
        << run.status().ToString();
  }
}

TEST(GitCommand, RejectsUnlistedEnvironmentVariable) {
  TempDir tmp;
  Result<GitResult> run =
      RunGit({"version"}, tmp.path(), GitEnv{{{"GIT_DIR", "/elsewhere"}}});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(run.status().message().find("\"GIT_DIR\""), std::string::npos)
      << run.status().message();
}

TEST(GitCommand, OverridesRepositoryConfig) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  PlainGit(repo, {"config", "core.hooksPath", "/trap/hooks"});
  PlainGit(repo, {"config", "core.fsmonitor", "/trap/fsmonitor"});
  PlainGit(repo, {"config", "protocol.allow", "always"});
  for (const auto& [key, expected] :
       std::vector<std::pair<std::string, std::string>>{
           {"core.hooksPath", "/dev/null\n"},
           {"core.fsmonitor", "false\n"},
           {"protocol.allow", "never\n"},
           {"commit.gpgSign", "false\n"},
           {"credential.helper", "\n"}}) {
    Result<GitResult> run = RunGit({"config", "--get", key}, repo);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->exit_code, 0) << key;
    EXPECT_EQ(run->out, expected) << key;
  }
}

TEST(GitCommand, IgnoresInheritedEnvironmentAndGlobalConfig) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WriteFile(tmp / "home/.gitconfig", "[user]\n\tname = Global User\n");
  std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("HOME", (tmp / "home").c_str(), 1);
  ::setenv("GIT_DIR", (tmp / "nowhere").c_str(), 1);
  ::setenv("GIT_CONFIG_PARAMETERS", "'core.hookspath'='/trap'", 1);
  ::setenv("GIT_EDITOR", "/trap/editor", 1);

  Result<GitResult> name = RunGit({"config", "--get", "user.name"}, repo);
  Result<GitResult> hooks = RunGit({"config", "--get", "core.hooksPath"}, repo);
  Result<GitResult> editor = RunGit({"var", "GIT_EDITOR"}, repo);
  Result<GitResult> top = RunGit({"rev-parse", "--show-toplevel"}, repo);

  ::setenv("HOME", old_home.c_str(), 1);
  ::unsetenv("GIT_DIR");
  ::unsetenv("GIT_CONFIG_PARAMETERS");
  ::unsetenv("GIT_EDITOR");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  ASSERT_TRUE(hooks.ok()) << hooks.status().ToString();
  ASSERT_TRUE(editor.ok()) << editor.status().ToString();
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ(name->exit_code, 1) << "global user.name was read: " << name->out;
  EXPECT_EQ(hooks->out, "/dev/null\n");
  EXPECT_EQ(editor->out, "false\n");
  EXPECT_EQ(top->out, repo + "\n");
}

TEST(GitCommand, ReturnsNonZeroExitWithStderr) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<GitResult> run = RunGit({"rev-parse", "--verify", "nope"}, repo);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 128);
  EXPECT_EQ(run->out, "");
  EXPECT_EQ(run->err, "fatal: Needed a single revision\n");
}

TEST(GitCommand, MissingGitIsNotFound) {
  TempDir tmp;
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", tmp.path().c_str(), 1);
  Result<GitResult> run = RunGit({"version"}, tmp.path());
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kNotFound);
  EXPECT_NE(run.status().message().find("git not found in PATH"),
            std::string::npos)
      << run.status().message();
}

TEST(GitCommand, RejectsAliasSubcommand) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  PlainGit(repo, {"config", "alias.trap", "!touch '" + tmp / "ran" + "'"});
  Result<GitResult> run = RunGit({"trap"}, repo);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(run.status().message().find("git subcommand \"trap\""),
            std::string::npos)
      << run.status().message();
  EXPECT_FALSE(Exists(tmp / "ran"));
}

// Counts the processes whose working directory is `dir`.
int CountProcessesIn(const std::string& dir) {
  int count = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code link_error;
    std::filesystem::path cwd =
        std::filesystem::read_symlink(entry.path() / "cwd", link_error);
    if (!link_error && cwd == dir) ++count;
  }
  return count;
}

TEST(GitCommand, TimeoutKillsProcessGroup) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string fifo = tmp / "attributes";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  // `git worktree add` starts `git reset --hard` in the new worktree, which
  // blocks opening the attributes file until a writer appears.
  PlainGit(repo, {"config", "core.attributesFile", fifo});
  auto start = std::chrono::steady_clock::now();
  Result<GitResult> run =
      RunGit({"--git-dir=" + repo + "/.git", "worktree", "add", tmp / "wt",
              "-b", "x"},
             repo, {}, 500);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kDeadlineExceeded)
      << run.status().ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(10));

  // The child git must be gone too. It gets SIGKILL with git but may take
  // a moment to exit, so allow up to 5 s.
  int left = 1;
  for (int i = 0; i < 100 && left > 0; ++i) {
    left = CountProcessesIn(tmp / "wt");
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(left, 0) << "a git process outlived the timeout";
  // Releases a child that is still blocked, so it cannot hang around.
  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  if (fd >= 0) ::close(fd);
}

TEST(GitCommand, LockContentionMessages) {
  EXPECT_TRUE(IsGitLockContention(
      {128, "", "fatal: cannot lock ref 'HEAD': Unable to create "
                "'/r/.git/refs/heads/b.lock': File exists.\n"}));
  EXPECT_TRUE(IsGitLockContention(
      {128, "", "fatal: Unable to create '/r/.git/index.lock': File "
                "exists.\n"}));
  EXPECT_FALSE(IsGitLockContention({0, "", "cannot lock ref"}));
  EXPECT_FALSE(IsGitLockContention({1, "", "fatal: bad revision 'x'\n"}));
}

TEST(GitCommand, DescribeFailureNamesSubcommandAndStderr) {
  EXPECT_EQ(DescribeGitFailure({"--git-dir=/r/.git", "worktree", "add", "/p",
                                "b"},
                               {128, "", "fatal: boom\n\n"}),
            "git worktree add exited with code 128: fatal: boom");
  EXPECT_EQ(DescribeGitFailure({"commit", "-m", "x"}, {1, "out", ""}),
            "git commit exited with code 1");
}

TEST(GitCommand, CheckRepoConfigRejectsFiltersAndIncludes) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string git_dir = repo + "/.git";
  EXPECT_TRUE(CheckRepoConfig(git_dir).ok());
  PlainGit(repo, {"config", "filter.lfs.required", "true"});
  EXPECT_TRUE(CheckRepoConfig(git_dir).ok()) << "required names no program";

  PlainGit(repo, {"config", "filter.Lfs.process", "git-lfs filter-process"});
  Status filter = CheckRepoConfig(git_dir);
  EXPECT_EQ(filter.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(filter.message().find("sets filter.Lfs.process"),
            std::string::npos)
      << filter.message();
  EXPECT_NE(filter.message().find("\"" + git_dir + "/config\""),
            std::string::npos)
      << filter.message();
  PlainGit(repo, {"config", "--remove-section", "filter.Lfs"});

  PlainGit(repo, {"config", "hook.lint.command", "/trap/lint"});
  Status hook = CheckRepoConfig(git_dir);
  EXPECT_EQ(hook.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(hook.message().find("sets hook.lint.command, a hook command"),
            std::string::npos)
      << hook.message();
  PlainGit(repo, {"config", "--remove-section", "hook.lint"});

  PlainGit(repo, {"config", "includeIf.gitdir:/.path", tmp / "extra"});
  Status include = CheckRepoConfig(git_dir);
  EXPECT_EQ(include.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(include.message().find("sets includeif.gitdir:/.path"),
            std::string::npos)
      << include.message();
}

// ---------------------------------------------------------------------------
// Worktree lifecycle

TEST(GitWorktree, CreateCommitReportRemove) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string base = Trim(PlainGit(repo, {"rev-parse", "HEAD"}));
  Result<Worktree> created = Worktree::Create(
      OptionsFor(repo, "executor/task-1", tmp));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Worktree& worktree = *created;
  EXPECT_EQ(worktree.path(), tmp / "worktrees/executor-task-1");
  EXPECT_EQ(worktree.branch(), "executor/task-1");
  EXPECT_EQ(worktree.base_commit(), base);
  EXPECT_EQ(worktree.git_dir(), repo + "/.git/worktrees/executor-task-1");
  EXPECT_EQ(ReadFile(worktree.path() + "/a.txt"), "one\n");
  EXPECT_EQ(ReadFile(worktree.path() + "/.git"),
            "gitdir: " + repo + "/.git/worktrees/executor-task-1\n");

  // Nothing changed yet.
  Result<std::string> none = worktree.CommitAll("nothing");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, "");

  WriteFile(worktree.path() + "/a.txt", "one\nmore\n");
  WriteFile(worktree.path() + "/dir/b.txt", "two\n");
  ASSERT_EQ(::unlink((worktree.path() + "/c.txt").c_str()), 0);
  Result<std::string> first = worktree.CommitAll("Change a, add b, drop c");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, Trim(PlainGit(repo, {"rev-parse", "executor/task-1"})));
  EXPECT_EQ(PlainGit(repo, {"log", "-1", "--format=%an <%ae>|%cn <%ce>|%B",
                            *first}),
            "boxagnts executor <executor@boxagnts.local>|"
            "boxagnts executor <executor@boxagnts.local>|"
            "Change a, add b, drop c\n\n");

  WriteFile(worktree.path() + "/a.txt", "uno\n");
  Result<std::string> second =
      worktree.CommitAll("Second\n\n# kept\n\n", "Ada Lovelace <ada@x.org>");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(PlainGit(repo, {"log", "-1", "--format=%an <%ae>|%B", *second}),
            "Ada Lovelace <ada@x.org>|Second\n\n# kept\n\n");

  Result<WorktreeReport> report = worktree.Report();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->branch, "executor/task-1");
  EXPECT_EQ(report->base_commit, base);
  std::string short_first = Trim(PlainGit(repo, {"rev-parse", "--short",
                                                 *first}));
  std::string short_second = Trim(PlainGit(repo, {"rev-parse", "--short",
                                                  *second}));
  EXPECT_EQ(report->commits,
            (std::vector<std::string>{short_first + " Change a, add b, drop c",
                                      short_second + " Second"}));
  EXPECT_EQ(report->diff_stat,
            " a.txt     | 2 +-\n"
            " c.txt     | 1 -\n"
            " dir/b.txt | 1 +\n"
            " 3 files changed, 2 insertions(+), 2 deletions(-)");
  EXPECT_TRUE(report->kept);
  EXPECT_EQ(report->path, worktree.path());

  // The main work tree and its branch are untouched.
  EXPECT_EQ(ReadFile(repo + "/a.txt"), "one\n");
  EXPECT_EQ(Trim(PlainGit(repo, {"rev-parse", "main"})), base);
  EXPECT_EQ(PlainGit(repo, {"status", "--porcelain"}), "");

  ASSERT_TRUE(worktree.Remove().ok());
  EXPECT_FALSE(Exists(worktree.path()));
  EXPECT_FALSE(Exists(worktree.git_dir()));
  EXPECT_EQ(PlainGit(repo, {"worktree", "list", "--porcelain"}).find(
                worktree.path()),
            std::string::npos);
  EXPECT_EQ(Trim(PlainGit(repo, {"rev-parse", "executor/task-1"})), *second);
  EXPECT_TRUE(worktree.Remove().ok()) << "Remove is idempotent";

  Result<WorktreeReport> after = worktree.Report();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_FALSE(after->kept);
  EXPECT_EQ(after->commits, report->commits);

  Result<std::string> late = worktree.CommitAll("late");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
}

TEST(GitWorktree, StartsFromBaseNotDirtyWorkTree) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string first = Trim(PlainGit(repo, {"rev-parse", "HEAD"}));
  WriteFile(repo + "/a.txt", "second\n");
  PlainGit(repo, {"commit", "-q", "-am", "second"});
  // Dirty main work tree: a modified file and an untracked one.
  WriteFile(repo + "/a.txt", "uncommitted\n");
  WriteFile(repo + "/untracked.txt", "x\n");
  std::string status_before = PlainGit(repo, {"status", "--porcelain"});

  Result<Worktree> head = Worktree::Create(OptionsFor(repo, "from-head", tmp));
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(ReadFile(head->path() + "/a.txt"), "second\n");
  EXPECT_FALSE(Exists(head->path() + "/untracked.txt"));

  WorktreeOptions options = OptionsFor(repo, "from-first", tmp);
  options.base = first.substr(0, 10);
  Result<Worktree> old = Worktree::Create(options);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->base_commit(), first);
  EXPECT_EQ(ReadFile(old->path() + "/a.txt"), "one\n");

  WriteFile(old->path() + "/a.txt", "edited\n");
  ASSERT_TRUE(old->CommitAll("edit").ok());
  ASSERT_TRUE(head->Remove().ok());
  ASSERT_TRUE(old->Remove().ok());
  EXPECT_EQ(ReadFile(repo + "/a.txt"), "uncommitted\n");
  EXPECT_EQ(PlainGit(repo, {"status", "--porcelain"}), status_before);
}

TEST(GitWorktree, DefaultParentIsInWorkspace) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WorktreeOptions options;
  options.repo_dir = repo + "/";
  options.branch = "feature/x";
  options.workspace_dir = tmp / "workspace";
  Result<Worktree> worktree = Worktree::Create(options);
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  EXPECT_EQ(worktree->path(), tmp / "workspace/worktrees/" +
                                  Sha256Hex(repo + "/.git").substr(0, 16) +
                                  "/feature-x");
  EXPECT_TRUE(worktree->Remove().ok());
}

TEST(GitWorktree, ParallelWorktreesEditSameFile) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string base = Trim(PlainGit(repo, {"rev-parse", "HEAD"}));
  constexpr int kWorkers = 4;
  std::vector<std::optional<Worktree>> worktrees(kWorkers);
  std::vector<std::string> errors(kWorkers);
  std::vector<std::string> commits(kWorkers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&, i] {
      std::string name = "exec/" + std::to_string(i);
      Result<Worktree> created = Worktree::Create(OptionsFor(repo, name, tmp));
      if (!created.ok()) {
        errors[i] = created.status().ToString();
        return;
      }
      WriteFile(created->path() + "/a.txt", "from " + name + "\n");
      Result<std::string> commit = created->CommitAll("edit by " + name);
      if (!commit.ok()) errors[i] = commit.status().ToString();
      if (commit.ok()) commits[i] = *commit;
      worktrees[i].emplace(std::move(*created));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kWorkers; ++i) ASSERT_EQ(errors[i], "") << i;

  threads.clear();
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&, i] {
      Status removed = worktrees[i]->Remove();
      if (!removed.ok()) errors[i] = removed.ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(ReadFile(repo + "/a.txt"), "one\n");
  EXPECT_EQ(Trim(PlainGit(repo, {"rev-parse", "main"})), base);
  for (int i = 0; i < kWorkers; ++i) {
    std::string name = "exec/" + std::to_string(i);
    EXPECT_EQ(errors[i], "") << name;
    EXPECT_EQ(PlainGit(repo, {"show", name + ":a.txt"}),
              "from " + name + "\n");
    EXPECT_EQ(Trim(PlainGit(repo, {"rev-parse", name})), commits[i]);
    EXPECT_EQ(Trim(PlainGit(repo, {"rev-list", "--count", base + ".." + name})),
              "1");
    EXPECT_FALSE(Exists(worktrees[i]->path())) << name;
  }
  EXPECT_EQ(Trim(PlainGit(repo, {"worktree", "list", "--porcelain"})),
            "worktree " + repo + "\nHEAD " + base + "\nbranch refs/heads/main");
}

// ---------------------------------------------------------------------------
// Bad input

TEST(GitWorktree, RejectsInvalidBranchNames) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  for (const std::string& branch : std::vector<std::string>{
           "", "-x", "HEAD", "a..b", "a b", "a~1", "a^", "x.lock", "@{-1}",
        "a\nb", "/a", "a/", "a//b", "a:b", "a?", "a*", "a[b", "a\\b",
        std::string(201, 'a')}) {
    SCOPED_TRACE("branch \"" + branch + "\"");
    Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, branch, tmp));
    ASSERT_FALSE(worktree.ok());
    EXPECT_EQ(worktree.status().code(), StatusCode::kInvalidArgument)
        << worktree.status().ToString();
    if (!branch.empty()) {
      EXPECT_NE(worktree.status().message().find(
                    "branch name \"" + branch + "\" is invalid"),
                std::string::npos)
          << worktree.status().message();
    }
  }
  EXPECT_FALSE(Exists(tmp / "worktrees"));
  EXPECT_EQ(PlainGit(repo, {"branch", "--format=%(refname)"}),
            "refs/heads/main\n");
}

TEST(GitWorktree, RejectsFolderOutsideRepository) {
  TempDir tmp;
  ASSERT_TRUE(CreateDirectories(tmp / "plain").ok());
  Result<Worktree> plain =
      Worktree::Create(OptionsFor(tmp / "plain", "b", tmp));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plain.status().message().find(
                "\"" + tmp / "plain" + "\" is not inside a git repository"),
            std::string::npos)
      << plain.status().message();

  Result<Worktree> missing =
      Worktree::Create(OptionsFor(tmp / "missing", "b", tmp));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(tmp / "missing"),
            std::string::npos);
}

TEST(GitWorktree, RejectsRepositoryOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to change the owner";
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  ASSERT_EQ(RunCommand({"/bin/chown", "-R", "65534", repo}).exit_code, 0);
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_FALSE(worktree.ok());
  EXPECT_EQ(worktree.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(worktree.status().message().find("owned by another user"),
            std::string::npos)
      << worktree.status().message();
}

TEST(GitWorktree, RejectsExistingBranchAndFolder) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  PlainGit(repo, {"branch", "taken"});
  Result<Worktree> taken = Worktree::Create(OptionsFor(repo, "taken", tmp));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.status().message(),
            "create worktree for branch \"taken\" in repo \"" + repo +
                "\": branch \"taken\" already exists; choose a new name or "
                "delete it (git branch -D taken)");

  ASSERT_TRUE(CreateDirectories(tmp / "worktrees/busy").ok());
  Result<Worktree> busy = Worktree::Create(OptionsFor(repo, "busy", tmp));
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(busy.status().message().find(tmp / "worktrees/busy"),
            std::string::npos);
  EXPECT_EQ(PlainGit(repo, {"branch", "--list", "busy"}), "")
      << "a failed create leaves no branch";
}

TEST(GitWorktree, RejectsBadBaseAndEmptyRepository) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WorktreeOptions options = OptionsFor(repo, "b", tmp);
  options.base = "no-such-branch";
  Result<Worktree> bad = Worktree::Create(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(
                "base \"no-such-branch\" is not a commit in repo"),
            std::string::npos)
      << bad.status().message();

  options.base = "--orphan";
  EXPECT_EQ(Worktree::Create(options).status().code(),
            StatusCode::kInvalidArgument);

  std::string empty = tmp / "empty";
  ASSERT_TRUE(CreateDirectories(empty).ok());
  PlainGit(empty, {"init", "-q"});
  Result<Worktree> unborn = Worktree::Create(OptionsFor(empty, "b", tmp));
  ASSERT_FALSE(unborn.ok());
  EXPECT_EQ(unborn.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(unborn.status().message().find("has no commits yet"),
            std::string::npos)
      << unborn.status().message();
}

TEST(GitWorktree, RejectsBadParentDir) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WorktreeOptions options = OptionsFor(repo, "b", tmp);
  options.parent_dir = "relative/worktrees";
  EXPECT_EQ(Worktree::Create(options).status().code(),
            StatusCode::kInvalidArgument);
  options.parent_dir = repo + "/.git/trees";
  Result<Worktree> inside = Worktree::Create(options);
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(inside.status().message().find("is inside the git dir"),
            std::string::npos)
      << inside.status().message();
  EXPECT_FALSE(Exists(repo + "/.git/trees"));
}

TEST(GitWorktree, RejectsBadMessageAndAuthor) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  WriteFile(worktree->path() + "/a.txt", "changed\n");
  for (const std::string& message :
       {std::string(" \n\t"), std::string(64 * 1024 + 1, 'm'),
        std::string("a\0b", 3)}) {
    EXPECT_EQ(worktree->CommitAll(message).status().code(),
              StatusCode::kInvalidArgument);
  }
  for (const std::string& author : std::vector<std::string>{
           "", "no email", "<a@b>", "Name <>", "Name <a b>", "Name a@b>",
        "Na<me <a@b>"}) {
    Result<std::string> commit = worktree->CommitAll("m", author);
    ASSERT_FALSE(commit.ok()) << author;
    EXPECT_EQ(commit.status().code(), StatusCode::kInvalidArgument) << author;
  }
  EXPECT_EQ(Trim(PlainGit(repo, {"rev-list", "--count", "b"})), "1");
  EXPECT_TRUE(worktree->Remove().ok());
}

// ---------------------------------------------------------------------------
// Locks

TEST(GitWorktree, HeldRefLockFailsAfterRetries) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "locked", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  WriteFile(worktree->path() + "/a.txt", "changed\n");
  std::string lock = repo + "/.git/refs/heads/locked.lock";
  WriteFile(lock, "");

  Result<std::string> blocked = worktree->CommitAll("change");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked.status().message().find("cannot lock ref"),
            std::string::npos)
      << blocked.status().message();
  EXPECT_NE(blocked.status().message().find("(branch \"locked\" of repo \"" +
                                            repo + "\")"),
            std::string::npos)
      << blocked.status().message();

  ASSERT_EQ(::unlink(lock.c_str()), 0);
  Result<std::string> unblocked = worktree->CommitAll("change");
  ASSERT_TRUE(unblocked.ok()) << unblocked.status().ToString();
  EXPECT_NE(*unblocked, "");
  EXPECT_TRUE(worktree->Remove().ok());
}

TEST(GitWorktree, BriefRefLockIsRetried) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "busy", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  WriteFile(worktree->path() + "/a.txt", "changed\n");
  std::string lock = repo + "/.git/refs/heads/busy.lock";
  WriteFile(lock, "");
  // The retries wait 1.55 s in all; the lock goes after about 0.2 s.
  std::thread unlocker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::unlink(lock.c_str());
  });
  Result<std::string> commit = worktree->CommitAll("change");
  unlocker.join();
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  EXPECT_EQ(PlainGit(repo, {"show", "busy:a.txt"}), "changed\n");
  EXPECT_TRUE(worktree->Remove().ok());
}

// ---------------------------------------------------------------------------
// Security: no program the repository configures runs.

TEST(GitWorktreeSecurity, ConfiguredProgramsNeverRun) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WriteFile(repo + "/.gitattributes", "*.txt diff=trap\n");
  PlainGit(repo, {"add", ".gitattributes"});
  PlainGit(repo, {"commit", "-q", "-m", "attributes"});
  Traps traps(tmp);
  traps.ArmConfig(repo);

  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  WriteFile(worktree->path() + "/a.txt", "changed\n");
  WriteFile(worktree->path() + "/new.txt", "new\n");
  Result<std::string> commit = worktree->CommitAll("change");
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  EXPECT_NE(*commit, "");
  Result<WorktreeReport> report = worktree->Report();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->commits.size(), 1u);
  EXPECT_EQ(report->diff_stat,
            " a.txt   | 2 +-\n new.txt | 1 +\n"
            " 2 files changed, 2 insertions(+), 1 deletion(-)");
  ASSERT_TRUE(worktree->Remove().ok());
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});

  // The same steps with plain git do run the traps, so the check above can
  // fail.
  PlainGit(repo, {"worktree", "add", "-q", tmp / "plain", "-b", "plain"});
  WriteFile(tmp / "plain/a.txt", "plain\n");
  RunPlainGit(tmp / "plain",
              {"-c", "commit.gpgSign=true", "commit", "-qam", "plain"});
  RunPlainGit(repo, {"diff", "main", "b"});
  std::vector<std::string> fired = traps.Fired();
  for (const char* marker :
       {"fsmonitor", "gpg", "hook-post-checkout", "hook-pre-commit",
        "hook-reference-transaction", "diff-command"}) {
    EXPECT_NE(std::find(fired.begin(), fired.end(), marker), fired.end())
        << marker;
  }
}

TEST(GitWorktreeSecurity, DefaultHooksFolderNeverRuns) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Traps traps(tmp);
  traps.Hooks(repo + "/.git/hooks", "default-hook-");

  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  WriteFile(worktree->path() + "/a.txt", "changed\n");
  ASSERT_TRUE(worktree->CommitAll("change").ok());
  ASSERT_TRUE(worktree->Report().ok());
  ASSERT_TRUE(worktree->Remove().ok());
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});

  PlainGit(repo, {"worktree", "add", "-q", tmp / "plain", "-b", "plain"});
  std::vector<std::string> fired = traps.Fired();
  EXPECT_NE(std::find(fired.begin(), fired.end(),
                      "default-hook-post-checkout"),
            fired.end());
}

TEST(GitWorktreeSecurity, FilterDriverRepositoryRejected) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  WriteFile(repo + "/.gitattributes", "*.txt filter=trap\n");
  PlainGit(repo, {"add", ".gitattributes"});
  PlainGit(repo, {"commit", "-q", "-m", "attributes"});
  Traps traps(tmp);
  traps.ArmFilter(repo);

  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_FALSE(worktree.ok());
  EXPECT_EQ(worktree.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(worktree.status().message().find(
                "config file \"" + repo + "/.git/config\" sets "
                "filter.trap.clean, a filter driver"),
            std::string::npos)
      << worktree.status().message();
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});
  EXPECT_EQ(PlainGit(repo, {"branch", "--list", "b"}), "");
  EXPECT_FALSE(Exists(tmp / "worktrees/b"));

  PlainGit(repo, {"worktree", "add", "-q", tmp / "plain", "-b", "plain"});
  EXPECT_FALSE(traps.Fired().empty()) << "plain git runs the filter";
}

TEST(GitWorktreeSecurity, FilterAddedAfterCreateStopsCommit) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  Traps traps(tmp);
  traps.ArmFilter(repo);
  WriteFile(worktree->path() + "/.gitattributes", "*.txt filter=trap\n");
  WriteFile(worktree->path() + "/new.txt", "new\n");

  Result<std::string> commit = worktree->CommitAll("change");
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(commit.status().message().find("sets filter.trap.clean"),
            std::string::npos)
      << commit.status().message();
  EXPECT_TRUE(worktree->Remove().ok());
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});
}

TEST(GitWorktreeSecurity, ConfigIncludeRejected) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  // An include into the future worktree folder would let the executor
  // write config.
  PlainGit(repo, {"config", "include.path", tmp / "worktrees/b/evil.cfg"});
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_FALSE(worktree.ok());
  EXPECT_EQ(worktree.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(worktree.status().message().find("sets include.path"),
            std::string::npos)
      << worktree.status().message();
}

TEST(GitWorktreeSecurity, NestedRepositoryInWorktreeIsInert) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  Result<Worktree> worktree = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(worktree.ok()) << worktree.status().ToString();
  // The executor can write a whole repository, config and hooks included,
  // into a subfolder.
  std::string nested = InitRepo(worktree->path() + "/sub");
  WriteFile(nested + "/.gitattributes", "*.txt filter=trap diff=trap\n");
  Traps traps(tmp);
  traps.ArmConfig(nested);
  traps.ArmFilter(nested);
  WriteFile(nested + "/a.txt", "dirty\n");

  Result<std::string> commit = worktree->CommitAll("nested");
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  Result<WorktreeReport> report = worktree->Report();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  Status removed = worktree->Remove();
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});
}

// ---------------------------------------------------------------------------
// Security: a changed `.git` file stops every later command.

TEST(GitWorktreeSecurity, ChangedDotGitFileRejected) {
  TempDir tmp;
  std::string repo = InitRepo(tmp / "repo");
  std::string trap_repo = InitRepo(tmp / "trap");
  Traps traps(tmp);
  traps.ArmConfig(trap_repo);
  traps.ArmFilter(trap_repo);
  Result<Worktree> other = Worktree::Create(OptionsFor(repo, "other", tmp));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<Worktree> created = Worktree::Create(OptionsFor(repo, "b", tmp));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Worktree& worktree = *created;
  std::string file = worktree.path() + "/.git";
  std::string original = ReadFile(file);
  WriteFile(worktree.path() + "/a.txt", "changed\n");

  struct Tamper {
    std::string name;
    std::function<void()> apply;
  };
  std::vector<Tamper> tampers = {
      {"other repository",
       [&] { WriteFile(file, "gitdir: " + trap_repo + "/.git\n"); }},
      {"other worktree",
       [&] { WriteFile(file, "gitdir: " + other->git_dir() + "\n"); }},
      {"extra line", [&] { WriteFile(file, original + "gitdir: /x\n"); }},
      {"empty", [&] { WriteFile(file, ""); }},
      {"symlink to same content",
       [&] {
         WriteFile(tmp / "copy", original);
         ::unlink(file.c_str());
         ASSERT_EQ(::symlink((tmp / "copy").c_str(), file.c_str()), 0);
       }},
      {"directory",
       [&] {
         ::unlink(file.c_str());
         ASSERT_EQ(::mkdir(file.c_str(), 0755), 0);
       }},
      {"missing", [&] { ::unlink(file.c_str()); }},
  };
  for (const Tamper& tamper : tampers) {
    SCOPED_TRACE(tamper.name);
    tamper.apply();
    Result<std::string> commit = worktree.CommitAll("change");
    ASSERT_FALSE(commit.ok());
    EXPECT_EQ(commit.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(commit.status().message().find("worktree file \"" + file +
                                             "\" no longer contains"),
              std::string::npos)
        << commit.status().message();
    EXPECT_EQ(worktree.Report().status().code(),
              StatusCode::kPermissionDenied);
    EXPECT_EQ(worktree.Remove().code(), StatusCode::kPermissionDenied);
    EXPECT_TRUE(Exists(worktree.path() + "/a.txt"));
    std::filesystem::remove_all(file);
  }
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});
  EXPECT_EQ(Trim(PlainGit(repo, {"rev-list", "--count", "b"})), "1");

  // With the file restored the worktree works again.
  WriteFile(file, original);
  Result<std::string> commit = worktree.CommitAll("change");
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  EXPECT_NE(*commit, "");
  EXPECT_TRUE(worktree.Remove().ok());
  EXPECT_TRUE(other->Remove().ok());
  EXPECT_EQ(traps.Fired(), std::vector<std::string>{});
}

}  // namespace
}  // namespace boxagnts::query
