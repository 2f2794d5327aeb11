// Git worktrees that isolate executors in managed mode.
//
// With `isolation: worktree` each executor works in its own git worktree
// on a new branch. The executor only has file tools inside the worktree
// folder and never runs git. The runtime runs git on the host to create
// the worktree, commit the executor's changes, report them and remove the
// worktree. Every git command goes through RunGit (query/git_command.h),
// which runs no program that the repository configures.
//
// The worktree starts from the base commit, so uncommitted changes in the
// main work tree (a dirty main work tree is fine) are not in it, and
// nothing here changes the main work tree or its index.
//
// The executor can write any file in its worktree, including the `.git`
// file at its root ("gitdir: <repo>/.git/worktrees/<id>"). Pointed at
// another repository, it would hand that repository's config to the
// runtime's git. So the content of that file is recorded at creation and
// checked before every later command; a changed file stops the command
// with PermissionDenied naming the file. Commands also pass --git-dir and
// --work-tree explicitly instead of reading the file.
//
// Thread safety: a Worktree is used from one thread at a time. Worktrees
// of the same repository can be created, committed and removed from
// different threads at once. This process runs one `git worktree add`,
// `remove` or `prune` per repository at a time, because concurrent ones
// fail on each other's half-written metadata. A command that meets a lock
// held by another git process is retried a few times (see
// RunGitRetryingLocks).
//
// NOTE: separate processes sharing a repository are not serialized, so
// their concurrent worktree commands can still fail that way.

#ifndef BOXAGNTS_QUERY_GIT_WORKTREE_H_
#define BOXAGNTS_QUERY_GIT_WORKTREE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/git_command.h"

namespace boxagnts::query {

struct WorktreeOptions {
  std::string repo_dir;  // any directory inside the repository
  // Name of the new branch, such as "executor/task-1". It must pass
  // `git check-ref-format --branch` and must not exist yet.
  std::string branch;
  std::string base = "HEAD";  // commit the branch starts from
  // Absolute folder that receives the worktree folder, which is named
  // after the branch with characters other than [A-Za-z0-9._-] replaced
  // by '-'. Empty: <workspace>/worktrees/<repo id>, outside the
  // repository, where <repo id> is the first 16 hex digits of the SHA-256
  // of the repository's git dir path. It must not lie inside the git dir.
  std::string parent_dir;
  // Workspace folder for the default parent_dir. Empty: the one
  // workspace::FindWorkspaceDir("") returns.
  std::string workspace_dir;
  int64_t git_timeout_ms = 60000;  // per git command
};

struct WorktreeReport {
  std::string branch;
  std::string base_commit;           // full commit id
  std::vector<std::string> commits;  // "abc1234 subject", oldest first
  // `git diff --stat base branch` without the final newline
  std::string diff_stat;
  bool kept = false;                 // true until Remove() succeeds
  std::string path;                  // the worktree folder
};

inline constexpr char kDefaultCommitAuthor[] =
    "boxagnts executor <executor@boxagnts.local>";

class Worktree {
 public:
  // Creates the branch at `options.base` and checks it out in a new
  // worktree folder. Errors name the repository, the branch and git's
  // stderr:
  //  - InvalidArgument: empty or invalid branch name, base that is not a
  //    commit, relative parent_dir or one inside the git dir;
  //  - NotFound: repo_dir missing; FailedPrecondition: repo_dir not in a
  //    git repository, a repository without commits, a config that
  //    CheckRepoConfig rejects, or a failed git command;
  //  - PermissionDenied: a repository owned by another user, which git
  //    refuses (the user's safe.directory setting is not read);
  //  - AlreadyExists: the branch or the worktree folder exists.
  // A failure after the branch was created deletes the branch and the
  // worktree folder again (the parent folder stays). A failed undo is
  // logged.
  static Result<Worktree> Create(const WorktreeOptions& options);

  Worktree(Worktree&&) = default;
  Worktree& operator=(Worktree&&) = default;
  Worktree(const Worktree&) = delete;
  Worktree& operator=(const Worktree&) = delete;

  // The executor's work dir (absolute, without symlinks).
  const std::string& path() const { return path_; }
  const std::string& branch() const { return branch_; }
  const std::string& base_commit() const { return base_commit_; }
  // The worktree's git dir: <repo git dir>/worktrees/<id>.
  const std::string& git_dir() const { return git_dir_; }

  // Stages everything (git add -A) and commits it with `message` when
  // anything changed, with `author` ("Name <email>") as author and
  // committer. Hooks and signing are off (--no-verify, --no-gpg-sign).
  // Returns the new commit id, or "" when nothing changed. Errors:
  // InvalidArgument (empty message, message over 64 KiB, malformed
  // author), PermissionDenied (changed `.git` file), FailedPrecondition
  // (removed worktree, HEAD no longer on the branch, rejected config, git
  // failure).
  Result<std::string> CommitAll(
      const std::string& message,
      const std::string& author = kDefaultCommitAuthor);

  // Lists the commits on the branch since the base commit and their diff
  // stat. Works after Remove() too, since the branch stays. Errors:
  // PermissionDenied (changed `.git` file while the worktree exists),
  // FailedPrecondition (git failure, such as a deleted branch).
  Result<WorktreeReport> Report() const;

  // Removes the worktree folder and its metadata (git worktree remove
  // --force, then git worktree prune), dropping uncommitted changes. The
  // branch stays. Calling it again does nothing. Errors: PermissionDenied
  // when the `.git` file changed (the folder is then left for a person to
  // inspect and delete), FailedPrecondition when git fails.
  Status Remove();

 private:
  Worktree() = default;

  // Creates the branch and the worktree folder for the members set by
  // Create, then records the `.git` file. Undoes both on failure.
  Status AddBranchAndWorktree();

  // Returns PermissionDenied naming `<path>/.git` unless it still contains
  // what it contained at creation.
  Status VerifyDotGitFile() const;
  // Runs git in the worktree and returns stdout without trailing
  // newlines. Errors name `action`, the worktree and git's stderr.
  Result<std::string> RunInWorktree(const std::vector<std::string>& args,
                                    const std::string& action,
                                    bool retry_locks = false,
                                    const GitEnv& env = {}) const;
  Result<std::string> RunInRepo(const std::vector<std::string>& args,
                                const std::string& action,
                                bool retry_locks = false) const;
  Status ErrorFor(const std::string& action, const Status& cause) const;

  std::string repo_;        // the repository's top folder, for messages
  std::string common_dir_;  // the repository's git dir, <repo>/.git
  std::string path_;
  std::string branch_;
  std::string base_commit_;
  std::string git_dir_;
  std::string dot_git_content_;  // "gitdir: <git_dir_>\n"
  int64_t timeout_ms_ = 60000;
  bool removed_ = false;
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_GIT_WORKTREE_H_
