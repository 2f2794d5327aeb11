// Runs WASI preview 1 command modules under the sandbox's limits.
//
// A run can reach only its mounts, gets no sockets (HTTP goes through the
// network broker, when one is given), and ends by exit, trap or one of its
// limits. Many runs may execute at once on different threads; each has its
// own store, limits and outcome.
//
// Thread safety: Sandbox is safe to share between threads.

#ifndef BOXAGNTS_SANDBOX_SANDBOX_H_
#define BOXAGNTS_SANDBOX_SANDBOX_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "sandbox/limits.h"
#include "sandbox/mounts.h"

namespace boxagnts::sandbox {

class ModuleCache;
class NetworkBroker;
struct CompiledModule;

// The reason a run ended when the guest did not exit by itself.
enum class TrapKind {
  kNone,           // the guest exited; see exit_code
  kOutOfFuel,      // `wasm_fuel` was used up
  kTimeout,        // `wasm_timeout` passed
  kMemoryLimit,    // growth beyond `wasm_max_memory_size` was denied
  kStackOverflow,  // `wasm_max_wasm_stack` was exceeded
  kCancelled,      // the caller cancelled the run
  kTrap,           // any other trap, named in the message
};

// Returns the outcome name of `kind`: "out_of_fuel", "timeout",
// "memory_limit", "stack_overflow", "cancelled", "trap", or "" for kNone.
std::string_view TrapKindName(TrapKind kind);

struct RunRequest {
  std::string program_name = "main.wasm";  // argv[0] of the guest
  std::vector<std::string> args;           // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;
  std::string stdin_bytes;
  // Directories the guest may see; see ResolveMounts. Host paths must be
  // canonical, as ResolveMounts returns them.
  std::vector<Mount> mounts;
  SandboxLimits limits;
  // Serves the guest's HTTP requests; null means no network at all.
  std::shared_ptr<NetworkBroker> network;
  CancellationToken cancel;
  // Receive stdout and stderr bytes as the guest writes them (within the
  // output caps), when set. Called on the run's thread.
  std::function<void(std::string_view)> stdout_sink;
  std::function<void(std::string_view)> stderr_sink;
  // Appears in log lines about this run; generated when empty.
  std::string run_id;
};

struct RunOutcome {
  std::optional<int> exit_code;  // set when the guest exited
  TrapKind trap = TrapKind::kNone;
  std::string message;           // what stopped the run, for people
  uint64_t fuel_consumed = 0;
  uint64_t wall_us = 0;           // from instantiation to the end
  uint64_t peak_memory_bytes = 0; // linear memory size at the end
  std::string stdout_bytes;
  std::string stderr_bytes;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
};

// Describes a module by its file or by its bytes (binary or WAT text).
struct ModuleSource {
  std::string path;
  std::string bytes;
  static ModuleSource File(std::string path) { return {std::move(path), {}}; }
  static ModuleSource Bytes(std::string bytes) { return {{}, std::move(bytes)}; }
};

class Sandbox {
 public:
  // `cache_dir` stores compiled modules on disk; empty disables the disk
  // cache. See DefaultCacheDir().
  explicit Sandbox(std::string cache_dir);
  ~Sandbox();

  // A process-wide sandbox with the default cache folder.
  static Sandbox& Default();

  // $BOXAGNTS_CACHE_DIR, else $XDG_CACHE_HOME/boxagnts, else
  // ~/.cache/boxagnts; followed by /modules.
  static std::string DefaultCacheDir();

  // Compiles (or loads from cache) `module` for runs with
  // `max_wasm_stack_bytes`, without running it.
  Result<std::shared_ptr<const CompiledModule>> Load(
      const ModuleSource& module, uint64_t max_wasm_stack_bytes);

  // Runs `module` to completion. Returns an error only when the run could
  // not start: bad limits, an unreadable or invalid module, missing
  // imports, bad mounts, or a writable mount over the module cache. Once
  // the guest runs, everything that happens, traps and limits included,
  // is described by the outcome.
  Result<RunOutcome> Run(const ModuleSource& module, const RunRequest& request);

  // Forgets compiled modules held in memory; the disk cache stays.
  void ClearMemoryCache();

  // The cache serving `max_wasm_stack_bytes`, for statistics.
  Result<ModuleCache*> CacheFor(uint64_t max_wasm_stack_bytes);

 private:
  // Rejects a writable mount that contains the disk cache or lies inside it,
  // since a guest could then plant compiled code for later runs.
  Status CheckMountsSpareCache(const std::vector<Mount>& mounts) const;

  // Returns `module` compiled by `cache`.
  static Result<std::shared_ptr<const CompiledModule>> LoadFrom(
      ModuleCache* cache, const ModuleSource& module);

  std::string cache_dir_;
  // cache_dir_ with symbolic links resolved as far as it exists, for
  // comparing with mount paths; empty when cache_dir_ is.
  std::string canonical_cache_dir_;
  std::mutex mu_;
  std::map<uint64_t, std::unique_ptr<ModuleCache>> caches_;  // guarded by mu_
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_SANDBOX_H_
