#include "tools/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "core/files.h"

namespace boxagnts::tools {

Json AuditEntry::ToJson() const {
  Json out = Json::object();
  out["time"] = time;
  out["session_id"] = session_id;
  out["call_id"] = call_id;
  out["tool"] = tool;
  out["input_sha256"] = input_sha256;
  out["matched_rule"] = matched_rule;
  out["rule_source"] =
      rule_source ? Json(std::string(RuleSourceId(*rule_source))) : Json();
  out["decision"] = std::string(DecisionName(decision));
  out["decided_by"] = std::string(DecidedByName(decided_by));
  out["approval_handler"] =
      approval_handler.empty() ? Json() : Json(approval_handler);
  out["reason"] = reason;
  return out;
}

std::string FormatUtcTimestampMs(std::chrono::system_clock::time_point time) {
  auto since_epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            time.time_since_epoch())
                            .count();
  // Floor division, so times before 1970 keep a millisecond part of 0-999.
  int64_t seconds = since_epoch_ms / 1000;
  int64_t millis = since_epoch_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::time_t whole = static_cast<std::time_t>(seconds);
  std::tm utc{};
  ::gmtime_r(&whole, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  char with_ms[40];
  std::snprintf(with_ms, sizeof(with_ms), "%s.%03dZ", buffer,
                static_cast<int>(millis));
  return with_ms;
}

std::string InputDigest(const Json& input) {
  return Sha256Hex(input.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<std::unique_ptr<JsonlAuditLog>> JsonlAuditLog::Open(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                  0600);
  if (fd < 0) {
    return Status::FromErrno("open audit log \"" + path + "\"", errno);
  }
  return std::unique_ptr<JsonlAuditLog>(new JsonlAuditLog(path, fd));
}

JsonlAuditLog::~JsonlAuditLog() { ::close(fd_); }

Status JsonlAuditLog::Record(const AuditEntry& entry) {
  std::string line =
      entry.ToJson().dump(-1, ' ', false, Json::error_handler_t::replace) +
      "\n";
  std::lock_guard lock(mutex_);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write audit log \"" + path_ + "\"", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status MemoryAuditLog::Record(const AuditEntry& entry) {
  std::lock_guard lock(mutex_);
  entries_.push_back(entry);
  return Status::Ok();
}

std::vector<AuditEntry> MemoryAuditLog::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

}  // namespace boxagnts::tools
