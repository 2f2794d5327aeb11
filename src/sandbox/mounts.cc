#include "sandbox/mounts.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <set>

namespace boxagnts::sandbox {

Result<Mount> ParseMapDir(std::string_view spec) {
  Mount mount;
  std::string_view rest = spec;
  // Suffixes are matched without regard to case, so ":RO" is read-only
  // too instead of becoming part of the guest path.
  auto ends_with = [&](std::string_view suffix) {
    if (rest.size() <= suffix.size()) return false;
    std::string_view tail = rest.substr(rest.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) {
        return false;
      }
    }
    return true;
  };
  if (ends_with(":ro")) {
    mount.read_only = true;
    rest.remove_suffix(3);
  } else if (ends_with(":rw")) {
    rest.remove_suffix(3);
  }
  size_t sep = rest.find("::");
  std::string_view host = rest.substr(0, sep);
  std::string_view guest =
      sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 2);
  if (host.empty() || (sep != std::string_view::npos && guest.empty())) {
    return Status::InvalidArgument(
        "invalid directory mapping \"" + std::string(spec) +
        "\": expected HOST, HOST::GUEST, with an optional :ro suffix");
  }
  mount.host_path = std::string(host);
  if (!guest.empty()) {
    Result<std::string> normalized = NormalizeGuestPath(guest);
    if (!normalized.ok()) {
      return normalized.status().WithPrefix("invalid directory mapping \"" +
                                            std::string(spec) + "\"");
    }
    mount.guest_path = *normalized;
  }
  return mount;
}

Result<std::string> NormalizeGuestPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument("guest path \"" + std::string(path) +
                                   "\" must be absolute");
  }
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(i, end - i);
    i = end;
    if (segment.empty() || segment == ".") continue;
    if (segment.find(':') != std::string_view::npos) {
      return Status::InvalidArgument(
          "guest path \"" + std::string(path) +
          "\" must not contain ':' (the only suffixes are :ro and :rw)");
    }
    if (segment == "..") {
      return Status::InvalidArgument("guest path \"" + std::string(path) +
                                     "\" must not contain \"..\"");
    }
    out += '/';
    out += segment;
  }
  return out.empty() ? std::string("/") : out;
}

static Result<std::string> CanonicalDirectory(const std::string& path,
                                              const std::string& what) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) {
    return Status::FromErrno(what + " \"" + path + "\"", errno);
  }
  struct stat st;
  if (stat(resolved, &st) != 0) {
    return Status::FromErrno(what + " \"" + path + "\"", errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(what + " \"" + path +
                                   "\" is not a directory");
  }
  return std::string(resolved);
}

Result<std::vector<Mount>> ResolveMounts(const std::string& work_dir,
                                         const std::vector<Mount>& map_dirs) {
  std::vector<Mount> mounts;
  if (!work_dir.empty()) {
    Result<std::string> host = CanonicalDirectory(work_dir, "work dir");
    if (!host.ok()) return host.status();
    mounts.push_back(Mount{*host, *host, false});
  }
  for (const Mount& entry : map_dirs) {
    Result<std::string> host =
        CanonicalDirectory(entry.host_path, "mapped directory");
    if (!host.ok()) return host.status();
    Mount mount = entry;
    mount.host_path = *host;
    if (mount.guest_path.empty()) mount.guest_path = *host;
    mounts.push_back(std::move(mount));
  }
  std::set<std::string> seen;
  for (const Mount& mount : mounts) {
    if (!seen.insert(mount.guest_path).second) {
      return Status::InvalidArgument(
          "two directories are mounted at guest path \"" + mount.guest_path +
          "\": give one of them another guest path with HOST::GUEST");
    }
  }
  return mounts;
}

}  // namespace boxagnts::sandbox
