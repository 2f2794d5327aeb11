// Tool packages: a folder with a `tool.json` manifest and a `.wasm`
// module, written in any language that targets wasm32-wasip1.
//
// tool.json:
//   {"name": "Read", "description": "...", "input_schema": {...},
//    "read_only": true, "concurrency_safe": true,
//    "capabilities": ["file_read"], "path_fields": ["file_path"],
//    "url_field": "", "module": "read.wasm"}
// `module` may be left out when the folder holds exactly one .wasm file.

#ifndef BOXAGNTS_TOOLS_PACKAGE_H_
#define BOXAGNTS_TOOLS_PACKAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "tools/wasm_tool.h"

namespace boxagnts::tools {

// Reads and checks the package in `dir`. Errors name the folder, the field
// and what is expected.
Result<std::unique_ptr<WasmTool>> LoadToolPackage(const std::string& dir);

// Checks a manifest's fields and returns the spec it describes.
Result<ToolSpec> ParseToolManifest(const Json& manifest);

struct PackageScan {
  std::vector<std::unique_ptr<WasmTool>> tools;
  // One line per broken package: its folder and what is wrong.
  std::vector<std::string> errors;
};

// Loads every package folder directly inside `tools_dir`. A broken package
// is recorded in `errors`, logged, and skipped; it never stops the others.
// A missing `tools_dir` yields nothing.
PackageScan ScanToolPackages(const std::string& tools_dir);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PACKAGE_H_
