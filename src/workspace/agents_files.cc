#include "workspace/agents_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "core/log.h"
#include "core/utf8.h"

namespace boxagnts::workspace {

namespace {

constexpr char kFileName[] = "AGENTS.md";
// Bytes read past the cap, so that a cut can step back to the start of a
// character split by the cap (UTF-8 characters have at most 4 bytes).
constexpr uint64_t kLookaheadBytes = 4;

using FileKey = std::pair<dev_t, ino_t>;

// Returns AGENTS.md in each directory of `work_dir`, root-most first.
std::vector<std::string> PathCandidates(const std::string& work_dir) {
  std::filesystem::path normal =
      std::filesystem::path(work_dir).lexically_normal();
  std::vector<std::string> candidates = {std::string("/") + kFileName};
  std::filesystem::path dir = "/";
  for (const std::filesystem::path& part : normal.relative_path()) {
    if (part.empty()) continue;  // a trailing slash
    dir /= part;
    candidates.push_back((dir / kFileName).string());
  }
  return candidates;
}

// Reads at most `limit` bytes from `fd`.
Result<std::string> ReadUpTo(int fd, uint64_t limit, const std::string& path) {
  std::string data;
  char buffer[65536];
  while (data.size() < limit) {
    uint64_t want = std::min<uint64_t>(sizeof(buffer), limit - data.size());
    ssize_t n = ::read(fd, buffer, static_cast<size_t>(want));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read \"" + path + "\"", errno);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

// Cuts `data` (read with lookahead) to the cap and appends the marker.
// `file_bytes` is the file's size.
std::string CutToCap(std::string data, uint64_t max_bytes,
                     uint64_t file_bytes) {
  if (data.size() <= max_bytes) return data;
  // st_size can be smaller than what was read (a file that grew).
  uint64_t total = std::max<uint64_t>(file_bytes, data.size());
  size_t kept = Utf8PrefixBytes(data, static_cast<size_t>(max_bytes));
  data.resize(kept);
  if (!data.empty() && data.back() != '\n') data += '\n';
  data += "[truncated: " + std::to_string(total - kept) +
          " bytes left out; the limit is " + std::to_string(max_bytes) +
          " bytes per file]\n";
  return data;
}

// Reads one candidate. Returns nullopt when it is missing, not a regular
// file, or already read under another path.
Result<std::optional<InstructionFile>> ReadCandidate(
    const std::string& path, uint64_t max_bytes, std::set<FileKey>& seen) {
  // stat() follows symlinks, so the type checked is the target's.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      return std::optional<InstructionFile>();
    }
    return Status::FromErrno("stat \"" + path + "\"", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    spdlog::debug("agents files: skipped non-regular file path={}", path);
    return std::optional<InstructionFile>();
  }
  if (seen.count({st.st_dev, st.st_ino}) > 0) {
    return std::optional<InstructionFile>();
  }
  // O_NONBLOCK: should the file be swapped for a FIFO after the stat(),
  // open() still returns at once, and the check below skips it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Status::FromErrno("open \"" + path + "\"", errno);
  struct stat opened;
  if (::fstat(fd, &opened) != 0) {
    int error = errno;
    ::close(fd);
    return Status::FromErrno("stat \"" + path + "\"", error);
  }
  if (!S_ISREG(opened.st_mode) || opened.st_dev != st.st_dev ||
      opened.st_ino != st.st_ino) {
    ::close(fd);
    spdlog::debug("agents files: skipped file replaced while opened path={}",
                  path);
    return std::optional<InstructionFile>();
  }
  uint64_t limit = max_bytes > UINT64_MAX - kLookaheadBytes
                       ? UINT64_MAX
                       : max_bytes + kLookaheadBytes;
  Result<std::string> data = ReadUpTo(fd, limit, path);
  ::close(fd);
  if (!data.ok()) return data.status();

  std::string content = CutToCap(std::move(*data), max_bytes,
                                 static_cast<uint64_t>(opened.st_size));
  size_t invalid = FindInvalidUtf8(content);
  if (invalid != std::string_view::npos) {
    return Status::InvalidArgument(
        "instruction file \"" + path + "\" is not valid UTF-8 (byte " +
        std::to_string(invalid) + "); save it as UTF-8");
  }
  seen.insert({st.st_dev, st.st_ino});
  return std::optional<InstructionFile>(
      InstructionFile{path, std::move(content)});
}

}  // namespace

Result<std::vector<InstructionFile>> FindAgentsFiles(
    const std::string& work_dir, const std::string& workspace_dir,
    uint64_t max_bytes_each) {
  if (work_dir.empty() || work_dir[0] != '/') {
    return Status::InvalidArgument("work dir \"" + work_dir +
                                   "\" is not an absolute path; pass an "
                                   "absolute path");
  }
  if (max_bytes_each == 0) {
    return Status::InvalidArgument(
        "AGENTS.md size limit is 0 bytes; give at least 1");
  }
  std::vector<std::string> candidates;
  if (!workspace_dir.empty()) {
    candidates.push_back(workspace_dir + "/" + kFileName);
  }
  for (std::string& path : PathCandidates(work_dir)) {
    candidates.push_back(std::move(path));
  }

  std::vector<InstructionFile> files;
  std::set<FileKey> seen;
  for (const std::string& path : candidates) {
    Result<std::optional<InstructionFile>> file =
        ReadCandidate(path, max_bytes_each, seen);
    if (!file.ok()) return file.status();
    if (file->has_value()) files.push_back(std::move(**file));
  }
  return files;
}

}  // namespace boxagnts::workspace
