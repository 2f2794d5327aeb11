// WASI `poll_oneoff` served by the host so that a sleeping guest wakes at
// its run's deadline or cancellation instead of blocking the thread.

#ifndef BOXAGNTS_SANDBOX_HOST_POLL_H_
#define BOXAGNTS_SANDBOX_HOST_POLL_H_

#include <wasmtime.h>

namespace boxagnts::sandbox {

// poll_oneoff(in, out, nsubscriptions, nevents_ptr) -> errno.
//
// Clock subscriptions wait until the earliest of them is due. File
// descriptor subscriptions are reported ready at once, because every
// descriptor a sandboxed guest can hold (preopened files, stdin bytes,
// captured output) never blocks. When the run's deadline passes or the run
// is cancelled during the wait, the call traps and the run stops.
wasm_trap_t* HostPollOneoff(void* env, wasmtime_caller_t* caller,
                            const wasmtime_val_t* args, size_t nargs,
                            wasmtime_val_t* results, size_t nresults);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_HOST_POLL_H_
