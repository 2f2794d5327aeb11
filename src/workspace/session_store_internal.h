// Helpers shared by the session_store_*.cc files. Internal to the
// workspace layer. Every function that takes a Database expects its
// caller to hold the store's mutex.

#ifndef BOXAGNTS_WORKSPACE_SESSION_STORE_INTERNAL_H_
#define BOXAGNTS_WORKSPACE_SESSION_STORE_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "workspace/session_store.h"
#include "workspace/session_store_sqlite.h"

namespace boxagnts::workspace::internal {

// Returns FailedPrecondition, naming the file and both versions, when the
// file's schema version is newer than kSessionSchemaVersion.
Status CheckSchemaVersion(sqlite::Database& db);

// Brings the schema to kSessionSchemaVersion. FailedPrecondition when the
// file is newer, naming the file and both versions.
Status MigrateSchema(sqlite::Database& db);

// Returns the current time as "2025-01-31T12:34:56.789Z".
std::string NowUtcTimestampMs();

// Returns a random id in UUIDv4 form (122 random bits).
Result<std::string> NewSessionId();

// The columns ReadSessionRow expects, in order, for SELECT lists.
inline constexpr std::string_view kSessionColumns =
    "id, parent_id, forked_at_seq, created_at, updated_at, model, "
    "work_dir, title, status, stop_reason, num_turns, total_cost_pico_usd, "
    "unpriced_model_calls, kind, parent_session_id";

SessionInfo ReadSessionRow(const sqlite::Statement& row);

// Returns the session `id`; NotFound names the id.
Result<SessionInfo> LoadSession(sqlite::Database& db, std::string_view id);

// Returns the number of the next write. Write numbers grow across the
// whole store and order rows in exports and sessions in listings exactly,
// where timestamps may tie. REQUIRES: inside a write transaction.
Result<int64_t> NextWriteNumber(sqlite::Database& db);

// Returns the session's highest message seq, 0 when it has none.
Result<int64_t> MaxMessageSeq(sqlite::Database& db, std::string_view id);

// Serialises `value` compactly. InvalidArgument names `what` when a
// string in it is not valid UTF-8.
Result<std::string> DumpJson(const Json& value, std::string_view what);

// Parses JSON text read back from the database; DataLoss names `what`.
Result<Json> ParseStoredJson(std::string_view text, std::string_view what);

// Checks a message object: returns its role, or InvalidArgument naming
// `what` when "role" is not "user" or "assistant".
Result<std::string> MessageRole(const Json& message, std::string_view what);

}  // namespace boxagnts::workspace::internal

#endif  // BOXAGNTS_WORKSPACE_SESSION_STORE_INTERNAL_H_
