#include "sandbox/guest_memory.h"

#include "sandbox/run_state.h"

namespace boxagnts::sandbox {

GuestMemory::GuestMemory(wasmtime_caller_t* caller) {
  wasmtime_extern_t item;
  if (!wasmtime_caller_export_get(caller, "memory", 6, &item)) return;
  if (item.kind != WASMTIME_EXTERN_MEMORY) return;
  wasmtime_context_t* context = wasmtime_caller_context(caller);
  data_ = wasmtime_memory_data(context, &item.of.memory);
  size_ = wasmtime_memory_data_size(context, &item.of.memory);
}

RunState& RunStateOf(wasmtime_caller_t* caller) {
  return *static_cast<RunState*>(
      wasmtime_context_get_data(wasmtime_caller_context(caller)));
}

}  // namespace boxagnts::sandbox
