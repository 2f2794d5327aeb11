// The `boxagnts.http_request` and `boxagnts.http_read_response` imports;
// guest/include/boxagnts.h documents their contract for guests.

#ifndef BOXAGNTS_SANDBOX_HOST_HTTP_H_
#define BOXAGNTS_SANDBOX_HOST_HTTP_H_

#include <wasmtime.h>

namespace boxagnts::sandbox {

// Error codes shared with guest/include/boxagnts.h.
inline constexpr int32_t kHttpErrInvalidRequest = -1;
inline constexpr int32_t kHttpErrDenied = -2;
inline constexpr int32_t kHttpErrNetwork = -3;
inline constexpr int32_t kHttpErrTimeout = -4;
inline constexpr int32_t kHttpErrTooLarge = -5;

// Largest request JSON the host reads from a guest, in bytes.
inline constexpr uint32_t kMaxHttpRequestJsonBytes = 16u << 20;

// http_request(request_ptr, request_len, response_len_ptr) -> status.
wasm_trap_t* HostHttpRequest(void* env, wasmtime_caller_t* caller,
                             const wasmtime_val_t* args, size_t nargs,
                             wasmtime_val_t* results, size_t nresults);

// http_read_response(buffer_ptr, capacity) -> bytes copied.
wasm_trap_t* HostHttpReadResponse(void* env, wasmtime_caller_t* caller,
                                  const wasmtime_val_t* args, size_t nargs,
                                  wasmtime_val_t* results, size_t nresults);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_HOST_HTTP_H_
