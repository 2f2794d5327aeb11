#include "query/git_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/log.h"

namespace boxagnts::query {
namespace {

// Config given on git's command line, which wins over every config file.
constexpr const char* kSafetyConfig[] = {
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=false",
    "sequence.editor=false",
    "core.sshCommand=false",
    "core.askPass=",
    "credential.helper=",
    "diff.external=",
    "diff.submodule=short",
    "gpg.program=false",
    "gpg.openpgp.program=false",
    "gpg.x509.program=false",
    "gpg.ssh.program=false",
    "gpg.ssh.defaultKeyCommand=false",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "log.showSignature=false",
    "protocol.allow=never",
    "submodule.recurse=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "color.ui=never",
    "user.useConfigOnly=false",
    "worktree.guessRemote=false",
};

// Builtins the runtime runs. No alias can shadow a builtin, whereas any
// other name could run an alias from the repository's config, and
// `alias.<name> = !command` runs a shell command.
constexpr const char* kAllowedSubcommands[] = {
    "add",         "check-ref-format", "commit",       "config",
    "diff",        "init",             "log",          "rev-list",
    "rev-parse",
    "show",        "status",           "symbolic-ref", "update-ref",
    "var",         "version",          "worktree",     "write-tree",
};

constexpr const char* kAllowedEnvNames[] = {
    "GIT_AUTHOR_NAME",    "GIT_AUTHOR_EMAIL",    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
};

constexpr int kMinGitMajor = 2;
constexpr int kMinGitMinor = 32;

struct SpawnOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Status ValidateArgs(const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && (args[i].rfind("--git-dir=", 0) == 0 ||
                             args[i].rfind("--work-tree=", 0) == 0)) {
    ++i;
  }
  if (i == args.size()) {
    return Status::InvalidArgument("git arguments name no subcommand");
  }
  if (args[i].empty() || args[i][0] == '-') {
    return Status::InvalidArgument(
        "git option \"" + args[i] +
        "\" is not allowed before the subcommand; only --git-dir= and "
        "--work-tree= are");
  }
  bool builtin = false;
  for (const char* name : kAllowedSubcommands) {
    if (args[i] == name) builtin = true;
  }
  if (!builtin) {
    return Status::InvalidArgument(
        "git subcommand \"" + args[i] +
        "\" is not one the runtime runs; add the builtin to "
        "kAllowedSubcommands, since an alias of that name would run a "
        "program the repository configures");
  }
  for (const std::string& arg : args) {
    if (arg.find('\0') != std::string::npos) {
      return Status::InvalidArgument("git argument contains a NUL byte");
    }
  }
  return Status::Ok();
}

Status ValidateEnv(const GitEnv& env) {
  for (const auto& [name, value] : env.vars) {
    bool allowed = false;
    for (const char* allowed_name : kAllowedEnvNames) {
      if (name == allowed_name) allowed = true;
    }
    if (!allowed) {
      return Status::InvalidArgument(
          "environment variable \"" + name +
          "\" cannot be passed to git; only GIT_AUTHOR_* and "
          "GIT_COMMITTER_* name, email and date are allowed");
    }
    if (value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("value of " + name +
                                     " contains a NUL byte");
    }
  }
  return Status::Ok();
}

// Finds git in this process's PATH. Relative PATH entries are skipped so
// that the current directory never supplies the program.
Result<std::string> FindGit() {
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/bin:/bin";
  std::stringstream entries(path);
  std::string entry;
  while (std::getline(entries, entry, ':')) {
    if (entry.empty() || entry[0] != '/') continue;
    std::string candidate = entry + "/git";
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return Status::NotFound("git not found in PATH \"" + path +
                          "\"; install git 2.32 or newer");
}

std::vector<std::string> BuildEnv(const GitEnv& extra) {
  const char* path = std::getenv("PATH");
  const char* home = std::getenv("HOME");
  std::vector<std::string> env = {
      std::string("PATH=") + (path != nullptr ? path : "/usr/bin:/bin"),
      "LC_ALL=C",
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_ATTR_NOSYSTEM=1",
      "GIT_TERMINAL_PROMPT=0",
      "GIT_PAGER=cat",
      "PAGER=cat",
      "GIT_EDITOR=false",
      "GIT_SEQUENCE_EDITOR=false",
      "EDITOR=false",
      "VISUAL=false",
      "GIT_OPTIONAL_LOCKS=0",
      "GIT_NO_REPLACE_OBJECTS=1",
      "GIT_ALLOW_PROTOCOL=",
      "GIT_PROTOCOL_FROM_USER=0",
  };
  if (home != nullptr) env.push_back(std::string("HOME=") + home);
  for (const auto& [name, value] : extra.vars) {
    env.push_back(name + "=" + value);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The stdout and stderr pipes of one git run, closed when the object goes
// out of scope.
struct OutputPipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~OutputPipes() {
    for (int fd : {out[0], out[1], err[0], err[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

Status StartProcess(const std::string& git_path, std::vector<std::string> argv,
                    std::vector<std::string> env, OutputPipes& pipes,
                    pid_t* pid) {
  if (::pipe2(pipes.out, O_CLOEXEC) != 0 ||
      ::pipe2(pipes.err, O_CLOEXEC) != 0) {
    return Status::FromErrno("create pipes for git", errno);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipes.out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipes.err[1], 2);

  // A new process group lets a timeout kill git and everything it started.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                      POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) {
    sigaddset(&signals, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &signals);

  std::vector<char*> argv_ptrs = CStrings(argv);
  std::vector<char*> env_ptrs = CStrings(env);
  int rc = ::posix_spawn(pid, git_path.c_str(), &actions, &attr,
                         argv_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(pipes.out[1]);
  ::close(pipes.err[1]);
  pipes.out[1] = pipes.err[1] = -1;
  if (rc != 0) return Status::FromErrno("start \"" + git_path + "\"", rc);
  return Status::Ok();
}

// Reads both pipes until they close, the deadline passes or the output is
// too large. Returns OK, DeadlineExceeded or ResourceExhausted.
Status ReadOutput(OutputPipes& pipes, int64_t timeout_ms, SpawnOutput& out) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(timeout_ms);
  struct pollfd fds[2] = {{pipes.out[0], POLLIN, 0},
                          {pipes.err[0], POLLIN, 0}};
  std::string* sinks[2] = {&out.out, &out.err};
  int open_count = 2;
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::DeadlineExceeded("git still running after " +
                                      std::to_string(timeout_ms) + " ms");
    }
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      return Status::FromErrno("poll git output", errno);
    }
    for (int i = 0; i < 2 && ready > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      sinks[i]->append(buf, static_cast<size_t>(n));
      if (sinks[i]->size() > kMaxGitOutputBytes) {
        return Status::ResourceExhausted(
            "git output is larger than " +
            std::to_string(kMaxGitOutputBytes) + " bytes");
      }
    }
  }
  return Status::Ok();
}

int WaitForExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Result<SpawnOutput> Spawn(const std::string& git_path,
                          const std::vector<std::string>& args,
                          const std::string& dir, const GitEnv& extra_env,
                          int64_t timeout_ms) {
  std::vector<std::string> argv = {"git", "--no-pager",
                                   "--no-replace-objects"};
  if (!dir.empty()) {
    argv.push_back("-C");
    argv.push_back(dir);
  }
  for (const char* setting : kSafetyConfig) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  argv.insert(argv.end(), args.begin(), args.end());

  OutputPipes pipes;
  pid_t pid = -1;
  BOXAGNTS_RETURN_IF_ERROR(
      StartProcess(git_path, std::move(argv), BuildEnv(extra_env), pipes,
                   &pid));
  SpawnOutput output;
  Status read_status = ReadOutput(pipes, timeout_ms, output);
  if (!read_status.ok()) {
    ::kill(-pid, SIGKILL);
    WaitForExit(pid);
    return read_status;
  }
  output.exit_code = WaitForExit(pid);
  return output;
}

// Checks the version of the git at `git_path` once per path.
Status CheckGitVersion(const std::string& git_path) {
  static std::mutex mutex;
  static std::map<std::string, Status> checked;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = checked.find(git_path);
  if (it != checked.end()) return it->second;

  Result<SpawnOutput> run = Spawn(git_path, {"version"}, "", {}, 10000);
  if (!run.ok()) return run.status();
  int major = 0;
  int minor = 0;
  Status status;
  if (std::sscanf(run->out.c_str(), "git version %d.%d", &major, &minor) !=
      2) {
    status = Status::FailedPrecondition("cannot read the version of \"" +
                                        git_path + "\" from \"" + run->out +
                                        "\"");
  } else if (major < kMinGitMajor ||
             (major == kMinGitMajor && minor < kMinGitMinor)) {
    status = Status::FailedPrecondition(
        "\"" + git_path + "\" is git " + std::to_string(major) + "." +
        std::to_string(minor) + "; boxagnts needs git 2.32 or newer, which "
        "can be told to skip the user's global config");
  }
  checked.emplace(git_path, status);
  return status;
}

// Returns the subcommand of `args` ("worktree add", "commit", ...).
std::string SubcommandName(const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && args[i].rfind("--", 0) == 0) ++i;
  if (i == args.size()) return "";
  std::string name = args[i];
  if (name == "worktree" && i + 1 < args.size()) name += " " + args[i + 1];
  return name;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// True for filter.<driver>.clean, .smudge and .process. Git prints section
// and variable names in lower case.
bool IsFilterDriverCommand(const std::string& key) {
  if (key.rfind("filter.", 0) != 0) return false;
  size_t last_dot = key.rfind('.');
  if (last_dot <= 6) return false;  // no <driver> part
  std::string variable = key.substr(last_dot + 1);
  return variable == "clean" || variable == "smudge" || variable == "process";
}

// True for hook.<name>.command: a hook defined in config (git 2.54+).
bool IsConfiguredHook(const std::string& key) {
  return key.rfind("hook.", 0) == 0 && EndsWith(key, ".command");
}

bool IsInclude(const std::string& key) {
  return key == "include.path" ||
         (key.rfind("includeif.", 0) == 0 && EndsWith(key, ".path"));
}

}  // namespace

Result<GitResult> RunGit(const std::vector<std::string>& args,
                         const std::string& dir, const GitEnv& env,
                         int64_t timeout_ms) {
  BOXAGNTS_RETURN_IF_ERROR(ValidateArgs(args));
  BOXAGNTS_RETURN_IF_ERROR(ValidateEnv(env));
  if (timeout_ms <= 0) {
    return Status::InvalidArgument("git timeout " + std::to_string(timeout_ms) +
                                   " ms is not positive");
  }
  Result<std::string> git_path = FindGit();
  if (!git_path.ok()) return git_path.status();
  BOXAGNTS_RETURN_IF_ERROR(CheckGitVersion(*git_path));

  spdlog::debug("git run: dir={} subcommand={}", dir, SubcommandName(args));
  Result<SpawnOutput> run = Spawn(*git_path, args, dir, env, timeout_ms);
  if (!run.ok()) return run.status().WithPrefix("git " + SubcommandName(args));
  return GitResult{run->exit_code, std::move(run->out), std::move(run->err)};
}

bool IsGitLockContention(const GitResult& result) {
  if (result.exit_code == 0) return false;
  if (result.err.find("cannot lock ref") != std::string::npos) return true;
  return result.err.find("Unable to create '") != std::string::npos &&
         result.err.find(".lock': File exists") != std::string::npos;
}

Result<GitResult> RunGitRetryingLocks(const std::vector<std::string>& args,
                                      const std::string& dir,
                                      const GitEnv& env, int64_t timeout_ms) {
  int pause_ms = 50;
  for (int attempt = 1;; ++attempt) {
    Result<GitResult> run = RunGit(args, dir, env, timeout_ms);
    if (!run.ok() || !IsGitLockContention(*run) ||
        attempt == kMaxGitLockAttempts) {
      return run;
    }
    std::string first_line = run->err.substr(0, run->err.find('\n'));
    spdlog::warn("git lock busy, retrying in {} ms: dir={} attempt={}: {}",
                 pause_ms, dir, attempt, first_line);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms *= 2;
  }
}

Result<std::string> RunGitForOutput(const std::vector<std::string>& args,
                                    const std::string& dir, int64_t timeout_ms,
                                    bool retry_locks, const GitEnv& env) {
  Result<GitResult> run = retry_locks
                              ? RunGitRetryingLocks(args, dir, env, timeout_ms)
                              : RunGit(args, dir, env, timeout_ms);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    return Status::FailedPrecondition(DescribeGitFailure(args, *run));
  }
  return TrimGitOutput(std::move(run->out));
}

std::string TrimGitOutput(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string DescribeGitFailure(const std::vector<std::string>& args,
                               const GitResult& result) {
  std::string text = "git " + SubcommandName(args) + " exited with code " +
                     std::to_string(result.exit_code);
  std::string err = result.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) {
    err.pop_back();
  }
  constexpr size_t kMaxErrBytes = 2000;
  if (err.size() > kMaxErrBytes) err = err.substr(0, kMaxErrBytes) + "...";
  if (!err.empty()) text += ": " + err;
  return text;
}

Status CheckRepoConfig(const std::string& git_dir) {
  std::vector<std::string> args = {"--git-dir=" + git_dir, "config", "--list",
                                   "--null", "--show-scope", "--show-origin"};
  Result<GitResult> run = RunGit(args, git_dir);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    return Status::FailedPrecondition("read config of \"" + git_dir +
                                      "\": " + DescribeGitFailure(args, *run));
  }

  // Each entry is "scope\0origin\0key\nvalue\0". A key without a value
  // has no "\nvalue".
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t end; (end = run->out.find('\0', start)) != std::string::npos;
       start = end + 1) {
    fields.push_back(run->out.substr(start, end - start));
  }
  for (size_t i = 0; i + 2 < fields.size(); i += 3) {
    const std::string& scope = fields[i];
    if (scope == "command") continue;  // the safety overrides
    std::string origin = fields[i + 1];
    if (origin.rfind("file:", 0) == 0) origin = origin.substr(5);
    std::string key = fields[i + 2].substr(0, fields[i + 2].find('\n'));
    if (IsConfiguredHook(key)) {
      return Status::FailedPrecondition(
          "config file \"" + origin + "\" sets " + key +
          ", a hook command; boxagnts runs no program that a repository "
          "configures, so remove it (git config --unset " + key +
          ") or run the executor without worktree isolation");
    }
    if (IsFilterDriverCommand(key)) {
      return Status::FailedPrecondition(
          "config file \"" + origin + "\" sets " + key +
          ", a filter driver that git would run on checkout and on git add; "
          "boxagnts runs no program that a repository configures, so remove "
          "it (git config --unset " + key +
          ") or run the executor without worktree isolation");
    }
    if (IsInclude(key)) {
      return Status::FailedPrecondition(
          "config file \"" + origin + "\" sets " + key +
          "; an executor could change an included file, so worktree "
          "isolation rejects config includes. Copy the included settings "
          "into \"" + origin + "\" and remove the include");
    }
  }
  return Status::Ok();
}

}  // namespace boxagnts::query
