#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <string>

namespace boxagnts {

Status InitLogging(std::string_view level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  // from_str maps every unknown name to "off", so check the round trip.
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument(
        "invalid log level \"" + std::string(level) +
        "\": use trace, debug, info, warn, error or off");
  }
  // A second call with the same level finds its logger registered
  // already, and stderr_logger_mt would throw on the duplicate name.
  std::string name = "boxagnts-" + std::string(level);
  std::shared_ptr<spdlog::logger> logger = spdlog::get(name);
  if (logger == nullptr) logger = spdlog::stderr_logger_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

Status InitLoggingFromEnv() {
  const char* env = std::getenv("BOXAGNTS_LOG");
  return InitLogging(env != nullptr && *env != '\0' ? env : "warn")
      .WithPrefix("BOXAGNTS_LOG");
}

}  // namespace boxagnts
