// A tool whose code is a WebAssembly module run in the sandbox.
//
// Contract with the module: the input JSON arrives on stdin, the
// environment holds only BOXAGNTS_WORK_DIR (the absolute work dir), and the
// module prints one JSON object {"content", "is_error", "metadata"} on
// stdout and exits 0. Malformed output, a non-zero exit, a trap or a limit
// becomes an error result that says what happened.
//
// The sandbox profile comes from the tool's declared capabilities: a
// read-only tool gets read-only mounts, and only a tool with the network
// capability gets a network broker, under the session's policy.

#ifndef BOXAGNTS_TOOLS_WASM_TOOL_H_
#define BOXAGNTS_TOOLS_WASM_TOOL_H_

#include <string>

#include "sandbox/sandbox.h"
#include "tools/tool.h"

namespace boxagnts::tools {

class WasmTool : public Tool {
 public:
  WasmTool(ToolSpec spec, std::string module_path)
      : spec_(std::move(spec)), module_path_(std::move(module_path)) {}

  const ToolSpec& spec() const override { return spec_; }
  const std::string& module_path() const { return module_path_; }

  ToolResult Execute(const Json& input, const ToolContext& context,
                     const CancellationToken& cancel) override;

  // Builds the sandbox request for one call: stdin, environment, mounts
  // (read-only for read-only tools), limits, and a network broker only
  // when the tool declares the network capability and the policy allows
  // any network. Errors name the setting at fault.
  Result<sandbox::RunRequest> BuildRunRequest(const Json& input,
                                              const ToolContext& context,
                                              const CancellationToken& cancel)
      const;

 private:
  ToolSpec spec_;
  std::string module_path_;
};

// Turns a finished run into a tool result; exposed for tests.
ToolResult ResultFromOutcome(const std::string& tool_name,
                             const sandbox::RunOutcome& outcome);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_WASM_TOOL_H_
