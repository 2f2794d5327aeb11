// SessionStore reads of history, and forks.

#include <mutex>

#include "core/log.h"
#include "workspace/session_store.h"
#include "workspace/session_store_internal.h"

namespace boxagnts::workspace {

namespace {

// Reads the messages of `session_id` with seq in [from_seq, to_seq].
Result<std::vector<StoredMessage>> ReadMessages(sqlite::Database& db,
                                                std::string_view session_id,
                                                int64_t from_seq,
                                                int64_t to_seq) {
  Result<sqlite::Statement> query = db.Prepare(
      "SELECT seq, content, created_at FROM messages WHERE session_id = ?1 "
      "AND seq BETWEEN ?2 AND ?3 ORDER BY seq");
  if (!query.ok()) return query.status();
  query->Bind(1, session_id).Bind(2, from_seq).Bind(3, to_seq);
  std::vector<StoredMessage> messages;
  while (true) {
    Result<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) return messages;
    StoredMessage message;
    message.seq = query->Int(0);
    std::string what = "message " + std::to_string(message.seq) +
                       " of session \"" + std::string(session_id) + "\"";
    Result<Json> parsed = internal::ParseStoredJson(query->Text(1), what);
    if (!parsed.ok()) return parsed.status();
    message.message = std::move(*parsed);
    message.created_at = query->Text(2);
    messages.push_back(std::move(message));
  }
}

Result<ActiveHistory> ReadActive(sqlite::Database& db,
                                 std::string_view session_id) {
  Result<SessionInfo> session = internal::LoadSession(db, session_id);
  if (!session.ok()) return session.status();
  ActiveHistory history;
  Result<sqlite::Statement> query = db.Prepare(
      "SELECT summary, first_kept_seq FROM compactions WHERE session_id = ?1 "
      "ORDER BY id DESC LIMIT 1");
  if (!query.ok()) return query.status();
  query->Bind(1, session_id);
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    std::string what = "compaction summary of session \"" +
                       std::string(session_id) + "\"";
    Result<Json> summary = internal::ParseStoredJson(query->Text(0), what);
    if (!summary.ok()) return summary.status();
    history.summary = std::move(*summary);
    history.first_kept_seq = query->Int(1);
  }
  Result<std::vector<StoredMessage>> messages =
      ReadMessages(db, session_id, history.first_kept_seq, INT64_MAX);
  if (!messages.ok()) return messages.status();
  history.messages = std::move(*messages);
  return history;
}

// Copies messages 1..at_seq and the compactions that lie within them from
// `parent` to `child`, keeping seqs, content and timestamps.
Status CopyHistory(sqlite::Database& db, std::string_view parent,
                   std::string_view child, int64_t at_seq,
                   int64_t write_number) {
  Result<sqlite::Statement> messages = db.Prepare(
      "INSERT INTO messages (session_id, seq, role, content, created_at, "
      "write_number) SELECT ?2, seq, role, content, created_at, ?4 "
      "FROM messages WHERE session_id = ?1 AND seq <= ?3 ORDER BY seq");
  if (!messages.ok()) return messages.status();
  messages->Bind(1, parent).Bind(2, child).Bind(3, at_seq).Bind(4,
                                                                write_number);
  BOXAGNTS_RETURN_IF_ERROR(messages->Run());
  // A compaction with first_kept_seq <= at_seq + 1 summarises only
  // messages before at_seq + 1, so it is valid for the child too.
  Result<sqlite::Statement> compactions = db.Prepare(
      "INSERT INTO compactions (session_id, summary, first_kept_seq, "
      "tokens_before, created_at, write_number) "
      "SELECT ?2, summary, first_kept_seq, tokens_before, created_at, ?4 "
      "FROM compactions WHERE session_id = ?1 AND first_kept_seq <= ?3 + 1 "
      "ORDER BY id");
  if (!compactions.ok()) return compactions.status();
  compactions->Bind(1, parent).Bind(2, child).Bind(3, at_seq).Bind(
      4, write_number);
  return compactions->Run();
}

}  // namespace

Result<ActiveHistory> SessionStore::LoadActive(std::string_view session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::BeginRead(db_.get());
  if (!transaction.ok()) return transaction.status();
  return ReadActive(*db_, session_id);
}

Result<std::vector<Json>> SessionStore::LoadActiveHistory(
    std::string_view session_id) {
  Result<ActiveHistory> history = LoadActive(session_id);
  if (!history.ok()) return history.status();
  return history->ToMessages();
}

Result<std::vector<StoredMessage>> SessionStore::LoadAllMessages(
    std::string_view session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::BeginRead(db_.get());
  if (!transaction.ok()) return transaction.status();
  Result<SessionInfo> session = internal::LoadSession(*db_, session_id);
  if (!session.ok()) return session.status();
  return ReadMessages(*db_, session_id, 1, INT64_MAX);
}

Result<SessionInfo> SessionStore::Fork(std::string_view session_id,
                                       int64_t at_seq) {
  std::string prefix = "fork of session \"" + std::string(session_id) + "\"";
  if (at_seq < 0) {
    return Status::InvalidArgument(prefix + ": seq " +
                                   std::to_string(at_seq) +
                                   " is negative; give 0 for all messages");
  }
  Result<std::string> child_id = internal::NewSessionId();
  if (!child_id.ok()) return child_id.status();

  std::lock_guard<std::mutex> lock(mu_);
  sqlite::Database& db = *db_;
  Result<sqlite::Transaction> transaction = sqlite::Transaction::Begin(&db);
  if (!transaction.ok()) return transaction.status();
  Result<SessionInfo> parent = internal::LoadSession(db, session_id);
  if (!parent.ok()) return parent.status();
  Result<int64_t> last_seq = internal::MaxMessageSeq(db, session_id);
  if (!last_seq.ok()) return last_seq.status();
  if (at_seq > *last_seq) {
    return Status::InvalidArgument(
        prefix + ": seq " + std::to_string(at_seq) +
        " is past the last message " + std::to_string(*last_seq) +
        "; give a seq from 1 to " + std::to_string(*last_seq) +
        ", or 0 for all messages");
  }
  if (at_seq == 0) at_seq = *last_seq;
  Result<int64_t> write_number = internal::NextWriteNumber(db);
  if (!write_number.ok()) return write_number.status();

  std::string now = internal::NowUtcTimestampMs();
  Result<sqlite::Statement> insert = db.Prepare(
      "INSERT INTO sessions (id, parent_id, forked_at_seq, created_at, "
      "updated_at, model, work_dir, title, status, kind, parent_session_id, "
      "last_write_number) "
      "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, *child_id)
      .Bind(2, session_id)
      .Bind(3, at_seq)
      .Bind(4, now)
      .Bind(5, parent->model)
      .Bind(6, parent->work_dir)
      .Bind(7, parent->title)
      .Bind(8, kStatusCreated)
      .Bind(9, parent->kind)
      .BindTextOrNull(10, parent->parent_session_id)
      .Bind(11, *write_number);
  BOXAGNTS_RETURN_IF_ERROR(insert->Run());
  BOXAGNTS_RETURN_IF_ERROR(
      CopyHistory(db, session_id, *child_id, at_seq, *write_number));
  Result<SessionInfo> child = internal::LoadSession(db, *child_id);
  if (!child.ok()) return child.status();
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::info("session store: forked session_id={} parent_id={} at_seq={}",
               *child_id, session_id, at_seq);
  return child;
}

}  // namespace boxagnts::workspace
