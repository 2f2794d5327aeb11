// The audit log: one entry per permission decision.
//
// An entry records the time (UTC), the session and call, the tool, and a
// SHA-256 digest of the input, so the log contains no file contents or
// secrets from the input. It also records the rule or mode that matched,
// the final decision and who made it. Entries are JSON objects, one per
// line, written with the keys in alphabetical order (shown here in a
// readable order):
//
//   {"time":"2025-01-31T12:34:56.789Z","session_id":"s1","call_id":"c1",
//    "tool":"Read","input_sha256":"9f86...","matched_rule":"Read(src/**)",
//    "rule_source":"user","decision":"allow","decided_by":"rule",
//    "approval_handler":null,"reason":"allow rule ..."}

#ifndef BOXAGNTS_TOOLS_AUDIT_LOG_H_
#define BOXAGNTS_TOOLS_AUDIT_LOG_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "tools/permission_types.h"

namespace boxagnts::tools {

struct AuditEntry {
  std::string time;  // UTC ISO-8601 with milliseconds, "...T12:34:56.789Z"
  std::string session_id;
  std::string call_id;
  std::string tool;
  std::string input_sha256;  // InputDigest(input)
  // Rule text, "mode default: <mode>" or "invalid input".
  std::string matched_rule;
  std::optional<RuleSource> rule_source;  // unset without a rule
  Decision decision = Decision::kDeny;    // final: kAllow or kDeny
  DecidedBy decided_by = DecidedBy::kMode;
  std::string approval_handler;  // handler name when it decided, else ""
  std::string reason;

  // Returns the entry as a JSON object with the keys shown above.
  Json ToJson() const;
};

// Formats `time` as UTC ISO-8601 with milliseconds, such as
// "2025-01-31T12:34:56.789Z".
std::string FormatUtcTimestampMs(std::chrono::system_clock::time_point time);

// Returns the lower-case hex SHA-256 of `input.dump()`. nlohmann::json
// sorts object keys, so equal inputs give equal digests whatever the key
// order they arrived in. Invalid UTF-8 is replaced by U+FFFD first.
std::string InputDigest(const Json& input);

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Stores one entry. Thread-safe. Errors (IoError) name the log; the
  // caller must then not run the call it describes.
  virtual Status Record(const AuditEntry& entry) = 0;
};

// Appends entries as JSON lines to a file. Each entry is one write(2) on a
// descriptor opened with O_APPEND, so it reaches the kernel before Record
// returns, and on a local file system lines from several processes do not
// interleave. It is not fsync'ed: a power loss can drop the last entries.
class JsonlAuditLog : public AuditLog {
 public:
  // Opens `path` for appending, creating it with mode 0600. The directory
  // must exist. Errors (NotFound, PermissionDenied or IoError, from errno)
  // name the path and the reason.
  static Result<std::unique_ptr<JsonlAuditLog>> Open(const std::string& path);
  ~JsonlAuditLog() override;

  JsonlAuditLog(const JsonlAuditLog&) = delete;
  JsonlAuditLog& operator=(const JsonlAuditLog&) = delete;

  Status Record(const AuditEntry& entry) override;

 private:
  JsonlAuditLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  std::mutex mutex_;  // one write at a time
  const int fd_;
};

// Keeps entries in memory, for tests.
class MemoryAuditLog : public AuditLog {
 public:
  Status Record(const AuditEntry& entry) override;

  // Returns a copy of the entries recorded so far, oldest first.
  std::vector<AuditEntry> entries() const;

 private:
  mutable std::mutex mutex_;
  std::vector<AuditEntry> entries_;  // guarded by mutex_
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_AUDIT_LOG_H_
