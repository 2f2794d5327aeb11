// Bounds-checked access to a calling guest's linear memory.

#ifndef BOXAGNTS_SANDBOX_GUEST_MEMORY_H_
#define BOXAGNTS_SANDBOX_GUEST_MEMORY_H_

#include <wasmtime.h>

#include <cstdint>
#include <cstring>

namespace boxagnts::sandbox {

struct RunState;

// A view of the exported `memory` of the guest that made a host call. The
// pointers it returns are valid until the guest runs again or the memory
// grows, so use them within the host call only.
class GuestMemory {
 public:
  explicit GuestMemory(wasmtime_caller_t* caller);

  bool valid() const { return data_ != nullptr; }

  // Returns a pointer to [offset, offset + length), or null when the range
  // is outside the memory.
  uint8_t* Range(uint64_t offset, uint64_t length) const {
    if (data_ == nullptr || offset > size_ || length > size_ - offset) {
      return nullptr;
    }
    return data_ + offset;
  }

  bool WriteU32(uint64_t offset, uint32_t value) const {
    uint8_t* p = Range(offset, 4);
    if (p == nullptr) return false;
    std::memcpy(p, &value, 4);  // wasm and x86-64 are both little-endian
    return true;
  }

 private:
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// Stores `value` as the single i32 result of a host function and returns
// no trap, so a host function can end with `return ReturnI32(results, x)`.
inline wasm_trap_t* ReturnI32(wasmtime_val_t* results, int32_t value) {
  results[0].kind = WASMTIME_I32;
  results[0].of.i32 = value;
  return nullptr;
}

// Returns the RunState of the store that made the call.
RunState& RunStateOf(wasmtime_caller_t* caller);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_GUEST_MEMORY_H_
