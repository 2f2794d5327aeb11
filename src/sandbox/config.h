// The `[sandbox]` table of a TOML config file.
//
//   [sandbox]
//   wasm_fuel = 10_000_000_000        # instructions
//   wasm_timeout = 30                 # seconds, or a string: "500ms", "2m"
//   wasm_max_memory_size = "256M"     # bytes, or a string with K/M/G
//   wasm_max_wasm_stack = "1M"        # bytes, or a string with K/M/G
//   max_stdout_bytes = "8M"
//   max_stderr_bytes = "1M"
//   work_dir = "/home/me/project"
//   map_dirs = ["/data::/data:ro"]
//   allowed_outbound_hosts = ["https://*.example.com"]
//   block_networks = ["10.0.0.0/8"]   # replaces the default list
//   block_url = ["https://example.com/admin"]
//
// Unknown keys and values of the wrong type are errors that name the key,
// so a typo never silently leaves a default in place.

#ifndef BOXAGNTS_SANDBOX_CONFIG_H_
#define BOXAGNTS_SANDBOX_CONFIG_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "sandbox/limits.h"
#include "sandbox/mounts.h"
#include "sandbox/net_policy.h"

namespace boxagnts::sandbox {

struct SandboxConfig {
  SandboxLimits limits;
  std::string work_dir;
  std::vector<Mount> map_dirs;
  NetworkPolicyConfig network;
};

// Reads the `[sandbox]` table of the TOML file at `path` on top of
// `*config`: keys present in the file replace the values in `*config`. A
// file without the table leaves `*config` unchanged. Errors name the file,
// the key and what is expected.
Status LoadSandboxConfigFile(const std::string& path, SandboxConfig* config);

// Same as LoadSandboxConfigFile for TOML text; `source` names it in errors.
Status LoadSandboxConfigText(std::string_view text, const std::string& source,
                             SandboxConfig* config);

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_CONFIG_H_
