#include "sandbox/limits.h"

#include <string>

namespace boxagnts::sandbox {

static Status CheckRange(const char* name, uint64_t value, uint64_t max,
                         const char* unit) {
  if (value == 0) {
    return Status::InvalidArgument(std::string(name) +
                                   " must be greater than zero");
  }
  if (value > max) {
    return Status::InvalidArgument(
        std::string(name) + " is " + std::to_string(value) + " " + unit +
        ", above the maximum of " + std::to_string(max) + " " + unit);
  }
  return Status::Ok();
}

Status ValidateLimits(const SandboxLimits& limits) {
  constexpr uint64_t kNoMax = UINT64_MAX;
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("wasm_fuel", limits.fuel, kNoMax, ""));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("wasm_timeout", limits.timeout_ms,
                                      kMaxTimeoutMsLimit, "ms"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("wasm_max_memory_size",
                                      limits.max_memory_bytes,
                                      kMaxMemoryBytesLimit, "bytes"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("wasm_max_wasm_stack",
                                      limits.max_wasm_stack_bytes,
                                      kMaxWasmStackBytesLimit, "bytes"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("max_stdout_bytes",
                                      limits.max_stdout_bytes, kNoMax,
                                      "bytes"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("max_stderr_bytes",
                                      limits.max_stderr_bytes, kNoMax,
                                      "bytes"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("max_random_bytes",
                                      limits.max_random_bytes, kNoMax,
                                      "bytes"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRange("max_table_elements",
                                      limits.max_table_elements, kNoMax,
                                      "elements"));
  return Status::Ok();
}

}  // namespace boxagnts::sandbox
