#include "sandbox/sandbox.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/log.h"
#include "sandbox/engine.h"
#include "sandbox/module_cache.h"
#include "sandbox/run_state.h"
#include "sandbox/wasm_handles.h"
#include "sandbox/wasmtime_extras.h"

namespace boxagnts::sandbox {

namespace {

using Clock = std::chrono::steady_clock;

std::string NewRunId() {
  static std::atomic<uint64_t> counter{0};
  return "run-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1) + 1);
}

ptrdiff_t CaptureOutput(void* data, const unsigned char* buf, size_t len) {
  static_cast<OutputCapture*>(data)->Append(
      std::string_view(reinterpret_cast<const char*>(buf), len));
  // Report every byte as written, so a guest past the cap keeps running.
  return static_cast<ptrdiff_t>(len);
}

// Runs every epoch tick while the guest executes wasm code.
wasmtime_error_t* OnEpochDeadline(wasmtime_context_t* context, void* data,
                                  uint64_t* epoch_deadline_delta,
                                  wasmtime_update_deadline_kind_t* kind) {
  auto* state = static_cast<RunState*>(data);
  if (state->stop() != HostStop::kNone || state->CheckDeadline()) {
    return wasmtime_error_new("boxagnts: run stopped by the host");
  }
  *epoch_deadline_delta = 1;
  *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE;
  return nullptr;
}

// Builds the guest's WASI context: arguments, environment, stdin, captured
// output and preopened mounts. Nothing is inherited from the host.
Result<WasiConfigHandle> BuildWasiConfig(const RunRequest& request,
                                         RunState* state) {
  WasiConfigHandle config(wasi_config_new());
  std::vector<const char*> argv;
  argv.push_back(request.program_name.c_str());
  for (const std::string& arg : request.args) argv.push_back(arg.c_str());
  if (!wasi_config_set_argv(config.get(), argv.size(), argv.data())) {
    return Status::InvalidArgument("guest arguments must be valid UTF-8");
  }
  std::vector<const char*> names, values;
  for (const auto& [name, value] : request.env) {
    if (name.empty() || name.find('=') != std::string::npos) {
      return Status::InvalidArgument("invalid environment variable name \"" +
                                     name + "\": it must be non-empty and "
                                     "contain no '='");
    }
    names.push_back(name.c_str());
    values.push_back(value.c_str());
  }
  if (!wasi_config_set_env(config.get(), names.size(), names.data(),
                           values.data())) {
    return Status::InvalidArgument("environment variables must be UTF-8");
  }
  wasm_byte_vec_t stdin_vec;
  wasm_byte_vec_new(&stdin_vec, request.stdin_bytes.size(),
                    request.stdin_bytes.data());
  wasi_config_set_stdin_bytes(config.get(), &stdin_vec);  // takes ownership
  wasi_config_set_stdout_custom(config.get(), CaptureOutput,
                                &state->stdout_capture, nullptr);
  wasi_config_set_stderr_custom(config.get(), CaptureOutput,
                                &state->stderr_capture, nullptr);
  for (const Mount& mount : request.mounts) {
    if (!wasi_config_preopen_dir(config.get(), mount.host_path.c_str(),
                                 mount.guest_path.c_str(), !mount.read_only)) {
      return Status::InvalidArgument("cannot mount \"" + mount.host_path +
                                     "\" at \"" + mount.guest_path + "\"");
    }
  }
  boxagnts_wasi_config_set_max_random_size(config.get(),
                                           request.limits.max_random_bytes);
  return config;
}

std::string LimitMessage(TrapKind kind, const SandboxLimits& limits) {
  switch (kind) {
    case TrapKind::kOutOfFuel:
      return "the run used all of its fuel (wasm_fuel = " +
             std::to_string(limits.fuel) + ")";
    case TrapKind::kTimeout:
      return "the run exceeded its time limit (wasm_timeout = " +
             std::to_string(limits.timeout_ms) + " ms)";
    case TrapKind::kMemoryLimit:
      return "the guest tried to grow its memory beyond "
             "wasm_max_memory_size = " +
             std::to_string(limits.max_memory_bytes) + " bytes";
    case TrapKind::kStackOverflow:
      return "the guest overflowed its stack (wasm_max_wasm_stack = " +
             std::to_string(limits.max_wasm_stack_bytes) + " bytes)";
    case TrapKind::kCancelled:
      return "the run was cancelled";
    default:
      return "";
  }
}

// Returns the causes of a wasmtime error without its backtrace. wasmtime
// formats errors as "error while executing at wasm backtrace: ... Caused
// by:" followed by numbered causes; the causes are joined with ": ".
std::string RootCause(const std::string& message) {
  size_t pos = message.find("Caused by:");
  if (pos == std::string::npos) return message;
  std::string out;
  std::istringstream lines(message.substr(pos + 10));
  std::string line;
  while (std::getline(lines, line)) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    // Drop the "0: " numbering of multiple causes.
    size_t colon = line.find(": ");
    if (colon != std::string::npos &&
        line.find_first_not_of("0123456789") == colon) {
      line = line.substr(colon + 2);
    }
    if (!out.empty()) out += ": ";
    out += line;
  }
  return out.empty() ? message : out;
}

bool IsMemoryLimitMessage(const std::string& message) {
  return message.find("forcing trap when growing memory") !=
             std::string::npos ||
         message.find("exceeds memory limits") != std::string::npos;
}

// Fills in how the run ended from what the call returned.
void ClassifyEnd(const RunState& state, const wasmtime_error_t* error,
                 const wasm_trap_t* trap, const SandboxLimits& limits,
                 RunOutcome* outcome) {
  int exit_status = 0;
  if (error != nullptr && wasmtime_error_exit_status(error, &exit_status)) {
    outcome->exit_code = exit_status;
    return;
  }
  if (error == nullptr && trap == nullptr) {
    outcome->exit_code = 0;
    return;
  }
  std::string message =
      error != nullptr ? ErrorMessage(error) : TrapMessage(trap);
  wasmtime_trap_code_t code;
  bool has_code = trap != nullptr && wasmtime_trap_code(trap, &code);

  if (state.stop() == HostStop::kCancelled) {
    outcome->trap = TrapKind::kCancelled;
  } else if (state.stop() == HostStop::kTimeout) {
    outcome->trap = TrapKind::kTimeout;
  } else if (has_code && code == WASMTIME_TRAP_CODE_OUT_OF_FUEL) {
    outcome->trap = TrapKind::kOutOfFuel;
  } else if (has_code && code == WASMTIME_TRAP_CODE_STACK_OVERFLOW) {
    outcome->trap = TrapKind::kStackOverflow;
  } else if (IsMemoryLimitMessage(message)) {
    outcome->trap = TrapKind::kMemoryLimit;
  } else if (message.find("get-random-bytes") != std::string::npos &&
             message.find("exceeds limit") != std::string::npos) {
    outcome->trap = TrapKind::kTrap;
    outcome->message = "the guest asked random_get for more than "
                       "max_random_bytes = " +
                       std::to_string(limits.max_random_bytes) + " bytes";
    return;
  } else if (message.find("forcing trap when growing table") !=
             std::string::npos) {
    outcome->trap = TrapKind::kTrap;
    outcome->message = "the guest tried to grow a table beyond "
                       "max_table_elements = " +
                       std::to_string(limits.max_table_elements) + " elements";
    return;
  } else {
    outcome->trap = TrapKind::kTrap;
    outcome->message = RootCause(message);
    spdlog::debug("sandbox run={} trap details: {}", state.run_id, message);
    return;
  }
  outcome->message = LimitMessage(outcome->trap, limits);
}

uint64_t MemorySize(wasmtime_context_t* context,
                    const wasmtime_instance_t& instance) {
  wasmtime_extern_t item;
  if (!wasmtime_instance_export_get(context, &instance, "memory", 6, &item) ||
      item.kind != WASMTIME_EXTERN_MEMORY) {
    return 0;
  }
  uint64_t size = wasmtime_memory_data_size(context, &item.of.memory);
  wasmtime_extern_delete(&item);
  return size;
}

}  // namespace

std::string_view TrapKindName(TrapKind kind) {
  switch (kind) {
    case TrapKind::kNone: return "";
    case TrapKind::kOutOfFuel: return "out_of_fuel";
    case TrapKind::kTimeout: return "timeout";
    case TrapKind::kMemoryLimit: return "memory_limit";
    case TrapKind::kStackOverflow: return "stack_overflow";
    case TrapKind::kCancelled: return "cancelled";
    case TrapKind::kTrap: return "trap";
  }
  return "trap";
}

Sandbox::Sandbox(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {
  if (cache_dir_.empty()) return;
  std::error_code ec;
  canonical_cache_dir_ = std::filesystem::weakly_canonical(cache_dir_, ec)
                             .lexically_normal()
                             .string();
  if (ec) canonical_cache_dir_ = cache_dir_;
}
Sandbox::~Sandbox() = default;

Sandbox& Sandbox::Default() {
  static auto* sandbox = new Sandbox(DefaultCacheDir());
  return *sandbox;
}

std::string Sandbox::DefaultCacheDir() {
  std::string base;
  if (const char* dir = std::getenv("BOXAGNTS_CACHE_DIR"); dir && *dir) {
    base = dir;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = std::string(xdg) + "/boxagnts";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.cache/boxagnts";
  } else {
    return "";
  }
  return base + "/modules";
}

Result<ModuleCache*> Sandbox::CacheFor(uint64_t max_wasm_stack_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = caches_.find(max_wasm_stack_bytes);
  if (it != caches_.end()) return it->second.get();
  Result<Engine*> engine = Engine::ForStackSize(max_wasm_stack_bytes);
  if (!engine.ok()) return engine.status();
  auto& cache = caches_[max_wasm_stack_bytes];
  cache = std::make_unique<ModuleCache>(*engine, cache_dir_);
  return cache.get();
}

void Sandbox::ClearMemoryCache() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [stack, cache] : caches_) cache->ClearMemory();
}

Result<std::shared_ptr<const CompiledModule>> Sandbox::LoadFrom(
    ModuleCache* cache, const ModuleSource& module) {
  if (!module.path.empty()) return cache->GetFile(module.path);
  return cache->Get(module.bytes, "(bytes)");
}

Result<std::shared_ptr<const CompiledModule>> Sandbox::Load(
    const ModuleSource& module, uint64_t max_wasm_stack_bytes) {
  Result<ModuleCache*> cache = CacheFor(max_wasm_stack_bytes);
  if (!cache.ok()) return cache.status();
  return LoadFrom(*cache, module);
}

Status Sandbox::CheckMountsSpareCache(const std::vector<Mount>& mounts) const {
  if (canonical_cache_dir_.empty()) return Status::Ok();
  const std::string& cache = canonical_cache_dir_;
  auto within = [](const std::string& path, const std::string& dir) {
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
            (dir.back() == '/' || path[dir.size()] == '/'));
  };
  for (const Mount& mount : mounts) {
    if (mount.read_only) continue;
    if (within(cache, mount.host_path) || within(mount.host_path, cache)) {
      return Status::InvalidArgument(
          "the writable mount \"" + mount.host_path +
          "\" contains the compiled-module cache \"" + cache +
          "\", which a guest could then rewrite: mount it read-only, or move "
          "the cache with BOXAGNTS_CACHE_DIR");
    }
  }
  return Status::Ok();
}

Result<RunOutcome> Sandbox::Run(const ModuleSource& module,
                                const RunRequest& request) {
  const SandboxLimits& limits = request.limits;
  BOXAGNTS_RETURN_IF_ERROR(ValidateLimits(limits));
  BOXAGNTS_RETURN_IF_ERROR(CheckMountsSpareCache(request.mounts));
  Result<ModuleCache*> cache = CacheFor(limits.max_wasm_stack_bytes);
  if (!cache.ok()) return cache.status();
  Engine* engine = (*cache)->engine();
  Result<std::shared_ptr<const CompiledModule>> compiled =
      LoadFrom(*cache, module);
  if (!compiled.ok()) return compiled.status();

  RunState state;
  state.run_id = request.run_id.empty() ? NewRunId() : request.run_id;
  state.stdout_capture.max_bytes = limits.max_stdout_bytes;
  state.stdout_capture.sink = request.stdout_sink;
  state.stderr_capture.max_bytes = limits.max_stderr_bytes;
  state.stderr_capture.sink = request.stderr_sink;
  state.network = request.network;

  Result<WasiConfigHandle> wasi = BuildWasiConfig(request, &state);
  if (!wasi.ok()) return wasi.status();

  // The store's data pointer lets host functions find `state`. The store
  // is destroyed before `state`, so the pointer never dangles.
  StoreHandle store(wasmtime_store_new(engine->raw(), &state, nullptr));
  wasmtime_context_t* context = wasmtime_store_context(store.get());
  boxagnts_store_limiter(store.get(),
                         static_cast<int64_t>(limits.max_memory_bytes),
                         static_cast<int64_t>(limits.max_table_elements),
                         /*instances=*/1, /*tables=*/-1, /*memories=*/-1);
  ErrorHandle error(wasmtime_context_set_fuel(context, limits.fuel));
  if (error) {
    return Status::Internal("setting fuel failed: " + ErrorMessage(error.get()));
  }
  wasmtime_store_epoch_deadline_callback(store.get(), OnEpochDeadline, &state,
                                         nullptr);
  wasmtime_context_set_epoch_deadline(context, 1);

  state.start = Clock::now();
  state.deadline = state.start + std::chrono::milliseconds(limits.timeout_ms);
  error.reset(wasmtime_context_set_wasi(context, wasi->release()));
  if (error) {
    return Status::Internal("setting up WASI failed: " +
                            ErrorMessage(error.get()));
  }

  // Registered after `state` exists and reset before it goes away.
  CancellationRegistration cancel_registration = request.cancel.OnCancel(
      [&state] { state.RequestStop(HostStop::kCancelled); });
  spdlog::debug("sandbox run={} started: module={} fuel={} timeout_ms={}",
                state.run_id, (*compiled)->key.substr(0, 12), limits.fuel,
                limits.timeout_ms);

  engine->BeginRun();
  RunOutcome outcome;
  wasmtime_instance_t instance;
  wasm_trap_t* raw_trap = nullptr;
  bool instantiated = false;
  if (state.stop() == HostStop::kNone) {
    error.reset(wasmtime_instance_pre_instantiate(
        (*compiled)->instance_pre.get(), context, &instance, &raw_trap));
    instantiated = !error && raw_trap == nullptr;
  }
  if (instantiated) {
    wasmtime_extern_t start;
    if (!wasmtime_instance_export_get(context, &instance, "_start", 6,
                                      &start) ||
        start.kind != WASMTIME_EXTERN_FUNC) {
      engine->EndRun();
      return Status::InvalidArgument(
          "the module has no _start function: the sandbox runs WASI "
          "command modules (compile with a wasm32-wasi(p1) target)");
    }
    // TODO: a guest blocked in a WASI file call that waits on another
    // process (opening a FIFO) keeps this thread until the call returns.
    // Only poll_oneoff and HTTP requests can be interrupted.
    error.reset(wasmtime_func_call(context, &start.of.func, nullptr, 0,
                                   nullptr, 0, &raw_trap));
  }
  TrapHandle trap(raw_trap);
  engine->EndRun();
  cancel_registration.Reset();
  Clock::time_point end = Clock::now();

  if (!instantiated && !error && !trap) {
    outcome.trap = TrapKind::kCancelled;  // cancelled before it started
    outcome.message = LimitMessage(TrapKind::kCancelled, limits);
  } else {
    ClassifyEnd(state, error.get(), trap.get(), limits, &outcome);
  }

  uint64_t fuel_left = 0;
  ErrorHandle fuel_error(wasmtime_context_get_fuel(context, &fuel_left));
  if (!fuel_error) {
    outcome.fuel_consumed = limits.fuel - fuel_left;
  }
  if (instantiated) outcome.peak_memory_bytes = MemorySize(context, instance);
  outcome.wall_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(end - state.start)
          .count());
  store.reset();

  outcome.stdout_bytes = std::move(state.stdout_capture.bytes);
  outcome.stdout_truncated = state.stdout_capture.truncated;
  outcome.stderr_bytes = std::move(state.stderr_capture.bytes);
  outcome.stderr_truncated = state.stderr_capture.truncated;
  if (outcome.trap != TrapKind::kNone) {
    spdlog::info("sandbox run={} stopped: {}: {}", state.run_id,
                 TrapKindName(outcome.trap), outcome.message);
  } else {
    spdlog::debug("sandbox run={} exited: code={} fuel={} wall_us={}",
                  state.run_id, *outcome.exit_code, outcome.fuel_consumed,
                  outcome.wall_us);
  }
  return outcome;
}

}  // namespace boxagnts::sandbox
