#include "sandbox/host_imports.h"

#include <cstring>
#include <string>
#include <string_view>

#include "core/log.h"
#include "sandbox/guest_memory.h"
#include "sandbox/host_http.h"
#include "sandbox/host_poll.h"
#include "sandbox/wasm_handles.h"

namespace boxagnts::sandbox {

namespace {

// Builds a function type of `params` i32 parameters and one i32 result.
FuncTypeHandle I32FuncType(size_t params) {
  wasm_valtype_vec_t param_types;
  wasm_valtype_vec_new_uninitialized(&param_types, params);
  for (size_t i = 0; i < params; ++i) {
    param_types.data[i] = wasm_valtype_new(WASM_I32);
  }
  wasm_valtype_vec_t result_types;
  wasm_valtype_vec_new_uninitialized(&result_types, 1);
  result_types.data[0] = wasm_valtype_new(WASM_I32);
  return FuncTypeHandle(wasm_functype_new(&param_types, &result_types));
}

Status Define(wasmtime_linker_t* linker, std::string_view module,
              std::string_view name, size_t params,
              wasmtime_func_callback_t callback) {
  FuncTypeHandle type = I32FuncType(params);
  ErrorHandle error(wasmtime_linker_define_func(
      linker, module.data(), module.size(), name.data(), name.size(),
      type.get(), callback, nullptr, nullptr));
  if (error) {
    return Status::Internal("defining host import " + std::string(module) +
                            "." + std::string(name) +
                            " failed: " + ErrorMessage(error.get()));
  }
  return Status::Ok();
}

}  // namespace

Status DefineHostImports(wasmtime_linker_t* linker) {
  BOXAGNTS_RETURN_IF_ERROR(
      Define(linker, "boxagnts", "http_request", 3, HostHttpRequest));
  BOXAGNTS_RETURN_IF_ERROR(Define(linker, "boxagnts", "http_read_response",
                                  2, HostHttpReadResponse));
  // Replace WASI's poll_oneoff: wasmtime's blocks the thread for the whole
  // sleep, where a run must stop at its deadline or when cancelled.
  wasmtime_linker_allow_shadowing(linker, true);
  Status status = Define(linker, "wasi_snapshot_preview1", "poll_oneoff", 4,
                         HostPollOneoff);
  wasmtime_linker_allow_shadowing(linker, false);
  return status;
}

}  // namespace boxagnts::sandbox
