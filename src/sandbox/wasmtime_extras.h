// Functions added to the wasmtime C API by third_party/wasmtime/src/lib.rs
// for settings that the pinned release does not expose in C.

#ifndef BOXAGNTS_SANDBOX_WASMTIME_EXTRAS_H_
#define BOXAGNTS_SANDBOX_WASMTIME_EXTRAS_H_

#include <stdint.h>
#include <wasi.h>
#include <wasmtime.h>

#ifdef __cplusplus
extern "C" {
#endif

// Caps the bytes one WASI `random_get` call may request; a larger request
// traps instead of making the host allocate it.
void boxagnts_wasi_config_set_max_random_size(wasi_config_t* config,
                                              uint64_t max_bytes);

// Same arguments as wasmtime_store_limiter (negative = no limit), and a
// denied memory or table growth traps with a message that starts
// "forcing trap when growing" instead of returning -1 to the guest.
void boxagnts_store_limiter(wasmtime_store_t* store, int64_t memory_size,
                            int64_t table_elements, int64_t instances,
                            int64_t tables, int64_t memories);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BOXAGNTS_SANDBOX_WASMTIME_EXTRAS_H_
