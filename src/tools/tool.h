// The tool interface: what a model can ask the runtime to do.
//
// A tool declares its name, description, input schema, flags and the
// capabilities it needs. The tool layer validates input against the schema
// and asks the permission engine before Execute runs, so Execute receives
// input that already passed both.

#ifndef BOXAGNTS_TOOLS_TOOL_H_
#define BOXAGNTS_TOOLS_TOOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/json.h"
#include "sandbox/limits.h"
#include "sandbox/mounts.h"
#include "sandbox/net_policy.h"

namespace boxagnts::sandbox {
class Resolver;
class Sandbox;
}  // namespace boxagnts::sandbox

namespace boxagnts::tools {

// Host access a tool needs, as bit flags.
enum Capability : uint32_t {
  kCapabilityNone = 0,
  kCapabilityFileRead = 1u << 0,
  kCapabilityFileWrite = 1u << 1,
  kCapabilityNetwork = 1u << 2,
};

// Parses "file_read", "file_write" or "network". Errors name the value.
Result<Capability> ParseCapability(std::string_view name);
std::vector<std::string> CapabilityNames(uint32_t capabilities);

struct ToolSpec {
  std::string name;         // the name the model calls, such as "Read"
  std::string description;  // for the model
  Json input_schema;        // JSON Schema (draft 7) of the input object
  bool read_only = false;   // never changes files or remote state
  bool concurrency_safe = false;  // may run in parallel with other calls
  uint32_t capabilities = kCapabilityNone;  // Capability bits
  // Input fields that name files or directories, checked by path rules
  // such as Read(src/**). Relative paths are relative to the work dir; an
  // absent field means the work dir itself.
  std::vector<std::string> path_fields;
  // Input field that contains a URL, checked by domain:HOST rules.
  std::string url_field;
  // The tool reads the whole tree under a directory named in a path field
  // (Grep, Glob), so deny and ask rules on anything in that tree apply.
  bool searches_path_trees = false;
};

struct ToolResult {
  std::string content;       // text for the model
  Json metadata = Json::object();  // structured details for people and logs
  bool is_error = false;

  static ToolResult Error(std::string message) {
    ToolResult r;
    r.content = std::move(message);
    r.is_error = true;
    return r;
  }
};

// Everything a call needs besides its input: where it runs, under which
// policy, and for whom.
struct ToolContext {
  std::string work_dir;  // canonical absolute path, mounted read-write
  // Extra directories the session mounts (map_dirs).
  std::vector<sandbox::Mount> map_dirs;
  sandbox::SandboxLimits limits;
  // The session's network policy; network tools get it, others none.
  // Default: https to any host, with the default blocked networks.
  sandbox::NetworkPolicyConfig network{{"https://*"}, std::nullopt, {}};
  // Resolves host names for network tools; null means the system resolver.
  std::shared_ptr<sandbox::Resolver> resolver;
  // Runs the modules of WASM tools; null means sandbox::Sandbox::Default().
  sandbox::Sandbox* sandbox = nullptr;
  std::string session_id;
  std::string call_id;
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const ToolSpec& spec() const = 0;

  // Runs the call. `input` already matches spec().input_schema. Failures
  // the model should see come back as a result with is_error set.
  virtual ToolResult Execute(const Json& input, const ToolContext& context,
                             const CancellationToken& cancel) = 0;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_TOOL_H_
