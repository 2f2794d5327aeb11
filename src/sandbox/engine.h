// A wasmtime engine with the settings the sandbox needs, the linker that
// serves every guest import, and the epoch ticker behind timeouts and
// cancellation.
//
// wasmtime fixes the maximum wasm stack per engine, so the process keeps one
// engine per distinct `wasm_max_wasm_stack` value; with default settings
// that is a single shared engine. Engines live until the process exits.
//
// Thread safety: every member may be called from any thread.

#ifndef BOXAGNTS_SANDBOX_ENGINE_H_
#define BOXAGNTS_SANDBOX_ENGINE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "sandbox/wasm_handles.h"

namespace boxagnts::sandbox {

class Engine {
 public:
  // Period of the epoch ticker, in milliseconds. A run notices a timeout
  // or a cancellation within about one period while it executes wasm.
  static constexpr uint64_t kEpochTickMs = 2;

  // Maximum linear memories alive at once per engine (pooling allocator
  // slots). A run beyond that fails to instantiate with a clear error.
  static constexpr uint32_t kMaxConcurrentInstances = 256;

  // Returns the process-wide engine for `max_wasm_stack_bytes`, creating
  // it on first use. The pointer stays valid until the process exits.
  static Result<Engine*> ForStackSize(uint64_t max_wasm_stack_bytes);

  wasm_engine_t* raw() const { return engine_.get(); }
  const wasmtime_linker_t* linker() const { return linker_.get(); }
  uint64_t max_wasm_stack_bytes() const { return max_wasm_stack_bytes_; }

  // A string that changes whenever compiled code from this engine could
  // differ: wasmtime version, target and every setting that affects code.
  const std::string& fingerprint() const { return fingerprint_; }

  // Keeps the epoch ticker running while at least one run is active.
  void BeginRun();
  void EndRun();

  ~Engine();

 private:
  explicit Engine(uint64_t max_wasm_stack_bytes);
  Status Init();
  void TickerLoop();

  const uint64_t max_wasm_stack_bytes_;
  EngineHandle engine_;
  LinkerHandle linker_;
  std::string fingerprint_;

  std::mutex mu_;
  std::condition_variable wake_;
  int active_runs_ = 0;      // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::thread ticker_;
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_ENGINE_H_
