#include "query/git_worktree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>

#include "core/files.h"
#include "core/log.h"
#include "query/git_command.h"
#include "workspace/workspace_dir.h"

namespace boxagnts::query {
namespace {

constexpr size_t kMaxCommitMessageBytes = 64 * 1024;
constexpr size_t kMaxBranchNameBytes = 200;
constexpr size_t kMaxDotGitFileBytes = 4096;

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

struct Repo {
  std::string common_dir;  // canonical
  std::string name;        // for messages
};

Result<Repo> FindRepo(const std::string& repo_dir, int64_t timeout_ms) {
  if (repo_dir.empty()) {
    return Status::InvalidArgument(
        "worktree options name no repo_dir; pass a folder inside a git "
        "repository");
  }
  struct stat st;
  if (::stat(repo_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound("repo_dir " + Quote(repo_dir) +
                            " is not an existing folder");
  }

  std::vector<std::string> args = {"rev-parse", "--path-format=absolute",
                                   "--git-common-dir", "--is-bare-repository"};
  Result<GitResult> run = RunGit(args, repo_dir, {}, timeout_ms);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    if (run->err.find("not a git repository") != std::string::npos) {
      return Status::FailedPrecondition(
          Quote(repo_dir) +
          " is not inside a git repository; pass a folder of a repository "
          "(git init creates one)");
    }
    if (run->err.find("dubious ownership") != std::string::npos) {
      return Status::PermissionDenied(
          Quote(repo_dir) +
          " belongs to a repository owned by another user, which git "
          "refuses to use; run boxagnts as the owner of the repository");
    }
    return Status::FailedPrecondition("find the repository of " +
                                      Quote(repo_dir) + ": " +
                                      DescribeGitFailure(args, *run));
  }

  std::istringstream lines(run->out);
  std::string common_dir;
  std::string is_bare;
  std::getline(lines, common_dir);
  std::getline(lines, is_bare);
  std::error_code error;
  std::filesystem::path canonical =
      std::filesystem::canonical(common_dir, error);
  if (error) {
    return Status::IoError("resolve git dir " + Quote(common_dir) + ": " +
                           error.message());
  }

  Repo repo;
  repo.common_dir = canonical.string();
  bool named_dot_git = canonical.filename() == ".git";
  repo.name = is_bare == "false" && named_dot_git
                  ? canonical.parent_path().string()
                  : repo.common_dir;
  return repo;
}

Status ValidateBranchName(const std::string& branch, const Repo& repo,
                          int64_t timeout_ms) {
  if (branch.empty()) {
    return Status::InvalidArgument(
        "worktree options name no branch; pass a new branch name such as "
        "\"executor/task-1\"");
  }
  auto invalid = [&](const std::string& reason) {
    return Status::InvalidArgument(
        "branch name " + Quote(branch) + " is invalid: " + reason +
        "; use letters, digits, '-', '_', '.' and '/' as in "
        "\"executor/task-1\"");
  };
  for (char c : branch) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return invalid("it contains a control character");
    }
  }
  if (branch[0] == '-') return invalid("it starts with '-'");
  if (branch == "HEAD") return invalid("HEAD is reserved");
  if (branch.find("@{") != std::string::npos) return invalid("it has \"@{\"");
  if (branch.size() > kMaxBranchNameBytes) {
    return invalid("it is longer than " + std::to_string(kMaxBranchNameBytes) +
                   " bytes");
  }
  Result<GitResult> run =
      RunGit({"--git-dir=" + repo.common_dir, "check-ref-format", "--branch",
              branch},
             repo.common_dir, {}, timeout_ms);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0 || TrimGitOutput(run->out) != branch) {
    return invalid("git check-ref-format --branch rejects it");
  }
  return Status::Ok();
}

// Returns the full id of the commit `base` names.
Result<std::string> ResolveBase(const std::string& base, const Repo& repo,
                                int64_t timeout_ms) {
  if (base.empty() || base[0] == '-') {
    return Status::InvalidArgument(
        "worktree base " + Quote(base) +
        " is invalid; pass a branch, tag or commit id such as \"HEAD\"");
  }
  auto resolve = [&](const std::string& rev) {
    return RunGitForOutput({"--git-dir=" + repo.common_dir, "rev-parse",
                            "--verify", "--quiet", "--end-of-options",
                            rev + "^{commit}"},
                           repo.common_dir, timeout_ms, false);
  };
  Result<std::string> commit = resolve(base);
  if (commit.ok()) return commit;
  if (!resolve("HEAD").ok()) {
    return Status::FailedPrecondition(
        "repo " + Quote(repo.name) +
        " has no commits yet; commit once before creating a worktree");
  }
  return Status::InvalidArgument("worktree base " + Quote(base) +
                                 " is not a commit in repo " +
                                 Quote(repo.name) +
                                 "; pass a branch, tag or commit id");
}

std::string FolderNameForBranch(const std::string& branch) {
  std::string name = branch;
  for (char& c : name) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                c == '_' || c == '-';
    if (!keep) c = '-';
  }
  return name;
}

bool IsSameOrInside(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

// Chooses, creates and resolves the folder that receives the worktree.
Result<std::string> PrepareParentDir(const WorktreeOptions& options,
                                     const Repo& repo) {
  std::string parent = options.parent_dir;
  if (parent.empty()) {
    std::string workspace = options.workspace_dir;
    if (workspace.empty()) {
      Result<std::string> found = workspace::FindWorkspaceDir("");
      if (!found.ok()) return found.status();
      workspace = *found;
    }
    BOXAGNTS_RETURN_IF_ERROR(workspace::EnsureWorkspaceDir(workspace));
    parent = workspace + "/worktrees/" +
             Sha256Hex(repo.common_dir).substr(0, 16);
  } else if (parent[0] != '/') {
    return Status::InvalidArgument("worktree parent_dir " + Quote(parent) +
                                   " is not absolute; pass an absolute path");
  }
  auto inside_git_dir = [&](const std::string& resolved) {
    return Status::InvalidArgument(
        "worktree parent_dir " + Quote(resolved) + " is inside the git dir " +
        Quote(repo.common_dir) +
        ", where an executor could change the repository's config and "
        "hooks; choose a folder outside it");
  };
  std::error_code error;
  std::string resolved = std::filesystem::weakly_canonical(parent, error);
  if (!error && IsSameOrInside(resolved, repo.common_dir)) {
    return inside_git_dir(resolved);
  }
  BOXAGNTS_RETURN_IF_ERROR(CreateDirectories(parent));
  resolved = std::filesystem::canonical(parent, error).string();
  if (error) {
    return Status::IoError("resolve worktree parent_dir " + Quote(parent) +
                           ": " + error.message());
  }
  if (IsSameOrInside(resolved, repo.common_dir)) {
    return inside_git_dir(resolved);
  }
  return resolved;
}

// Reads a `.git` file without following a symlink or blocking on a FIFO.
Result<std::string> ReadDotGitFile(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + Quote(file), errno);
  struct stat st;
  Status status;
  std::string content;
  if (::fstat(fd, &st) != 0) {
    status = Status::FromErrno("stat " + Quote(file), errno);
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::FailedPrecondition(Quote(file) +
                                        " is not a regular file");
  } else if (static_cast<size_t>(st.st_size) > kMaxDotGitFileBytes) {
    status = Status::FailedPrecondition(Quote(file) + " is larger than " +
                                        std::to_string(kMaxDotGitFileBytes) +
                                        " bytes");
  } else {
    char buf[kMaxDotGitFileBytes + 1];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Status::FromErrno("read " + Quote(file), errno);
        break;
      }
      content.append(buf, static_cast<size_t>(n));
      if (content.size() > kMaxDotGitFileBytes) break;
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return content;
}

// Checks what `git worktree add` wrote: `<path>/.git` names
// <common_dir>/worktrees/<id>, whose gitdir file names `<path>/.git` back.
// Returns the worktree's git dir.
Result<std::string> CheckNewWorktreeLinks(const std::string& path,
                                          const std::string& common_dir,
                                          const std::string& content) {
  std::string prefix = "gitdir: " + common_dir + "/worktrees/";
  bool well_formed = content.rfind(prefix, 0) == 0 && content.back() == '\n';
  std::string id = well_formed ? content.substr(
                                     prefix.size(),
                                     content.size() - prefix.size() - 1)
                               : "";
  if (id.empty() || id.find_first_of("/\n") != std::string::npos) {
    return Status::Internal(Quote(path + "/.git") + " contains " +
                            Quote(content) + ", not " + Quote(prefix + "<id>"));
  }
  std::string git_dir = common_dir + "/worktrees/" + id;
  Result<std::string> back_link = ReadFileToString(git_dir + "/gitdir");
  if (!back_link.ok()) return back_link.status();
  if (*back_link != path + "/.git\n") {
    return Status::Internal(Quote(git_dir + "/gitdir") + " contains " +
                            Quote(*back_link) + ", not " +
                            Quote(path + "/.git"));
  }
  return git_dir;
}

// Splits "Name <email>" into the identity variables of a commit.
Result<GitEnv> ParseAuthor(const std::string& author) {
  size_t open = author.rfind(" <");
  bool well_formed = open != std::string::npos && open > 0 &&
                     author.back() == '>' && author.size() > open + 3;
  std::string name = well_formed ? author.substr(0, open) : "";
  std::string email =
      well_formed ? author.substr(open + 2, author.size() - open - 3) : "";
  if (name.find_first_of("<>\n") != std::string::npos ||
      email.find_first_of("<> \n") != std::string::npos ||
      name.find_first_not_of(' ') == std::string::npos || email.empty()) {
    well_formed = false;
  }
  if (!well_formed) {
    return Status::InvalidArgument(
        "commit author " + Quote(author) +
        " is not of the form \"Name <email>\", such as " +
        Quote(kDefaultCommitAuthor));
  }
  return GitEnv{{{"GIT_AUTHOR_NAME", name},
                 {"GIT_AUTHOR_EMAIL", email},
                 {"GIT_COMMITTER_NAME", name},
                 {"GIT_COMMITTER_EMAIL", email}}};
}

Status ValidateCommitMessage(const std::string& message) {
  if (message.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(
        "commit message is empty; pass a summary of the change");
  }
  if (message.size() > kMaxCommitMessageBytes) {
    return Status::InvalidArgument(
        "commit message has " + std::to_string(message.size()) +
        " bytes, more than the maximum of " +
        std::to_string(kMaxCommitMessageBytes) + "; shorten it");
  }
  if (message.find('\0') != std::string::npos) {
    return Status::InvalidArgument("commit message contains a NUL byte");
  }
  return Status::Ok();
}

// Returns the mutex that serializes `git worktree add`, `remove` and
// `prune` for one repository in this process. Run at once, they read each
// other's half-written worktree metadata and fail with "failed to read
// .../worktrees/<id>/commondir" (seen with git 2.39).
std::mutex& WorktreeMetadataMutex(const std::string& common_dir) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard<std::mutex> lock(guard);
  std::unique_ptr<std::mutex>& mutex = mutexes[common_dir];
  if (mutex == nullptr) mutex = std::make_unique<std::mutex>();
  return *mutex;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Results of the checks that Create runs before changing anything.
struct Plan {
  std::string base_commit;
  std::string path;
};

Result<Plan> PlanWorktree(const WorktreeOptions& options, const Repo& repo) {
  int64_t timeout_ms = options.git_timeout_ms;
  BOXAGNTS_RETURN_IF_ERROR(
      ValidateBranchName(options.branch, repo, timeout_ms));
  BOXAGNTS_RETURN_IF_ERROR(CheckRepoConfig(repo.common_dir));
  Result<std::string> base = ResolveBase(options.base, repo, timeout_ms);
  if (!base.ok()) return base.status();
  Result<GitResult> existing =
      RunGit({"--git-dir=" + repo.common_dir, "rev-parse", "--verify",
              "--quiet", "refs/heads/" + options.branch},
             repo.common_dir, {}, timeout_ms);
  if (!existing.ok()) return existing.status();
  if (existing->exit_code == 0) {
    return Status::AlreadyExists(
        "branch " + Quote(options.branch) +
        " already exists; choose a new name or delete it (git branch -D " +
        options.branch + ")");
  }
  Result<std::string> parent = PrepareParentDir(options, repo);
  if (!parent.ok()) return parent.status();
  std::string path = *parent + "/" + FolderNameForBranch(options.branch);
  if (PathExists(path)) {
    return Status::AlreadyExists(
        "worktree folder " + Quote(path) +
        " already exists; remove it or choose another branch name");
  }
  return Plan{*base, path};
}

}  // namespace

Result<Worktree> Worktree::Create(const WorktreeOptions& options) {
  std::string context = "create worktree for branch " + Quote(options.branch) +
                        " in repo " + Quote(options.repo_dir);
  Result<Repo> repo = FindRepo(options.repo_dir, options.git_timeout_ms);
  if (!repo.ok()) return repo.status().WithPrefix(context);
  context = "create worktree for branch " + Quote(options.branch) +
            " in repo " + Quote(repo->name);
  Result<Plan> plan = PlanWorktree(options, *repo);
  if (!plan.ok()) return plan.status().WithPrefix(context);

  Worktree worktree;
  worktree.repo_ = repo->name;
  worktree.common_dir_ = repo->common_dir;
  worktree.path_ = plan->path;
  worktree.branch_ = options.branch;
  worktree.base_commit_ = plan->base_commit;
  worktree.timeout_ms_ = options.git_timeout_ms;
  Status added = worktree.AddBranchAndWorktree();
  if (!added.ok()) return added.WithPrefix(context);
  spdlog::info("worktree created: repo={} branch={} base={} path={}",
               worktree.repo_, worktree.branch_, worktree.base_commit_,
               worktree.path_);
  return worktree;
}

Status Worktree::AddBranchAndWorktree() {
  auto run_in_repo = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "--git-dir=" + common_dir_);
    return RunGitForOutput(args, common_dir_, timeout_ms_, true);
  };

  // Create the branch only if it is still missing (old value: zero id).
  std::string ref = "refs/heads/" + branch_;
  Result<std::string> created =
      run_in_repo({"update-ref", "-m", "boxagnts: branch for a worktree", ref,
                   base_commit_, std::string(base_commit_.size(), '0')});
  if (!created.ok()) {
    if (created.status().message().find("reference already exists") !=
        std::string::npos) {
      return Status::AlreadyExists("branch " + Quote(branch_) +
                                   " was created by someone else");
    }
    return created.status();
  }

  // Check it out in the new folder and record the .git file git wrote.
  std::unique_lock<std::mutex> metadata_lock(
      WorktreeMetadataMutex(common_dir_));
  Result<std::string> added = run_in_repo({"worktree", "add", path_, branch_});
  Result<std::string> content =
      added.ok() ? ReadDotGitFile(path_ + "/.git") : added;
  Result<std::string> git_dir =
      content.ok() ? CheckNewWorktreeLinks(path_, common_dir_, *content)
                   : content;
  if (git_dir.ok()) {
    git_dir_ = *git_dir;
    dot_git_content_ = *content;
    return Status::Ok();
  }

  // Undo. The new .git file is suspect, so removal goes through the
  // repository's git dir.
  if (added.ok()) {
    Result<std::string> removed =
        run_in_repo({"worktree", "remove", "--force", path_});
    if (!removed.ok()) {
      spdlog::error("worktree: undo failed: {}", removed.status().message());
    }
  }
  metadata_lock.unlock();
  Result<std::string> deleted = run_in_repo({"update-ref", "-d", ref,
                                             base_commit_});
  if (!deleted.ok()) {
    spdlog::error("worktree: undo failed: {}", deleted.status().message());
  }
  return git_dir.status();
}

Status Worktree::VerifyDotGitFile() const {
  std::string file = path_ + "/.git";
  Result<std::string> content = ReadDotGitFile(file);
  bool unchanged = content.ok() && *content == dot_git_content_ &&
                   *content == "gitdir: " + git_dir_ + "\n" &&
                   git_dir_.rfind(common_dir_ + "/worktrees/", 0) == 0;
  if (unchanged) return Status::Ok();
  std::string found =
      content.ok() ? "other content" : content.status().message();
  spdlog::warn("worktree: {} was changed ({}); no git command runs there",
               file, found);
  return Status::PermissionDenied(
      "worktree file " + Quote(file) + " no longer contains " +
      Quote("gitdir: " + git_dir_) + " (" + found +
      "), so it could point git at another repository; no git command "
      "runs in " + Quote(path_) + ". Inspect the folder and delete it");
}

Status Worktree::ErrorFor(const std::string& action,
                          const Status& cause) const {
  return cause.WithPrefix(action + " in worktree " + Quote(path_) +
                          " (branch " + Quote(branch_) + " of repo " +
                          Quote(repo_) + ")");
}

Result<std::string> Worktree::RunInWorktree(
    const std::vector<std::string>& args, const std::string& action,
    bool retry_locks, const GitEnv& env) const {
  std::vector<std::string> full = {"--git-dir=" + git_dir_,
                                   "--work-tree=" + path_};
  full.insert(full.end(), args.begin(), args.end());
  Result<std::string> out =
      RunGitForOutput(full, path_, timeout_ms_, retry_locks, env);
  if (!out.ok()) return ErrorFor(action, out.status());
  return out;
}

Result<std::string> Worktree::RunInRepo(const std::vector<std::string>& args,
                                        const std::string& action,
                                        bool retry_locks) const {
  std::vector<std::string> full = {"--git-dir=" + common_dir_};
  full.insert(full.end(), args.begin(), args.end());
  Result<std::string> out =
      RunGitForOutput(full, common_dir_, timeout_ms_, retry_locks);
  if (!out.ok()) return ErrorFor(action, out.status());
  return out;
}

Result<std::string> Worktree::CommitAll(const std::string& message,
                                        const std::string& author) {
  if (removed_) {
    return ErrorFor("commit", Status::FailedPrecondition(
                                  "the worktree was removed; create a new "
                                  "one"));
  }
  BOXAGNTS_RETURN_IF_ERROR(ValidateCommitMessage(message));
  Result<GitEnv> identity = ParseAuthor(author);
  if (!identity.ok()) return identity.status();
  BOXAGNTS_RETURN_IF_ERROR(VerifyDotGitFile());
  Status config = CheckRepoConfig(git_dir_);
  if (!config.ok()) return ErrorFor("commit", config);

  // HEAD is in the worktree's git dir, out of the executor's reach. It is
  // checked anyway because a commit must never land on another branch.
  Result<std::string> head =
      RunInWorktree({"symbolic-ref", "--quiet", "HEAD"}, "read HEAD");
  if (!head.ok()) return head.status();
  if (*head != "refs/heads/" + branch_) {
    return ErrorFor("commit", Status::FailedPrecondition(
                                  "HEAD is " + Quote(*head) +
                                  ", not the worktree's branch"));
  }

  Result<std::string> staged =
      RunInWorktree({"add", "--all"}, "stage changes", true);
  if (!staged.ok()) return staged.status();
  Result<std::string> tree = RunInWorktree({"write-tree"}, "write tree");
  if (!tree.ok()) return tree.status();
  Result<std::string> head_tree = RunInWorktree(
      {"rev-parse", "--verify", "HEAD^{tree}"}, "read HEAD tree");
  if (!head_tree.ok()) return head_tree.status();
  if (*tree == *head_tree) return std::string();

  Result<std::string> committed = RunInWorktree(
      {"commit", "--no-verify", "--no-gpg-sign", "--quiet",
       "--cleanup=whitespace", "--message=" + message},
      "commit", true, *identity);
  if (!committed.ok()) return committed.status();
  Result<std::string> commit =
      RunInWorktree({"rev-parse", "--verify", "HEAD"}, "read new commit");
  if (!commit.ok()) return commit.status();
  spdlog::info("worktree commit: repo={} branch={} commit={}", repo_, branch_,
               *commit);
  return commit;
}

Result<WorktreeReport> Worktree::Report() const {
  if (!removed_) BOXAGNTS_RETURN_IF_ERROR(VerifyDotGitFile());
  std::string ref = "refs/heads/" + branch_;
  Result<std::string> log = RunInRepo(
      {"log", "--reverse", "--no-show-signature", "--no-decorate",
       "--no-color", "--format=%h %s", "--end-of-options",
       base_commit_ + ".." + ref, "--"},
      "list commits");
  if (!log.ok()) return log.status();
  Result<std::string> stat = RunInRepo(
      {"diff", "--stat", "--no-ext-diff", "--no-textconv", "--no-color",
       "--submodule=short", "--end-of-options", base_commit_, ref, "--"},
      "diff");
  if (!stat.ok()) return stat.status();

  WorktreeReport report;
  report.branch = branch_;
  report.base_commit = base_commit_;
  std::istringstream lines(*log);
  for (std::string line; std::getline(lines, line);) {
    report.commits.push_back(line);
  }
  report.diff_stat = *stat;
  report.kept = !removed_;
  report.path = path_;
  return report;
}

Status Worktree::Remove() {
  if (removed_) return Status::Ok();
  std::lock_guard<std::mutex> metadata_lock(
      WorktreeMetadataMutex(common_dir_));
  if (PathExists(path_)) {
    BOXAGNTS_RETURN_IF_ERROR(VerifyDotGitFile());
    Result<std::string> removed = RunInRepo(
        {"worktree", "remove", "--force", path_}, "remove worktree", true);
    if (!removed.ok()) return removed.status();
  }
  Result<std::string> pruned =
      RunInRepo({"worktree", "prune"}, "prune worktrees", true);
  if (!pruned.ok()) return pruned.status();
  if (PathExists(path_)) {
    return ErrorFor("remove worktree",
                    Status::FailedPrecondition(
                        "the folder still exists after git worktree remove"));
  }
  removed_ = true;
  spdlog::info("worktree removed: repo={} branch={} path={}", repo_, branch_,
               path_);
  return Status::Ok();
}

}  // namespace boxagnts::query
