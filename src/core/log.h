// Process-wide logging through spdlog.
//
// Every layer logs through the default spdlog logger, which writes to
// stderr. Lines carry the ids of what they concern (run, session, call) as
// `key=value` pairs. Never log a key, token or credential.

#ifndef BOXAGNTS_CORE_LOG_H_
#define BOXAGNTS_CORE_LOG_H_

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/status.h"

namespace boxagnts {

// Configures the default logger to write to stderr at `level` ("trace",
// "debug", "info", "warn", "error", "off"). Returns InvalidArgument for an
// unknown level name. Safe to call more than once.
Status InitLogging(std::string_view level);

// Applies BOXAGNTS_LOG from the environment when it is set, else "warn".
Status InitLoggingFromEnv();

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_LOG_H_
