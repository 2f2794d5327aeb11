// Owning handles for wasmtime C API objects.
//
// Each handle is a std::unique_ptr whose deleter calls the C API's delete
// function, so ownership is explicit and move-only. Borrow the raw pointer
// with get(); give it up with release() when a C call takes ownership.

#ifndef BOXAGNTS_SANDBOX_WASM_HANDLES_H_
#define BOXAGNTS_SANDBOX_WASM_HANDLES_H_

#include <wasi.h>
#include <wasmtime.h>

#include <memory>
#include <string>

namespace boxagnts::sandbox {

template <typename T, void (*Delete)(T*)>
struct CDeleter {
  void operator()(T* p) const {
    if (p != nullptr) Delete(p);
  }
};

using EngineHandle =
    std::unique_ptr<wasm_engine_t, CDeleter<wasm_engine_t, wasm_engine_delete>>;
using ModuleHandle =
    std::unique_ptr<wasmtime_module_t,
                    CDeleter<wasmtime_module_t, wasmtime_module_delete>>;
using StoreHandle =
    std::unique_ptr<wasmtime_store_t,
                    CDeleter<wasmtime_store_t, wasmtime_store_delete>>;
using LinkerHandle =
    std::unique_ptr<wasmtime_linker_t,
                    CDeleter<wasmtime_linker_t, wasmtime_linker_delete>>;
using InstancePreHandle =
    std::unique_ptr<wasmtime_instance_pre_t,
                    CDeleter<wasmtime_instance_pre_t,
                             wasmtime_instance_pre_delete>>;
using ErrorHandle =
    std::unique_ptr<wasmtime_error_t,
                    CDeleter<wasmtime_error_t, wasmtime_error_delete>>;
using TrapHandle =
    std::unique_ptr<wasm_trap_t, CDeleter<wasm_trap_t, wasm_trap_delete>>;
using WasiConfigHandle =
    std::unique_ptr<wasi_config_t,
                    CDeleter<wasi_config_t, wasi_config_delete>>;
using FuncTypeHandle =
    std::unique_ptr<wasm_functype_t,
                    CDeleter<wasm_functype_t, wasm_functype_delete>>;

// Returns the message of a wasmtime error (without taking ownership).
std::string ErrorMessage(const wasmtime_error_t* error);

// Returns the message of a trap (without taking ownership).
std::string TrapMessage(const wasm_trap_t* trap);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_WASM_HANDLES_H_
