// The tools a session can call, by name, from the application's and the
// workspace's extension folders.
//
// Thread safety: after loading, const members may be called from any
// thread.

#ifndef BOXAGNTS_TOOLS_REGISTRY_H_
#define BOXAGNTS_TOOLS_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/schema.h"
#include "tools/tool.h"

namespace boxagnts::tools {

// Where tool packages and skills are found. Each folder may hold `tools/`
// (one package per subfolder) and `skills/` (one skill per subfolder).
struct ExtensionDirs {
  std::string app_dir;        // shipped with boxagnts; see ApplicationDir()
  std::string workspace_dir;  // the user's workspace, such as ~/.boxagnts
};

// Returns the application's extension folder: $BOXAGNTS_APP_DIR when set,
// else <prefix>/share/boxagnts beside the installed binary, else the build
// tree the binary was built in.
std::string ApplicationDir();

class ToolRegistry {
 public:
  // Adds `tool`, compiling its input schema. A tool with the same name as
  // an earlier one replaces it, so later sources win. Errors name the tool.
  Status Add(std::shared_ptr<Tool> tool);

  // Returns null when no tool has that name.
  std::shared_ptr<Tool> Find(const std::string& name) const;
  std::shared_ptr<const InputSchema> SchemaFor(const std::string& name) const;

  // Every tool, sorted by name.
  std::vector<std::shared_ptr<Tool>> List() const;

  // Problems met while loading: broken packages and skills, one line each.
  const std::vector<std::string>& load_errors() const { return load_errors_; }
  void AddLoadError(std::string error) {
    load_errors_.push_back(std::move(error));
  }

 private:
  struct Entry {
    std::shared_ptr<Tool> tool;
    std::shared_ptr<const InputSchema> schema;
  };
  std::map<std::string, Entry> tools_;
  std::vector<std::string> load_errors_;
};

// Loads the tool packages of the application's folder, then of the
// workspace's (which win on a name clash), and the Skill tool when any
// skill is found. Broken packages and skills are skipped and listed in
// load_errors().
ToolRegistry LoadToolRegistry(const ExtensionDirs& dirs);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_REGISTRY_H_
