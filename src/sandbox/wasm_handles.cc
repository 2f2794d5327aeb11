#include "sandbox/wasm_handles.h"

namespace boxagnts::sandbox {

static std::string TakeByteVec(wasm_byte_vec_t* vec) {
  std::string out(vec->data, vec->size);
  // Messages from wasmtime end with a NUL that is counted in size.
  while (!out.empty() && out.back() == '\0') out.pop_back();
  wasm_byte_vec_delete(vec);
  return out;
}

std::string ErrorMessage(const wasmtime_error_t* error) {
  wasm_byte_vec_t vec;
  wasmtime_error_message(error, &vec);
  return TakeByteVec(&vec);
}

std::string TrapMessage(const wasm_trap_t* trap) {
  wasm_byte_vec_t vec;
  wasm_trap_message(trap, &vec);
  return TakeByteVec(&vec);
}

}  // namespace boxagnts::sandbox
