// Ctrl-C handling for commands that run cancellable work.

#ifndef BOXAGNTS_CLI_SIGNALS_H_
#define BOXAGNTS_CLI_SIGNALS_H_

#include "core/cancellation.h"

namespace boxagnts::cli {

// Blocks SIGINT and SIGTERM in every thread and starts a thread that waits
// for them: the first cancels `source`, a second exits the process at once
// with status 130. Call before any other thread starts. `source` must
// outlive the process's use of it (keep it static or in main).
void CancelOnInterrupt(CancellationSource* source);

}  // namespace boxagnts::cli

#endif  // BOXAGNTS_CLI_SIGNALS_H_
