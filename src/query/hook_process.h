// Running one hook command as a child process under a timeout.
//
// The command runs as `/bin/sh -c COMMAND` in its own process group, with
// the request's bytes on stdin and stdout and stderr captured. The child
// starts with an empty signal mask and the default action for signals 1
// to 31, whatever the calling thread blocks or ignores. It inherits no
// descriptor of this process other than its three pipes.
//
// The run ends when the shell exits. Processes it left behind in its
// process group are then killed with SIGKILL, so a hook cannot leave
// work running inside the agent's session (a process that calls setsid
// escapes this). On timeout or cancellation the whole group gets SIGTERM,
// then SIGKILL once `kill_grace_ms` has passed. The shell is reaped in
// every case, so it never stays a zombie. The other members of its group
// are not children of this process, so the init process reaps them.

#ifndef BOXAGNTS_QUERY_HOOK_PROCESS_H_
#define BOXAGNTS_QUERY_HOOK_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"

namespace boxagnts::query {

// Cap on each of stdout and stderr; later bytes are read and discarded.
inline constexpr uint64_t kMaxHookOutputBytes = 1 << 20;  // 1 MiB

struct HookProcessRequest {
  std::string command;      // shell text for /bin/sh -c
  std::string work_dir;     // the child's working directory
  std::string stdin_bytes;  // written to the child's stdin, then closed
  // Variables added to (or replacing those of) this process's environment.
  std::vector<std::pair<std::string, std::string>> extra_env;
  int64_t timeout_ms = 60'000;
  int64_t kill_grace_ms = 1'000;  // from SIGTERM to SIGKILL
  uint64_t max_output_bytes = kMaxHookOutputBytes;
};

// The way a hook process ended.
enum class HookProcessEnd {
  kExited,     // the shell exited; see exit_code
  kSignaled,   // the shell died from a signal; see signal
  kTimedOut,   // timeout_ms passed and the group was killed
  kCancelled,  // the token was cancelled and the group was killed
};

struct HookProcessResult {
  HookProcessEnd end = HookProcessEnd::kExited;
  int exit_code = -1;  // for kExited
  int signal = 0;      // for kSignaled
  pid_t pid = 0;       // of the shell, which is also the process group id
  std::string stdout_bytes;       // at most max_output_bytes
  std::string stderr_bytes;       // at most max_output_bytes
  uint64_t stdout_total_bytes = 0;  // everything read, kept or not
  uint64_t stderr_total_bytes = 0;
  int64_t elapsed_ms = 0;
};

// Runs `request` and waits until the process ends as described above.
// Returns an error only when the process cannot be started or waited for,
// such as when work_dir does not exist. The error names the step and the
// reason.
// REQUIRES: the process does not set SIGCHLD to SIG_IGN, and no other
// thread waits for any child (waitpid(-1, ...)). Either would reap the
// shell before this function does.
// Thread safety: may run on several threads at once.
Result<HookProcessResult> RunHookProcess(const HookProcessRequest& request,
                                         const CancellationToken& cancel);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_HOOK_PROCESS_H_
