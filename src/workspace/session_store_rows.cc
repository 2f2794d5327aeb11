// Row, id, time and JSON helpers shared by the session store files.

#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "workspace/session_store_internal.h"

namespace boxagnts::workspace::internal {

std::string NowUtcTimestampMs() {
  using std::chrono::milliseconds;
  int64_t now_ms = std::chrono::duration_cast<milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  time_t seconds = static_cast<time_t>(now_ms / 1000);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<int>(now_ms % 1000));
  return text;
}

Result<std::string> NewSessionId() {
  unsigned char bytes[16];
  size_t filled = 0;
  while (filled < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("getrandom for a session id", errno);
    }
    filled += static_cast<size_t>(n);
  }
  bytes[6] = (bytes[6] & 0x0F) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 4122 variant
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (size_t i = 0; i < sizeof(bytes); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 15];
  }
  return id;
}

SessionInfo ReadSessionRow(const sqlite::Statement& row) {
  SessionInfo info;
  info.id = row.Text(0);
  info.parent_id = row.Text(1);
  info.forked_at_seq = row.OptionalInt(2).value_or(0);
  info.created_at = row.Text(3);
  info.updated_at = row.Text(4);
  info.model = row.Text(5);
  info.work_dir = row.Text(6);
  info.title = row.Text(7);
  info.status = row.Text(8);
  info.stop_reason = row.Text(9);
  info.num_turns = row.Int(10);
  info.total_cost_pico_usd = row.Int(11);
  info.unpriced_model_calls = row.Int(12);
  info.kind = row.Text(13);
  info.parent_session_id = row.Text(14);
  return info;
}

Result<SessionInfo> LoadSession(sqlite::Database& db, std::string_view id) {
  Result<sqlite::Statement> query = db.Prepare(
      "SELECT " + std::string(kSessionColumns) +
      " FROM sessions WHERE id = ?1");
  if (!query.ok()) return query.status();
  query->Bind(1, id);
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status::NotFound("session \"" + std::string(id) +
                            "\" not found in \"" + db.path() + "\"");
  }
  return ReadSessionRow(*query);
}

Result<int64_t> NextWriteNumber(sqlite::Database& db) {
  Result<sqlite::Statement> query =
      db.Prepare("SELECT COALESCE(MAX(last_write_number), 0) FROM sessions");
  if (!query.ok()) return query.status();
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->Int(0) + 1;
}

Result<int64_t> MaxMessageSeq(sqlite::Database& db, std::string_view id) {
  Result<sqlite::Statement> query = db.Prepare(
      "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = ?1");
  if (!query.ok()) return query.status();
  query->Bind(1, id);
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->Int(0);
}

Result<std::string> DumpJson(const Json& value, std::string_view what) {
  try {
    return value.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception& error) {
    return Status::InvalidArgument(std::string(what) +
                                   " is not valid UTF-8 (" + error.what() +
                                   "); repair or escape the text first");
  }
}

Result<Json> ParseStoredJson(std::string_view text, std::string_view what) {
  Result<Json> value = ParseJson(text, what);
  if (!value.ok()) {
    return Status::DataLoss("stored " + value.status().message());
  }
  return value;
}

Result<std::string> MessageRole(const Json& message, std::string_view what) {
  if (!message.is_object()) {
    return Status::InvalidArgument(std::string(what) +
                                   " must be a JSON object, got " +
                                   std::string(message.type_name()));
  }
  auto role = message.find("role");
  if (role == message.end() || !role->is_string()) {
    return Status::InvalidArgument(std::string(what) +
                                   " has no string \"role\"; set it to "
                                   "\"user\" or \"assistant\"");
  }
  std::string text = role->get<std::string>();
  if (text != "user" && text != "assistant") {
    return Status::InvalidArgument(std::string(what) + " has role \"" +
                                   text +
                                   "\"; expected \"user\" or \"assistant\"");
  }
  return text;
}

}  // namespace boxagnts::workspace::internal
