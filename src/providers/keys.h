// API keys and base URLs: from the environment first, then from the
// workspace's secrets file.
//
// The secrets file contains KEY=VALUE lines named like the environment
// variables (ANTHROPIC_API_KEY=..., OPENAI_BASE_URL=...). Blank lines and
// lines starting with '#' are skipped; a value may be wrapped in single or
// double quotes. The file must not be readable or writable by group or
// others (mode 0600 or stricter), or it is rejected.

#ifndef BOXAGNTS_PROVIDERS_KEYS_H_
#define BOXAGNTS_PROVIDERS_KEYS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"
#include "providers/services.h"

namespace boxagnts::providers {

// Returns the value of an environment variable, or nullopt when it is
// unset or empty.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Looks variables up in the process environment.
EnvLookup ProcessEnvironment();

struct KeySources {
  EnvLookup env = ProcessEnvironment();
  std::map<std::string, std::string> secrets;
  std::string secrets_path;  // shown in errors; empty when no file was read
};

// Reads a secrets file. Errors name the path and the line, or the mode and
// the chmod command that fixes it.
Result<std::map<std::string, std::string>> LoadSecretsFile(
    const std::string& path);

// Returns the key for `service`: the first of its key variables that is
// set in the environment, else in the secrets. Returns "" for a service
// that needs no key and has none. A missing required key is a NotFound
// error naming the variables to set.
Result<std::string> ResolveApiKey(const ServiceInfo& service,
                                  const KeySources& sources);

// Returns the base URL for `service`: its base URL variable from the
// environment or the secrets, else the default. The URL must start with
// http:// or https://; a trailing '/' is removed.
Result<std::string> ResolveBaseUrl(const ServiceInfo& service,
                                   const KeySources& sources);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_KEYS_H_
