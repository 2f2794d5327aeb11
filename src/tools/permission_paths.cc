#include "tools/permission_paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <deque>

#include "tools/path_glob.h"

namespace boxagnts::tools {
namespace {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

// Pushes the segments of `path` onto the front of `pending`, in order.
void PushFront(std::string_view path, std::deque<std::string>* pending) {
  std::vector<std::string_view> segments = SplitPathSegments(path);
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    pending->emplace_front(*it);
  }
}

Result<std::string> ReadLink(const std::string& path, off_t size_hint) {
  std::string target(size_hint > 0 ? size_hint + 1 : 4096, '\0');
  while (true) {
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return Status::FromErrno("readlink \"" + path + "\"", errno);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

}  // namespace

std::string NormalizePathLexically(std::string_view absolute_path) {
  std::vector<std::string_view> kept;
  for (std::string_view segment : SplitPathSegments(absolute_path)) {
    if (segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out;
  for (std::string_view segment : kept) {
    out += '/';
    out += segment;
  }
  return out.empty() ? "/" : out;
}

Result<std::string> MakeAbsolutePath(std::string_view path,
                                     std::string_view base_dir,
                                     std::string_view home_dir) {
  if (path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(
        "path \"" + std::string(path.substr(0, path.find('\0'))) +
        "...\" contains a NUL byte");
  }
  if (!path.empty() && path.front() == '/') {
    return NormalizePathLexically(path);
  }
  // An empty `home_dir` makes "~" an ordinary name, as tools read it.
  if ((path == "~" || path.starts_with("~/")) && !home_dir.empty()) {
    if (home_dir.front() != '/') {
      return Status::InvalidArgument(
          "path \"" + std::string(path) +
          "\" starts with ~ but the home directory \"" +
          std::string(home_dir) + "\" is not absolute");
    }
    return NormalizePathLexically(JoinPath(home_dir, path.substr(1)));
  }
  if (base_dir.empty() || base_dir.front() != '/') {
    return Status::InvalidArgument(
        "path \"" + std::string(path) + "\" is relative but the work dir \"" +
        std::string(base_dir) + "\" is not an absolute path");
  }
  return NormalizePathLexically(JoinPath(base_dir, path));
}

Result<std::string> ResolvePath(std::string_view absolute_path) {
  std::deque<std::string> pending;
  PushFront(absolute_path, &pending);
  std::string resolved = "/";
  bool missing = false;  // once set, the rest is appended lexically
  int hops = 0;
  while (!pending.empty()) {
    std::string segment = std::move(pending.front());
    pending.pop_front();
    if (segment == ".") continue;
    // `resolved` contains no links, so its parent is the physical parent.
    if (segment == "..") {
      resolved = ParentPath(resolved);
      continue;
    }
    std::string candidate = JoinPath(resolved, segment);
    if (missing) {
      resolved = std::move(candidate);
      continue;
    }
    struct stat st;
    if (::lstat(candidate.c_str(), &st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR) {
        return Status::FromErrno(
            "resolve \"" + std::string(absolute_path) + "\": lstat \"" +
                candidate + "\"",
            errno);
      }
      missing = true;
      resolved = std::move(candidate);
      continue;
    }
    if (!S_ISLNK(st.st_mode)) {
      resolved = std::move(candidate);
      continue;
    }
    if (++hops > kMaxSymlinkHops) {
      return Status::IoError("resolve \"" + std::string(absolute_path) +
                             "\": more than " +
                             std::to_string(kMaxSymlinkHops) +
                             " symbolic links (a loop?)");
    }
    Result<std::string> target = ReadLink(candidate, st.st_size);
    if (!target.ok()) {
      return target.status().WithPrefix("resolve \"" +
                                         std::string(absolute_path) + "\"");
    }
    if (!target->empty() && target->front() == '/') resolved = "/";
    PushFront(*target, &pending);
  }
  return resolved;
}

bool IsSameOrInside(std::string_view path, std::string_view dir) {
  return SegmentsBelow(path, dir).has_value();
}

std::optional<std::vector<std::string_view>> SegmentsBelow(
    std::string_view path, std::string_view dir) {
  if (dir == "/") return SplitPathSegments(path);
  if (!path.starts_with(dir)) return std::nullopt;
  std::string_view rest = path.substr(dir.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;
  return SplitPathSegments(rest);
}

std::string HomeDirectory() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return home;
  struct passwd entry;
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(),
                   &found) == 0 &&
      found != nullptr && found->pw_dir != nullptr &&
      found->pw_dir[0] == '/') {
    return found->pw_dir;
  }
  return "";
}

}  // namespace boxagnts::tools
