#include "sandbox/engine.h"

#include <chrono>
#include <map>
#include <memory>

#include "core/log.h"
#include "sandbox/host_imports.h"
#include "sandbox/limits.h"

namespace boxagnts::sandbox {

namespace {

using PoolingConfigHandle =
    std::unique_ptr<wasmtime_pooling_allocation_config_t,
                    CDeleter<wasmtime_pooling_allocation_config_t,
                             wasmtime_pooling_allocation_config_delete>>;

std::mutex g_engines_mu;
std::map<uint64_t, std::unique_ptr<Engine>>& Engines() {
  static auto* engines = new std::map<uint64_t, std::unique_ptr<Engine>>();
  return *engines;
}

}  // namespace

Result<Engine*> Engine::ForStackSize(uint64_t max_wasm_stack_bytes) {
  if (max_wasm_stack_bytes == 0 ||
      max_wasm_stack_bytes > kMaxWasmStackBytesLimit) {
    return Status::InvalidArgument(
        "wasm_max_wasm_stack " + std::to_string(max_wasm_stack_bytes) +
        " is out of range: use 1 to " +
        std::to_string(kMaxWasmStackBytesLimit) + " bytes");
  }
  std::lock_guard<std::mutex> lock(g_engines_mu);
  auto& engines = Engines();
  auto it = engines.find(max_wasm_stack_bytes);
  if (it != engines.end()) return it->second.get();
  std::unique_ptr<Engine> engine(new Engine(max_wasm_stack_bytes));
  BOXAGNTS_RETURN_IF_ERROR(engine->Init());
  Engine* raw = engine.get();
  engines.emplace(max_wasm_stack_bytes, std::move(engine));
  return raw;
}

Engine::Engine(uint64_t max_wasm_stack_bytes)
    : max_wasm_stack_bytes_(max_wasm_stack_bytes) {}

Status Engine::Init() {
  wasm_config_t* config = wasm_config_new();
  wasmtime_config_consume_fuel_set(config, true);
  wasmtime_config_epoch_interruption_set(config, true);
  wasmtime_config_max_wasm_stack_set(config, max_wasm_stack_bytes_);
  wasmtime_config_cranelift_opt_level_set(config, WASMTIME_OPT_LEVEL_SPEED);

  // The pooling allocator reserves address space for every slot up front,
  // so instantiation reuses memory instead of calling mmap each run. Each
  // slot can hold the largest memory a run may ask for.
  PoolingConfigHandle pooling(wasmtime_pooling_allocation_config_new());
  wasmtime_pooling_allocation_config_total_memories_set(
      pooling.get(), kMaxConcurrentInstances);
  wasmtime_pooling_allocation_config_total_tables_set(
      pooling.get(), kMaxConcurrentInstances);
  wasmtime_pooling_allocation_config_total_core_instances_set(
      pooling.get(), kMaxConcurrentInstances);
  wasmtime_pooling_allocation_config_total_component_instances_set(
      pooling.get(), 0);
  wasmtime_pooling_allocation_config_max_memory_size_set(
      pooling.get(), kMaxMemoryBytesLimit);
  wasmtime_pooling_allocation_config_table_elements_set(pooling.get(),
                                                        1'000'000);
  wasmtime_pooling_allocation_config_max_unused_warm_slots_set(pooling.get(),
                                                               16);
  // Keep the first 1 MiB of each memory resident between runs; wasmtime
  // zeroes it with memset, which is cheaper than unmapping.
  wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(
      pooling.get(), 1 << 20);
  wasmtime_pooling_allocation_strategy_set(config, pooling.get());

  // wasm_engine_new_with_config takes ownership of config.
  engine_.reset(wasm_engine_new_with_config(config));
  if (!engine_) {
    return Status::Internal("creating the wasmtime engine failed");
  }

  linker_.reset(wasmtime_linker_new(engine_.get()));
  ErrorHandle error(wasmtime_linker_define_wasi(linker_.get()));
  if (error) {
    return Status::Internal("defining WASI imports failed: " +
                            ErrorMessage(error.get()));
  }
  BOXAGNTS_RETURN_IF_ERROR(DefineHostImports(linker_.get()));

  fingerprint_ = std::string("wasmtime ") + WASMTIME_VERSION +
                 "; target x86_64-linux; opt speed; fuel; epochs; "
                 "max_wasm_stack " +
                 std::to_string(max_wasm_stack_bytes_) + "; pooling " +
                 std::to_string(kMaxMemoryBytesLimit);
  ticker_ = std::thread([this] { TickerLoop(); });
  spdlog::debug("sandbox engine started: {}", fingerprint_);
  return Status::Ok();
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Engine::BeginRun() {
  std::lock_guard<std::mutex> lock(mu_);
  if (active_runs_++ == 0) wake_.notify_all();
}

void Engine::EndRun() {
  std::lock_guard<std::mutex> lock(mu_);
  --active_runs_;
}

void Engine::TickerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // Sleep while no run needs the clock, so an idle process stays idle.
    wake_.wait(lock, [this] { return stopping_ || active_runs_ > 0; });
    if (stopping_) break;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(kEpochTickMs));
    wasmtime_engine_increment_epoch(engine_.get());
    lock.lock();
  }
}

}  // namespace boxagnts::sandbox
