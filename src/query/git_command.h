// Running git on the host without running programs that a repository
// configures.
//
// A repository is untrusted content. Its config can name programs that
// plain git runs: hooks, the fsmonitor hook, pager, editor, ssh, gpg,
// credential helpers, external diff, textconv and filter drivers. RunGit
// therefore
//  - runs git by argv with posix_spawn, never through a shell, with stdin
//    from /dev/null, in a new process group;
//  - builds the environment from scratch: PATH and HOME from this
//    process, LC_ALL=C, no system or global config
//    (GIT_CONFIG_NOSYSTEM=1, GIT_CONFIG_GLOBAL=/dev/null), no prompts,
//    pager "cat", editors "false", no optional locks, no protocols
//    (GIT_ALLOW_PROTOCOL empty), and no other variable of this process
//    (so GIT_DIR, GIT_SSH_COMMAND, GIT_ASKPASS and the like never leak in);
//  - puts `-c key=value` overrides before the caller's arguments. Config
//    given on the command line wins over every config file and reaches
//    the git processes that git starts itself. The overrides turn off
//    core.fsmonitor, hooks (core.hooksPath=/dev/null), gpg signing and
//    gpg programs, credential helpers, askpass, ssh, diff.external,
//    editors, automatic gc and maintenance, submodule recursion and every
//    transport protocol.
//
// Filter drivers (filter.<driver>.clean/smudge/process) have names the
// repository chooses, so no fixed override reaches them. CheckRepoConfig
// rejects a repository whose config defines one. Neutralizing them instead
// would check out and commit content the owner's filters never produced
// (such as Git LFS pointer files); rejecting says so plainly. It also
// rejects config includes, because an include could later load a file
// that an executor wrote. Diff drivers (diff.<driver>.command/textconv)
// only run when a command prints a diff; callers pass --no-ext-diff and
// --no-textconv.
//
// Needs git 2.32 or newer (GIT_CONFIG_GLOBAL); older versions are rejected
// because they would read the user's global config.
//
// Thread safety: every function may be called from any thread.

#ifndef BOXAGNTS_QUERY_GIT_COMMAND_H_
#define BOXAGNTS_QUERY_GIT_COMMAND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace boxagnts::query {

struct GitResult {
  int exit_code = -1;  // -1 when git was killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Extra environment variables for one git run. Only the commit identity
// and date variables are accepted (GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL,
// GIT_AUTHOR_DATE and the GIT_COMMITTER_ ones), so a caller cannot undo
// the protections above.
struct GitEnv {
  std::vector<std::pair<std::string, std::string>> vars;
};

// Maximum bytes kept from each of stdout and stderr; beyond it git is
// killed and RunGit returns ResourceExhausted.
inline constexpr size_t kMaxGitOutputBytes = 32 << 20;

// Runs `git <safety options> <args>` in `dir` and waits for it. `args`
// may start with --git-dir=PATH and --work-tree=PATH. Any other option
// before the subcommand (such as -c or --exec-path) is rejected, and so is
// a subcommand outside a fixed list of builtins, because other names can
// be repository-defined aliases. `dir` must be an existing directory
// (empty: the current one).
//
// Returns the exit code and output whatever the exit code is. Errors:
//  - InvalidArgument: bad args or env, or a timeout that is not positive;
//  - NotFound: no git in PATH; FailedPrecondition: git older than 2.32;
//  - IoError: spawn or pipe failure;
//  - DeadlineExceeded: git still ran after `timeout_ms`, so its whole
//    process group was killed with SIGKILL and git was reaped;
//  - ResourceExhausted: output past kMaxGitOutputBytes.
Result<GitResult> RunGit(const std::vector<std::string>& args,
                         const std::string& dir, const GitEnv& env = {},
                         int64_t timeout_ms = 60000);

// Returns true when `result` failed because another git process held a
// lock: "cannot lock ref" or "Unable to create '....lock': File exists".
bool IsGitLockContention(const GitResult& result);

// Maximum runs of RunGitRetryingLocks: the pauses between them grow from
// 50 ms and add up to 1.55 s.
inline constexpr int kMaxGitLockAttempts = 6;

// Runs RunGit and, while the run fails with lock contention, runs it again
// after a short pause, at most kMaxGitLockAttempts times in all. Returns
// the last result. Use it only for commands that leave nothing behind when
// they fail on a lock (update-ref, commit, worktree add/remove/prune).
Result<GitResult> RunGitRetryingLocks(const std::vector<std::string>& args,
                                      const std::string& dir,
                                      const GitEnv& env = {},
                                      int64_t timeout_ms = 60000);

// Runs RunGit, or RunGitRetryingLocks when `retry_locks` is set, and
// returns stdout without trailing newlines. A non-zero exit becomes
// FailedPrecondition with DescribeGitFailure's text.
Result<std::string> RunGitForOutput(const std::vector<std::string>& args,
                                    const std::string& dir, int64_t timeout_ms,
                                    bool retry_locks, const GitEnv& env = {});

// Returns `text` without trailing newlines.
std::string TrimGitOutput(std::string text);

// Describes a failed run as "git <subcommand> exited with code N:
// <stderr>" for error messages, with stderr cut at 2000 bytes.
std::string DescribeGitFailure(const std::vector<std::string>& args,
                               const GitResult& result);

// Reads the config git uses for `git_dir` (the repository's config, the
// worktree's config.worktree and any included file, but neither system
// nor global config) and returns FailedPrecondition naming the key, the
// file and the fix when it
//  - defines a filter driver command (filter.<driver>.clean, .smudge or
//    .process), which git would run on checkout and on `git add`;
//  - defines a hook command (hook.<name>.command), which git 2.54 and
//    newer run as a hook (git-hook(1)). The hooksPath override is not
//    known to turn these off, so they are rejected; or
//  - contains include.path or includeIf.<condition>.path.
// Other errors come from RunGit or name git's stderr.
Status CheckRepoConfig(const std::string& git_dir);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_GIT_COMMAND_H_
