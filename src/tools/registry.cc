#include "tools/registry.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "core/log.h"
#include "tools/package.h"
#include "tools/skill.h"

namespace boxagnts::tools {

namespace fs = std::filesystem;

std::string ApplicationDir() {
  if (const char* dir = std::getenv("BOXAGNTS_APP_DIR"); dir && *dir) {
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    fs::path installed = fs::path(exe).parent_path().parent_path() / "share" /
                         "boxagnts";
    std::error_code ec;
    if (fs::is_directory(installed / "tools", ec)) return installed.string();
  }
  return BOXAGNTS_BUILD_APP_DIR;
}

Status ToolRegistry::Add(std::shared_ptr<Tool> tool) {
  const ToolSpec& spec = tool->spec();
  Result<std::shared_ptr<const InputSchema>> schema =
      InputSchema::Compile(spec.input_schema);
  if (!schema.ok()) return schema.status().WithPrefix("tool " + spec.name);
  tools_[spec.name] = Entry{std::move(tool), std::move(*schema)};
  return Status::Ok();
}

std::shared_ptr<Tool> ToolRegistry::Find(const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second.tool;
}

std::shared_ptr<const InputSchema> ToolRegistry::SchemaFor(
    const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second.schema;
}

std::vector<std::shared_ptr<Tool>> ToolRegistry::List() const {
  std::vector<std::shared_ptr<Tool>> out;
  for (const auto& [name, entry] : tools_) out.push_back(entry.tool);
  return out;
}

ToolRegistry LoadToolRegistry(const ExtensionDirs& dirs) {
  ToolRegistry registry;
  for (const std::string& base : {dirs.app_dir, dirs.workspace_dir}) {
    if (base.empty()) continue;
    PackageScan scan = ScanToolPackages(base + "/tools");
    for (std::string& error : scan.errors) registry.AddLoadError(error);
    for (auto& tool : scan.tools) {
      Status status = registry.Add(std::move(tool));
      if (!status.ok()) registry.AddLoadError(status.message());
    }
  }

  SkillCatalog skills = LoadSkillCatalog(dirs);
  for (const std::string& error : skills.errors) registry.AddLoadError(error);
  if (!skills.skills.empty()) {
    Status status = registry.Add(std::make_shared<SkillTool>(std::move(skills)));
    if (!status.ok()) registry.AddLoadError(status.message());
  }
  return registry;
}

}  // namespace boxagnts::tools
