#include "providers/keys.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/files.h"

namespace boxagnts::providers {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::string> Lookup(const KeySources& sources,
                                  const std::string& name) {
  if (sources.env) {
    std::optional<std::string> value = sources.env(name);
    if (value && !value->empty()) return value;
  }
  auto it = sources.secrets.find(name);
  if (it != sources.secrets.end() && !it->second.empty()) return it->second;
  return std::nullopt;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

Result<std::map<std::string, std::string>> LoadSecretsFile(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno("secrets file \"" + path + "\"", errno);
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    return Status::PermissionDenied(
        "secrets file \"" + path + "\" has mode " + mode +
        ", which lets other users read it; run: chmod 600 " + path);
  }
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();

  std::map<std::string, std::string> secrets;
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    size_t eq = trimmed.find('=');
    std::string name =
        eq == std::string::npos ? "" : Trim(trimmed.substr(0, eq));
    if (name.starts_with("export ")) name = Trim(name.substr(7));
    if (name.empty() ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "abcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos) {
      // The line may hold a secret, so only its number is shown.
      return Status::InvalidArgument(
          "secrets file \"" + path + "\" line " + std::to_string(number) +
          ": expected NAME=VALUE with a name of letters, digits and '_'");
    }
    std::string value = Trim(trimmed.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    secrets[name] = value;
  }
  return secrets;
}

Result<std::string> ResolveApiKey(const ServiceInfo& service,
                                  const KeySources& sources) {
  for (const std::string& name : service.key_env_vars) {
    if (std::optional<std::string> key = Lookup(sources, name)) return *key;
  }
  if (!service.key_required) return std::string();
  std::string names;
  for (const std::string& name : service.key_env_vars) {
    names += (names.empty() ? "" : " or ") + name;
  }
  std::string where = "the environment";
  if (!sources.secrets_path.empty()) {
    where += " or \"" + sources.secrets_path + "\"";
  }
  return Status::NotFound("no API key for " + service.id + ": set " + names +
                          " in " + where);
}

Result<std::string> ResolveBaseUrl(const ServiceInfo& service,
                                   const KeySources& sources) {
  std::string url = service.default_base_url;
  std::string origin = "the default";
  if (!service.base_url_env_var.empty()) {
    if (auto value = Lookup(sources, service.base_url_env_var)) {
      url = *value;
      origin = service.base_url_env_var;
    }
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::InvalidArgument("base URL \"" + url + "\" from " + origin +
                                   " must start with http:// or https://");
  }
  return url;
}

}  // namespace boxagnts::providers
