// The session database schema and its migrations.

#include <string>

#include "core/log.h"
#include "workspace/session_store_internal.h"

namespace boxagnts::workspace::internal {

namespace {

// Version 1. Every row records the write that stored it (write_number),
// and each session the number of its latest write, so that exports and
// listings have an exact order where timestamps tie.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY NOT NULL,
  parent_id TEXT REFERENCES sessions(id),
  forked_at_seq INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  model TEXT NOT NULL,
  work_dir TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  stop_reason TEXT NOT NULL DEFAULT '',
  num_turns INTEGER NOT NULL DEFAULT 0,
  total_cost_pico_usd INTEGER NOT NULL DEFAULT 0,
  unpriced_model_calls INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL CHECK (kind IN ('main', 'executor')),
  parent_session_id TEXT REFERENCES sessions(id),
  last_write_number INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_last_write ON sessions(last_write_number);
CREATE INDEX sessions_by_work_dir
  ON sessions(work_dir, kind, last_write_number);
CREATE INDEX sessions_by_parent_session ON sessions(parent_session_id);

CREATE TABLE messages (
  session_id TEXT NOT NULL REFERENCES sessions(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content TEXT NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq)
) STRICT;

CREATE TABLE compactions (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  summary TEXT NOT NULL,
  first_kept_seq INTEGER NOT NULL CHECK (first_kept_seq >= 1),
  tokens_before INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL
) STRICT;
CREATE INDEX compactions_by_session ON compactions(session_id, id);

CREATE TABLE model_calls (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  seq INTEGER,
  purpose TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cost_pico_usd INTEGER,
  stop_reason TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL,
  FOREIGN KEY (session_id, seq) REFERENCES messages(session_id, seq)
) STRICT;
CREATE INDEX model_calls_by_session ON model_calls(session_id, id);

CREATE TABLE tool_calls (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  input TEXT NOT NULL,
  is_error INTEGER NOT NULL CHECK (is_error IN (0, 1)),
  result_bytes INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL
) STRICT;
CREATE INDEX tool_calls_by_session ON tool_calls(session_id, id);

CREATE TABLE permission_decisions (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  decision TEXT NOT NULL,
  rule TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL
) STRICT;
CREATE INDEX permission_decisions_by_session
  ON permission_decisions(session_id, id);

CREATE TABLE events (
  session_id TEXT NOT NULL REFERENCES sessions(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  write_number INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq)
) STRICT;
)sql";

// kMigrations[v] brings a database from version v to v + 1.
constexpr std::string_view kMigrations[] = {kSchemaV1};
static_assert(std::size(kMigrations) == kSessionSchemaVersion,
              "one migration per schema version");

Result<int64_t> ReadUserVersion(sqlite::Database& db) {
  Result<sqlite::Statement> query = db.Prepare("PRAGMA user_version");
  if (!query.ok()) return query.status();
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("PRAGMA user_version returned no row");
  return query->Int(0);
}

Status CheckNotNewer(sqlite::Database& db, int64_t version) {
  if (version <= kSessionSchemaVersion) return Status::Ok();
  return Status::FailedPrecondition(
      "session database \"" + db.path() + "\" has schema version " +
      std::to_string(version) + ", newer than version " +
      std::to_string(kSessionSchemaVersion) +
      " that this build of boxagnts supports; upgrade boxagnts or use "
      "another workspace folder");
}

}  // namespace

Status CheckSchemaVersion(sqlite::Database& db) {
  Result<int64_t> version = ReadUserVersion(db);
  if (!version.ok()) return version.status();
  return CheckNotNewer(db, *version);
}

Status MigrateSchema(sqlite::Database& db) {
  Result<int64_t> version = ReadUserVersion(db);
  if (!version.ok()) return version.status();
  BOXAGNTS_RETURN_IF_ERROR(CheckNotNewer(db, *version));
  if (*version == kSessionSchemaVersion) return Status::Ok();

  Result<sqlite::Transaction> transaction = sqlite::Transaction::Begin(&db);
  if (!transaction.ok()) return transaction.status();
  // Another process may have migrated while this one waited for the lock.
  version = ReadUserVersion(db);
  if (!version.ok()) return version.status();
  BOXAGNTS_RETURN_IF_ERROR(CheckNotNewer(db, *version));
  if (*version < 0) {
    return Status::DataLoss("session database \"" + db.path() +
                            "\" has a negative schema version " +
                            std::to_string(*version));
  }
  for (int64_t from = *version; from < kSessionSchemaVersion; ++from) {
    std::string operation =
        "migrate schema to version " + std::to_string(from + 1);
    BOXAGNTS_RETURN_IF_ERROR(db.Exec(kMigrations[from], operation));
  }
  BOXAGNTS_RETURN_IF_ERROR(db.Exec(
      "PRAGMA user_version = " + std::to_string(kSessionSchemaVersion),
      "set schema version"));
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::info("session store: migrated path={} from_version={} "
               "to_version={}",
               db.path(), *version, kSessionSchemaVersion);
  return Status::Ok();
}

}  // namespace boxagnts::workspace::internal
