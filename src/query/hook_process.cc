#include "query/hook_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

extern char** environ;

namespace boxagnts::query {
namespace {

using Clock = std::chrono::steady_clock;

// Reads per stream and poll round, so that a child that writes without
// pause cannot keep the loop from checking its deadline.
constexpr int kMaxReadsPerRound = 16;
// Reads per stream after the shell exited. Bounds the time spent on a
// process outside the group that keeps the pipe open and writes to it.
constexpr int kMaxDrainReads = 256;
// Poll interval when pidfd_open is unavailable and the shell's exit can
// only be noticed by asking waitid.
constexpr int kExitPollIntervalMs = 10;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Moves `fd` above 2, so that the child's dup2 onto stdin, stdout or
// stderr never meets a pipe end that already has that number (possible
// when this process runs with a standard descriptor closed).
Status RaiseAboveStdio(UniqueFd* fd) {
  if (fd->get() > 2) return Status::Ok();
  int raised = fcntl(fd->get(), F_DUPFD_CLOEXEC, 3);
  if (raised < 0) return Status::FromErrno("fcntl(F_DUPFD_CLOEXEC)", errno);
  *fd = UniqueFd(raised);
  return Status::Ok();
}

Result<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno("pipe2", errno);
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  BOXAGNTS_RETURN_IF_ERROR(RaiseAboveStdio(&pipe.read));
  BOXAGNTS_RETURN_IF_ERROR(RaiseAboveStdio(&pipe.write));
  return pipe;
}

Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return Status::FromErrno("fcntl(O_NONBLOCK)", errno);
  }
  return Status::Ok();
}

// Returns this process's environment with `extra` added, each of its
// names replacing an inherited variable of the same name.
std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr;
       ++entry) {
    std::string_view text(*entry);
    bool replaced = std::any_of(extra.begin(), extra.end(), [&](auto& var) {
      return text.size() > var.first.size() && text.starts_with(var.first) &&
             text[var.first.size()] == '=';
    });
    if (!replaced) env.emplace_back(text);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

// Owns the posix_spawn attribute and file action objects.
class SpawnSettings {
 public:
  SpawnSettings() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSettings() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSettings(const SpawnSettings&) = delete;
  SpawnSettings& operator=(const SpawnSettings&) = delete;

  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// Starts /bin/sh -c COMMAND in a new process group whose id is the
// returned pid. The child gets the three fds as stdin, stdout and stderr
// and closes every other descriptor it inherits.
Result<pid_t> SpawnShell(const HookProcessRequest& request, int stdin_fd,
                         int stdout_fd, int stderr_fd) {
  SpawnSettings settings;
  posix_spawn_file_actions_t* actions = settings.actions();
  int rc = posix_spawn_file_actions_adddup2(actions, stdin_fd, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, stdout_fd, 1);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions, stderr_fd, 2);
  if (rc == 0) {
    rc = posix_spawn_file_actions_addchdir_np(actions,
                                              request.work_dir.c_str());
  }
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(actions, 3);

  // A new process group, no blocked signals and default handlers: the
  // caller may block SIGTERM (the CLI does) or ignore SIGPIPE, and the
  // hook must not inherit either.
  posix_spawnattr_t* attr = settings.attr();
  sigset_t no_signals;
  sigset_t all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  if (rc == 0) {
    rc = posix_spawnattr_setflags(
        attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                  POSIX_SPAWN_SETSIGDEF);
  }
  if (rc == 0) rc = posix_spawnattr_setpgroup(attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(attr, &no_signals);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(attr, &all_signals);
  if (rc != 0) return Status::FromErrno("prepare posix_spawn", rc);

  std::vector<std::string> env = BuildEnvironment(request.extra_env);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh";
  std::string flag = "-c";
  std::string command = request.command;
  char* argv[] = {shell.data(), flag.data(), command.data(), nullptr};

  pid_t pid = 0;
  rc = posix_spawn(&pid, shell.c_str(), actions, attr, argv, envp.data());
  if (rc != 0) {
    return Status::FromErrno(
        "start /bin/sh in \"" + request.work_dir + "\"", rc);
  }
  return pid;
}

// Blocks SIGPIPE in the calling thread while the child's stdin is written,
// so that a child that exits without reading makes write() fail with EPIPE
// instead of killing this process. A SIGPIPE raised meanwhile is consumed.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec no_wait{};
      sigtimedwait(&sigpipe_, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t sigpipe_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

// One captured output stream.
struct Capture {
  UniqueFd fd;
  std::string* data;
  uint64_t* total_bytes;
};

// Reads what is available on `capture`, at most `max_reads` times. Keeps
// the first `max_bytes` bytes and discards the rest. Closes the fd at end
// of file or on a read error.
void ReadAvailable(Capture* capture, uint64_t max_bytes, int max_reads) {
  char buffer[65536];
  for (int i = 0; i < max_reads && capture->fd.valid(); ++i) {
    ssize_t n = read(capture->fd.get(), buffer, sizeof(buffer));
    if (n > 0) {
      *capture->total_bytes += static_cast<uint64_t>(n);
      uint64_t room = max_bytes - std::min<uint64_t>(max_bytes,
                                                     capture->data->size());
      capture->data->append(buffer, std::min<uint64_t>(room, n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    capture->fd.Reset();
  }
}

// Writes as much of `data` as the pipe takes without blocking. Closes
// the fd when everything is written or the child closed its end.
void WriteAvailable(UniqueFd* fd, std::string_view data, size_t* written) {
  while (fd->valid() && *written < data.size()) {
    size_t chunk = std::min<size_t>(data.size() - *written, 65536);
    ssize_t n = write(fd->get(), data.data() + *written, chunk);
    if (n > 0) {
      *written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd->Reset();  // EPIPE: the child does not read the rest
  }
  if (*written >= data.size()) fd->Reset();
}

// True once the shell has exited. WNOWAIT leaves it unreaped, so its pid,
// which is the process group id, cannot be reused while the group is
// still signalled.
bool ShellExited(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof(info));
  if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno != EINTR;  // ECHILD: nothing left to wait for
  }
  return info.si_pid == pid;
}

int MillisecondsUntil(Clock::time_point when) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(when -
                                                           Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
}

// Everything the supervision loop watches.
struct Child {
  pid_t pid = 0;
  UniqueFd stdin_fd;
  Capture out;
  Capture err;
  UniqueFd wake_fd;  // readable once the token is cancelled
  UniqueFd pid_fd;   // readable once the shell exits; invalid if no pidfd
};

// Serves the child's pipes until the shell exits, enforcing the timeout
// and cancellation. Returns how the run ended unless the shell exited on
// its own (kExited, to be refined from its wait status).
HookProcessEnd Supervise(const HookProcessRequest& request,
                         const CancellationToken& cancel, Child* child) {
  enum class Phase { kRunning, kTerminating, kKilled };
  Phase phase = Phase::kRunning;
  HookProcessEnd end = HookProcessEnd::kExited;
  Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(request.timeout_ms);
  Clock::time_point kill_at = Clock::time_point::max();
  size_t written = 0;
  SigpipeBlock sigpipe_block;

  while (true) {
    // Wait for pipe activity, the shell's exit, cancellation or the next
    // deadline.
    pollfd fds[5];
    nfds_t count = 0;
    auto add = [&](const UniqueFd& fd, short events) {
      if (fd.valid()) fds[count++] = {fd.get(), events, 0};
    };
    add(child->stdin_fd, POLLOUT);
    add(child->out.fd, POLLIN);
    add(child->err.fd, POLLIN);
    if (phase == Phase::kRunning) add(child->wake_fd, POLLIN);
    add(child->pid_fd, POLLIN);
    int wait_ms = MillisecondsUntil(phase == Phase::kRunning ? deadline
                                                             : kill_at);
    if (phase == Phase::kKilled) wait_ms = 100;
    if (!child->pid_fd.valid()) {
      wait_ms = std::min(wait_ms, kExitPollIntervalMs);
    }
    // EINTR and other poll errors only start the next round early.
    poll(fds, count, wait_ms);

    // Move bytes, then look at the shell and the clock.
    WriteAvailable(&child->stdin_fd, request.stdin_bytes, &written);
    ReadAvailable(&child->out, request.max_output_bytes, kMaxReadsPerRound);
    ReadAvailable(&child->err, request.max_output_bytes, kMaxReadsPerRound);
    if (ShellExited(child->pid)) return end;

    Clock::time_point now = Clock::now();
    if (phase == Phase::kRunning &&
        (cancel.IsCancelled() || now >= deadline)) {
      end = cancel.IsCancelled() ? HookProcessEnd::kCancelled
                                 : HookProcessEnd::kTimedOut;
      kill(-child->pid, SIGTERM);
      phase = Phase::kTerminating;
      kill_at = now + std::chrono::milliseconds(request.kill_grace_ms);
    } else if (phase == Phase::kTerminating && now >= kill_at) {
      kill(-child->pid, SIGKILL);
      phase = Phase::kKilled;
    }
  }
}

// Reaps the shell and fills end, exit_code and signal of `result`.
Status Reap(pid_t pid, HookProcessEnd supervised_end,
            HookProcessResult* result) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno("waitpid for hook", errno);
  }
  result->end = supervised_end;
  if (WIFEXITED(status)) {
    result->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result->signal = WTERMSIG(status);
    if (supervised_end == HookProcessEnd::kExited) {
      result->end = HookProcessEnd::kSignaled;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<HookProcessResult> RunHookProcess(const HookProcessRequest& request,
                                         const CancellationToken& cancel) {
  Clock::time_point start = Clock::now();
  Result<Pipe> in = MakePipe();
  if (!in.ok()) return in.status();
  Result<Pipe> out = MakePipe();
  if (!out.ok()) return out.status();
  Result<Pipe> err = MakePipe();
  if (!err.ok()) return err.status();
  Result<Pipe> wake = MakePipe();
  if (!wake.ok()) return wake.status();

  Result<pid_t> pid = SpawnShell(request, in->read.get(), out->write.get(),
                                 err->write.get());
  if (!pid.ok()) return pid.status();

  HookProcessResult result;
  result.pid = *pid;
  Child child;
  child.pid = *pid;
  child.stdin_fd = std::move(in->write);
  child.out = {std::move(out->read), &result.stdout_bytes,
               &result.stdout_total_bytes};
  child.err = {std::move(err->read), &result.stderr_bytes,
               &result.stderr_total_bytes};
  child.wake_fd = std::move(wake->read);
  child.pid_fd = UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, *pid, 0)));
  in->read.Reset();
  out->write.Reset();
  err->write.Reset();

  // A blocking pipe could stall the loop past its deadline, so a hook whose
  // pipes cannot be made non-blocking is killed instead.
  for (int fd : {child.stdin_fd.get(), child.out.fd.get(),
                 child.err.fd.get(), wake->write.get()}) {
    Status status = SetNonBlocking(fd);
    if (!status.ok()) {
      kill(-child.pid, SIGKILL);
      BOXAGNTS_RETURN_IF_ERROR(Reap(child.pid, HookProcessEnd::kExited,
                                    &result));
      return status.WithPrefix("set up the pipes of hook process " +
                               std::to_string(child.pid));
    }
  }

  HookProcessEnd end;
  {
    // Destroyed before the wake pipe closes, so the callback never writes
    // to a closed descriptor.
    CancellationRegistration registration =
        cancel.OnCancel([fd = wake->write.get()] {
          char byte = 1;
          ssize_t ignored = write(fd, &byte, 1);
          (void)ignored;
        });
    end = Supervise(request, cancel, &child);
  }

  // The shell has exited but is not reaped yet: kill what it left in its
  // group, keep the output already in the pipes, then reap.
  kill(-child.pid, SIGKILL);
  ReadAvailable(&child.out, request.max_output_bytes, kMaxDrainReads);
  ReadAvailable(&child.err, request.max_output_bytes, kMaxDrainReads);
  BOXAGNTS_RETURN_IF_ERROR(Reap(child.pid, end, &result));
  result.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          Clock::now() - start)
                          .count();
  return result;
}

}  // namespace boxagnts::query
