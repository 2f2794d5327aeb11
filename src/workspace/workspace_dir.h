// The workspace folder: the user's boxagnts data (config, audit log,
// trusted projects, extension folders). Default ~/.boxagnts.

#ifndef BOXAGNTS_WORKSPACE_WORKSPACE_DIR_H_
#define BOXAGNTS_WORKSPACE_WORKSPACE_DIR_H_

#include <string>

#include "core/status.h"

namespace boxagnts::workspace {

// Returns `flag_value` when set, else $BOXAGNTS_WORKSPACE_DIR, else
// ~/.boxagnts. Errors when none can be found (no HOME).
Result<std::string> FindWorkspaceDir(const std::string& flag_value);

// Creates the folder (mode 0700) when missing.
Status EnsureWorkspaceDir(const std::string& dir);

// The user config file: <dir>/config.toml.
std::string UserConfigPath(const std::string& dir);

// The config file a project keeps in its own tree:
// <project>/.boxagnts/config.toml. It takes effect only once the project
// is trusted.
std::string ProjectConfigPath(const std::string& project_dir);

// Returns true when `project_dir` (canonical) is in the workspace's list of
// trusted projects.
bool IsProjectTrusted(const std::string& workspace_dir,
                      const std::string& project_dir);

// Adds `project_dir` to the trusted list (written atomically).
Status TrustProject(const std::string& workspace_dir,
                    const std::string& project_dir);

}  // namespace boxagnts::workspace

#endif  // BOXAGNTS_WORKSPACE_WORKSPACE_DIR_H_
