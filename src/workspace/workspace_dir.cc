#include "workspace/workspace_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <sstream>

#include "core/files.h"

namespace boxagnts::workspace {

namespace {

// One canonical project path per line.
std::string TrustFile(const std::string& workspace_dir) {
  return workspace_dir + "/trusted_projects";
}

}  // namespace

Result<std::string> FindWorkspaceDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("BOXAGNTS_WORKSPACE_DIR"); env && *env) {
    return std::string(env);
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return Status::FailedPrecondition(
        "cannot find the workspace folder: HOME is not set; pass "
        "--workspace-dir DIR");
  }
  return std::string(home) + "/.boxagnts";
}

Status EnsureWorkspaceDir(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition("workspace folder \"" + dir +
                                        "\" is not a directory");
    }
    return Status::Ok();
  }
  BOXAGNTS_RETURN_IF_ERROR(CreateDirectories(dir));
  if (chmod(dir.c_str(), 0700) != 0) {
    return Status::FromErrno("chmod \"" + dir + "\"", errno);
  }
  return Status::Ok();
}

std::string UserConfigPath(const std::string& dir) {
  return dir + "/config.toml";
}

std::string ProjectConfigPath(const std::string& project_dir) {
  return project_dir + "/.boxagnts/config.toml";
}

bool IsProjectTrusted(const std::string& workspace_dir,
                      const std::string& project_dir) {
  Result<std::string> text = ReadFileToString(TrustFile(workspace_dir));
  if (!text.ok()) return false;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line == project_dir) return true;
  }
  return false;
}

Status TrustProject(const std::string& workspace_dir,
                    const std::string& project_dir) {
  if (IsProjectTrusted(workspace_dir, project_dir)) return Status::Ok();
  BOXAGNTS_RETURN_IF_ERROR(EnsureWorkspaceDir(workspace_dir));
  Result<std::string> text = ReadFileToString(TrustFile(workspace_dir));
  std::string contents = text.ok() ? *text : "";
  if (!contents.empty() && contents.back() != '\n') contents += '\n';
  contents += project_dir + "\n";
  return WriteFileAtomic(TrustFile(workspace_dir), contents, 0600);
}

}  // namespace boxagnts::workspace
