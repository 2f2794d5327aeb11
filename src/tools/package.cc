#include "tools/package.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "core/files.h"
#include "core/log.h"
#include "tools/schema.h"

namespace boxagnts::tools {

namespace fs = std::filesystem;

namespace {

Result<std::string> RequiredString(const Json& manifest, const char* key) {
  auto it = manifest.find(key);
  if (it == manifest.end() || !it->is_string() ||
      it->get<std::string>().empty()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<bool> OptionalBool(const Json& manifest, const char* key) {
  auto it = manifest.find(key);
  if (it == manifest.end()) return false;
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be true or false");
  }
  return it->get<bool>();
}

Result<std::vector<std::string>> OptionalStrings(const Json& manifest,
                                                 const char* key) {
  std::vector<std::string> out;
  auto it = manifest.find(key);
  if (it == manifest.end()) return out;
  if (!it->is_array()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be an array of strings");
  }
  for (const Json& item : *it) {
    if (!item.is_string()) {
      return Status::InvalidArgument(std::string("\"") + key +
                                     "\" must be an array of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Tool names are what models call, so they follow the usual tool-name
// pattern of model APIs.
bool IsValidToolName(const std::string& name) {
  static const std::regex kPattern("^[A-Za-z][A-Za-z0-9_-]{0,63}$");
  return std::regex_match(name, kPattern);
}

Result<std::string> FindModule(const fs::path& dir, const Json& manifest) {
  auto it = manifest.find("module");
  if (it != manifest.end()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return Status::InvalidArgument("\"module\" must be a file name");
    }
    std::string name = it->get<std::string>();
    if (name.find('/') != std::string::npos || name == "..") {
      return Status::InvalidArgument("\"module\" must name a file in the "
                                     "package folder, not a path");
    }
    fs::path path = dir / name;
    if (!fs::is_regular_file(path)) {
      return Status::NotFound("module \"" + name + "\" is missing");
    }
    return path.string();
  }
  std::vector<fs::path> modules;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".wasm") modules.push_back(entry.path());
  }
  if (modules.size() != 1) {
    return Status::InvalidArgument(
        "the folder must hold exactly one .wasm file, or tool.json must name "
        "it in \"module\" (found " + std::to_string(modules.size()) + ")");
  }
  return modules[0].string();
}

}  // namespace

Result<ToolSpec> ParseToolManifest(const Json& manifest) {
  if (!manifest.is_object()) {
    return Status::InvalidArgument("tool.json must hold a JSON object");
  }
  ToolSpec spec;
  Result<std::string> name = RequiredString(manifest, "name");
  if (!name.ok()) return name.status();
  if (!IsValidToolName(*name)) {
    return Status::InvalidArgument(
        "\"name\" \"" + *name +
        "\" is invalid: use a letter, then letters, digits, _ or -, at most "
        "64 characters");
  }
  spec.name = *name;
  Result<std::string> description = RequiredString(manifest, "description");
  if (!description.ok()) return description.status();
  spec.description = *description;

  auto schema = manifest.find("input_schema");
  if (schema == manifest.end() || !schema->is_object() ||
      schema->value("type", "") != "object") {
    return Status::InvalidArgument(
        "\"input_schema\" must be a JSON Schema object with \"type\": "
        "\"object\"");
  }
  Result<std::shared_ptr<const InputSchema>> compiled =
      InputSchema::Compile(*schema);
  if (!compiled.ok()) return compiled.status();
  spec.input_schema = *schema;

  Result<bool> read_only = OptionalBool(manifest, "read_only");
  if (!read_only.ok()) return read_only.status();
  spec.read_only = *read_only;
  Result<bool> concurrency_safe = OptionalBool(manifest, "concurrency_safe");
  if (!concurrency_safe.ok()) return concurrency_safe.status();
  spec.concurrency_safe = *concurrency_safe;

  Result<std::vector<std::string>> capabilities =
      OptionalStrings(manifest, "capabilities");
  if (!capabilities.ok()) return capabilities.status();
  for (const std::string& name : *capabilities) {
    Result<Capability> capability = ParseCapability(name);
    if (!capability.ok()) return capability.status();
    spec.capabilities |= *capability;
  }
  if (spec.read_only && (spec.capabilities & kCapabilityFileWrite)) {
    return Status::InvalidArgument(
        "a read_only tool cannot declare the file_write capability");
  }
  Result<std::vector<std::string>> path_fields =
      OptionalStrings(manifest, "path_fields");
  if (!path_fields.ok()) return path_fields.status();
  spec.path_fields = *path_fields;
  Result<bool> searches = OptionalBool(manifest, "searches_path_trees");
  if (!searches.ok()) return searches.status();
  spec.searches_path_trees = *searches;
  if (auto url = manifest.find("url_field"); url != manifest.end()) {
    if (!url->is_string()) {
      return Status::InvalidArgument("\"url_field\" must be a string");
    }
    spec.url_field = url->get<std::string>();
  }
  return spec;
}

Result<std::unique_ptr<WasmTool>> LoadToolPackage(const std::string& dir) {
  std::string manifest_path = dir + "/tool.json";
  Result<std::string> text = ReadFileToString(manifest_path);
  if (!text.ok()) return text.status().WithPrefix("tool package " + dir);
  Result<Json> manifest = ParseJson(*text, manifest_path);
  if (!manifest.ok()) return manifest.status();
  Result<ToolSpec> spec = ParseToolManifest(*manifest);
  if (!spec.ok()) return spec.status().WithPrefix(manifest_path);
  Result<std::string> module = FindModule(dir, *manifest);
  if (!module.ok()) return module.status().WithPrefix("tool package " + dir);
  return std::make_unique<WasmTool>(std::move(*spec), std::move(*module));
}

PackageScan ScanToolPackages(const std::string& tools_dir) {
  PackageScan scan;
  std::error_code ec;
  if (!fs::is_directory(tools_dir, ec)) return scan;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(tools_dir, ec)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    Result<std::unique_ptr<WasmTool>> tool = LoadToolPackage(dir.string());
    if (tool.ok()) {
      scan.tools.push_back(std::move(*tool));
    } else {
      spdlog::warn("skipping broken tool package: {}", tool.status().message());
      scan.errors.push_back(tool.status().message());
    }
  }
  return scan;
}

}  // namespace boxagnts::tools
