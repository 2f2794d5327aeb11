// Resource limits of one sandbox run. Every limit has a finite default.

#ifndef BOXAGNTS_SANDBOX_LIMITS_H_
#define BOXAGNTS_SANDBOX_LIMITS_H_

#include <cstdint>
#include <string>

#include "core/status.h"

namespace boxagnts::sandbox {

struct SandboxLimits {
  // `wasm_fuel`: WebAssembly instructions (wasmtime fuel units, about one
  // per instruction) the guest may execute. 10 billion is some seconds of
  // work on one core.
  uint64_t fuel = 10'000'000'000ULL;

  // `wasm_timeout`: wall-clock time of the whole run, in milliseconds,
  // including time blocked in host calls such as sleeps and HTTP requests.
  uint64_t timeout_ms = 30'000;

  // `wasm_max_memory_size`: bytes of linear memory the guest may grow to.
  uint64_t max_memory_bytes = 256ULL << 20;

  // `wasm_max_wasm_stack`: bytes of native stack that WebAssembly frames
  // may use before the run traps with a stack overflow.
  uint64_t max_wasm_stack_bytes = 1ULL << 20;

  // Bytes of stdout and stderr kept; the rest is dropped and the outcome
  // flags the stream as truncated. The guest is not stopped.
  uint64_t max_stdout_bytes = 8ULL << 20;
  uint64_t max_stderr_bytes = 1ULL << 20;

  // WASI host allocation: the largest `random_get` request, in bytes. A
  // larger request traps instead of making the host allocate it.
  uint64_t max_random_bytes = 1ULL << 20;

  // Maximum elements of a WebAssembly table (function pointers).
  uint64_t max_table_elements = 100'000;
};

// The largest values the sandbox accepts. They bound what one config entry
// can ask of the host.
inline constexpr uint64_t kMaxMemoryBytesLimit = 4ULL << 30;        // 4 GiB
// wasmtime 48 rejects a wasm stack larger than its async stack size,
// which defaults to 2 MiB.
inline constexpr uint64_t kMaxWasmStackBytesLimit = 2ULL << 20;     // 2 MiB
inline constexpr uint64_t kMaxTimeoutMsLimit = 24ULL * 3600 * 1000; // 1 day

// Returns InvalidArgument naming the setting when a value is zero or above
// its maximum.
Status ValidateLimits(const SandboxLimits& limits);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_LIMITS_H_
