#include "workspace/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "core/log.h"
#include "core/utf8.h"
#include "workspace/session_store_internal.h"
#include "workspace/session_store_sqlite.h"

namespace boxagnts::workspace {

using internal::LoadSession;
using internal::ReadSessionRow;

namespace {

constexpr std::string_view kKnownStatuses[] = {
    kStatusCreated, kStatusRunning,     kStatusCompleted,
    kStatusStopped, kStatusInterrupted, kStatusError};

// Creates the file with mode 0600 before SQLite opens it: SQLite would
// create it with 0644 minus the umask, and it gives its -wal and -shm
// files the mode of the database file.
Status CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::FromErrno("open session database \"" + path + "\"", errno);
  }
  struct stat st;
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::FromErrno("stat \"" + path + "\"", errno);
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::FailedPrecondition("session database \"" + path +
                                        "\" is not a regular file");
  } else if ((st.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
    status = Status::FromErrno("chmod 0600 \"" + path + "\"", errno);
  }
  ::close(fd);
  return status;
}

// Runs a PRAGMA that sets a value and checks the value it reports back,
// so that a setting SQLite ignored is an error and not a silent default.
Status SetPragma(sqlite::Database& db, const std::string& assignment,
                 const std::string& query, std::string_view expected) {
  BOXAGNTS_RETURN_IF_ERROR(db.Exec("PRAGMA " + assignment, assignment));
  Result<sqlite::Statement> statement = db.Prepare("PRAGMA " + query);
  if (!statement.ok()) return statement.status();
  Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  std::string actual = *row ? statement->Text(0) : "";
  for (char& c : actual) c = static_cast<char>(std::tolower(c));
  if (actual != expected) {
    return Status::FailedPrecondition(
        "session database \"" + db.path() + "\": PRAGMA " + assignment +
        " did not take effect (" + query + " is \"" + actual + "\")");
  }
  return Status::Ok();
}

Status Configure(sqlite::Database& db) {
  int code = sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (code != SQLITE_OK) return db.Error("set busy timeout", code);
  BOXAGNTS_RETURN_IF_ERROR(
      SetPragma(db, "journal_mode = WAL", "journal_mode", "wal"));
  // NORMAL: commits survive the process being killed without an fsync
  // per turn; see the durability note in the header.
  BOXAGNTS_RETURN_IF_ERROR(
      SetPragma(db, "synchronous = NORMAL", "synchronous", "1"));
  BOXAGNTS_RETURN_IF_ERROR(
      SetPragma(db, "foreign_keys = ON", "foreign_keys", "1"));
  return Status::Ok();
}

// Makes a prompt a one-line title of at most kMaxTitleChars characters.
std::string MakeTitle(std::string_view prompt) {
  std::string text = ReplaceInvalidUtf8(prompt);
  std::string line;
  bool pending_space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !line.empty();
      continue;
    }
    if (pending_space) line += ' ';
    pending_space = false;
    line += c;
  }
  if (CountUtf8CodePoints(line) <= kMaxTitleChars) return line;
  size_t kept_bytes = 0;
  for (size_t chars = 0; chars < kMaxTitleChars - 1; ++chars) {
    ++kept_bytes;
    while (kept_bytes < line.size() &&
           (static_cast<unsigned char>(line[kept_bytes]) & 0xC0) == 0x80) {
      ++kept_bytes;
    }
  }
  return line.substr(0, kept_bytes) + "\xE2\x80\xA6";  // "…"
}

Status CheckRequiredText(std::string_view value, std::string_view field) {
  if (value.empty()) {
    return Status::InvalidArgument("new session: " + std::string(field) +
                                   " is empty; set it");
  }
  if (FindInvalidUtf8(value) != std::string_view::npos) {
    return Status::InvalidArgument("new session: " + std::string(field) +
                                   " is not valid UTF-8");
  }
  return Status::Ok();
}

Status CheckNewSession(const NewSession& session) {
  BOXAGNTS_RETURN_IF_ERROR(CheckRequiredText(session.model, "model"));
  BOXAGNTS_RETURN_IF_ERROR(CheckRequiredText(session.work_dir, "work_dir"));
  if (session.kind == "executor") {
    if (session.parent_session_id.empty()) {
      return Status::InvalidArgument(
          "new session: kind \"executor\" needs parent_session_id, the "
          "main session of its managed run");
    }
  } else if (session.kind == "main") {
    if (!session.parent_session_id.empty()) {
      return Status::InvalidArgument(
          "new session: kind \"main\" must not have a parent_session_id "
          "(got \"" + session.parent_session_id + "\"); use kind "
          "\"executor\"");
    }
  } else {
    return Status::InvalidArgument("new session: kind \"" + session.kind +
                                   "\" is invalid; expected \"main\" or "
                                   "\"executor\"");
  }
  return Status::Ok();
}

Result<std::vector<SessionInfo>> ReadSessionRows(sqlite::Statement& query) {
  std::vector<SessionInfo> sessions;
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return sessions;
    sessions.push_back(ReadSessionRow(query));
  }
}

}  // namespace

std::string SessionStorePath(const std::string& workspace_dir) {
  return workspace_dir + "/sessions.db";
}

std::vector<Json> ActiveHistory::ToMessages() const {
  std::vector<Json> out;
  out.reserve(messages.size() + 1);
  if (summary.has_value()) out.push_back(*summary);
  for (const StoredMessage& message : messages) out.push_back(message.message);
  return out;
}

SessionStore::SessionStore(std::string path,
                           std::unique_ptr<sqlite::Database> db)
    : path_(std::move(path)), db_(std::move(db)) {}

SessionStore::~SessionStore() = default;

Result<std::unique_ptr<SessionStore>> SessionStore::Open(
    const std::string& path) {
  BOXAGNTS_RETURN_IF_ERROR(CreatePrivateFile(path));
  Result<sqlite::Database> opened = sqlite::Database::Open(path);
  if (!opened.ok()) return opened.status();
  auto db = std::make_unique<sqlite::Database>(std::move(opened).value());
  // Check the version before Configure changes anything in the file.
  BOXAGNTS_RETURN_IF_ERROR(internal::CheckSchemaVersion(*db));
  BOXAGNTS_RETURN_IF_ERROR(Configure(*db));
  BOXAGNTS_RETURN_IF_ERROR(internal::MigrateSchema(*db));
  spdlog::debug("session store: opened path={}", path);
  return std::unique_ptr<SessionStore>(new SessionStore(path, std::move(db)));
}

Result<SessionInfo> SessionStore::CreateSession(const NewSession& session) {
  BOXAGNTS_RETURN_IF_ERROR(CheckNewSession(session));
  Result<std::string> id = internal::NewSessionId();
  if (!id.ok()) return id.status();
  std::string title = MakeTitle(session.title);

  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_.get());
  if (!transaction.ok()) return transaction.status();
  if (!session.parent_session_id.empty()) {
    Result<SessionInfo> parent = LoadSession(*db_, session.parent_session_id);
    if (!parent.ok()) {
      return parent.status().WithPrefix("new session: parent_session_id");
    }
  }
  Result<int64_t> write_number = internal::NextWriteNumber(*db_);
  if (!write_number.ok()) return write_number.status();
  std::string now = internal::NowUtcTimestampMs();
  Result<sqlite::Statement> insert = db_->Prepare(
      "INSERT INTO sessions (id, created_at, updated_at, model, work_dir, "
      "title, status, kind, parent_session_id, last_write_number) "
      "VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, *id)
      .Bind(2, now)
      .Bind(3, session.model)
      .Bind(4, session.work_dir)
      .Bind(5, title)
      .Bind(6, kStatusCreated)
      .Bind(7, session.kind)
      .BindTextOrNull(8, session.parent_session_id)
      .Bind(9, *write_number);
  BOXAGNTS_RETURN_IF_ERROR(insert->Run());
  Result<SessionInfo> created = LoadSession(*db_, *id);
  if (!created.ok()) return created.status();
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::info("session store: created session_id={} kind={} model={}", *id,
               session.kind, session.model);
  return created;
}

Result<SessionInfo> SessionStore::GetSession(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return LoadSession(*db_, id);
}

Result<SessionInfo> SessionStore::FindSession(std::string_view id_or_prefix) {
  std::string prefix(id_or_prefix);
  for (char& c : prefix) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '-') {
      return Status::InvalidArgument(
          "session id \"" + std::string(id_or_prefix) +
          "\" is invalid: ids contain only hex digits and '-'");
    }
  }
  if (prefix.size() < kMinIdPrefixChars) {
    return Status::InvalidArgument(
        "session id prefix \"" + prefix + "\" is too short; give at least " +
        std::to_string(kMinIdPrefixChars) + " characters");
  }

  std::lock_guard<std::mutex> lock(mu_);
  // The prefix contains no GLOB wildcards (checked above), and a GLOB
  // prefix pattern can use the primary key index.
  constexpr int kMaxListed = 10;
  Result<sqlite::Statement> query = db_->Prepare(
      "SELECT " + std::string(internal::kSessionColumns) +
      " FROM sessions WHERE id GLOB ?1 || '*' ORDER BY id LIMIT ?2");
  if (!query.ok()) return query.status();
  query->Bind(1, prefix).Bind(2, int64_t{kMaxListed + 1});
  Result<std::vector<SessionInfo>> matches = ReadSessionRows(*query);
  if (!matches.ok()) return matches.status();
  if (matches->empty()) {
    return Status::NotFound("no session id starts with \"" + prefix +
                            "\" in \"" + path_ + "\"");
  }
  if (matches->size() == 1) return std::move(matches->front());
  std::string listed;
  for (size_t i = 0; i < matches->size() && i < kMaxListed; ++i) {
    if (i > 0) listed += ", ";
    listed += (*matches)[i].id;
  }
  if (matches->size() > kMaxListed) listed += ", ...";
  return Status::InvalidArgument("session id prefix \"" + prefix +
                                 "\" is ambiguous: it matches " + listed +
                                 "; give more characters");
}

Result<SessionInfo> SessionStore::LatestSession(std::string_view work_dir) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Statement> query = db_->Prepare(
      "SELECT " + std::string(internal::kSessionColumns) +
      " FROM sessions WHERE work_dir = ?1 AND kind = 'main'"
      " ORDER BY last_write_number DESC LIMIT 1");
  if (!query.ok()) return query.status();
  query->Bind(1, work_dir);
  Result<std::vector<SessionInfo>> sessions = ReadSessionRows(*query);
  if (!sessions.ok()) return sessions.status();
  if (sessions->empty()) {
    return Status::NotFound("no session for work dir \"" +
                            std::string(work_dir) + "\" in \"" + path_ +
                            "\"");
  }
  return std::move(sessions->front());
}

Result<std::vector<SessionInfo>> SessionStore::ListSessions(size_t limit) {
  if (limit == 0) {
    return Status::InvalidArgument(
        "session list limit is 0; give a limit of at least 1");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Statement> query = db_->Prepare(
      "SELECT " + std::string(internal::kSessionColumns) +
      " FROM sessions ORDER BY last_write_number DESC LIMIT ?1");
  if (!query.ok()) return query.status();
  // SQLite reads a negative LIMIT as no limit, which is what a limit past
  // INT64_MAX requests.
  int64_t sql_limit = limit > static_cast<size_t>(INT64_MAX)
                          ? -1
                          : static_cast<int64_t>(limit);
  query->Bind(1, sql_limit);
  return ReadSessionRows(*query);
}

Result<std::vector<SessionInfo>> SessionStore::ListExecutorSessions(
    std::string_view parent_session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Statement> query = db_->Prepare(
      "SELECT " + std::string(internal::kSessionColumns) +
      " FROM sessions WHERE parent_session_id = ?1 AND kind = 'executor'"
      " ORDER BY rowid");
  if (!query.ok()) return query.status();
  query->Bind(1, parent_session_id);
  return ReadSessionRows(*query);
}

Status SessionStore::SetStatus(std::string_view session_id,
                               std::string_view status,
                               std::string_view stop_reason) {
  bool known = false;
  for (std::string_view name : kKnownStatuses) known = known || name == status;
  if (!known) {
    return Status::InvalidArgument(
        "session status \"" + std::string(status) +
        "\" is invalid; expected created, running, completed, stopped, "
        "interrupted or error");
  }
  if (FindInvalidUtf8(stop_reason) != std::string_view::npos) {
    return Status::InvalidArgument("stop reason is not valid UTF-8");
  }

  std::lock_guard<std::mutex> lock(mu_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_.get());
  if (!transaction.ok()) return transaction.status();
  Result<SessionInfo> session = LoadSession(*db_, session_id);
  if (!session.ok()) return session.status();
  Result<int64_t> write_number = internal::NextWriteNumber(*db_);
  if (!write_number.ok()) return write_number.status();
  Result<sqlite::Statement> update = db_->Prepare(
      "UPDATE sessions SET status = ?2, stop_reason = ?3, updated_at = ?4, "
      "last_write_number = ?5 WHERE id = ?1");
  if (!update.ok()) return update.status();
  update->Bind(1, session_id)
      .Bind(2, status)
      .Bind(3, stop_reason)
      .Bind(4, internal::NowUtcTimestampMs())
      .Bind(5, *write_number);
  BOXAGNTS_RETURN_IF_ERROR(update->Run());
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::debug("session store: status session_id={} status={} "
                "stop_reason={}",
                session_id, status, stop_reason);
  return Status::Ok();
}

Status SessionStore::CheckIntegrity() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> problems;
  for (std::string_view pragma :
       {"PRAGMA integrity_check", "PRAGMA foreign_key_check"}) {
    Result<sqlite::Statement> query = db_->Prepare(pragma);
    if (!query.ok()) return query.status();
    while (true) {
      Result<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      // integrity_check returns one row "ok" when it finds nothing;
      // foreign_key_check returns a row (table, rowid, parent, ...) per
      // violation.
      std::string problem = query->Text(0);
      if (pragma == "PRAGMA integrity_check" && problem == "ok") continue;
      if (pragma == "PRAGMA foreign_key_check") {
        problem = "foreign key violation in table " + problem + " row " +
                  std::to_string(query->Int(1)) + " (parent table " +
                  query->Text(2) + ")";
      }
      problems.push_back(problem);
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string listed;
  for (size_t i = 0; i < problems.size() && i < 10; ++i) {
    listed += (i > 0 ? "; " : "") + problems[i];
  }
  return Status::DataLoss("session database \"" + path_ + "\" is damaged: " +
                          listed);
}

}  // namespace boxagnts::workspace
