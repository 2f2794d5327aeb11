// Host functions that guests import, defined once per engine linker:
// the `boxagnts` HTTP import and a WASI `poll_oneoff` that a timeout or a
// cancellation can interrupt.
//
// The functions find their run through the store's data pointer, which
// must point at the run's RunState.

#ifndef BOXAGNTS_SANDBOX_HOST_IMPORTS_H_
#define BOXAGNTS_SANDBOX_HOST_IMPORTS_H_

#include <wasmtime.h>

#include "core/status.h"

namespace boxagnts::sandbox {

// Defines the host functions in `linker`, after the WASI definitions.
Status DefineHostImports(wasmtime_linker_t* linker);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_HOST_IMPORTS_H_
