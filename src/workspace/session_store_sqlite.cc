#include "workspace/session_store_sqlite.h"

#include "core/log.h"

namespace boxagnts::workspace::sqlite {

namespace {

StatusCode CodeForSqliteResult(int code) {
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return StatusCode::kIoError;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    case SQLITE_TOOBIG:
      return StatusCode::kResourceExhausted;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

Result<Database> Database::Open(const std::string& path) {
  sqlite3* handle = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE,
                             nullptr);
  // SQLite returns a handle even on failure; it must still be closed.
  Database database(handle, path);
  if (code != SQLITE_OK) return database.Error("open", code);
  sqlite3_extended_result_codes(handle, 1);
  return database;
}

Status Database::Exec(std::string_view sql, std::string_view operation) {
  std::string text(sql);
  int code = sqlite3_exec(handle_.get(), text.c_str(), nullptr, nullptr,
                          nullptr);
  if (code != SQLITE_OK) return Error(operation, code);
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* handle = nullptr;
  int code = sqlite3_prepare_v2(handle_.get(), sql.data(),
                                static_cast<int>(sql.size()), &handle,
                                nullptr);
  if (code != SQLITE_OK) {
    sqlite3_finalize(handle);
    return Error("prepare \"" + std::string(sql.substr(0, 60)) + "\"", code);
  }
  return Statement(this, handle);
}

Status Database::Error(std::string_view operation, int code) const {
  std::string reason = handle_ != nullptr ? sqlite3_errmsg(handle_.get())
                                          : sqlite3_errstr(code);
  if ((code & 0xFF) == SQLITE_BUSY) {
    reason += " (another connection held the write lock past the busy "
              "timeout; retry)";
  }
  return Status(CodeForSqliteResult(code),
                "session database \"" + path_ + "\": " +
                    std::string(operation) + ": " + reason);
}

void Statement::NoteBindResult(int code) {
  if (code != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = code;
}

Statement& Statement::Bind(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(handle_.get(), index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  NoteBindResult(sqlite3_bind_text64(handle_.get(), index, text.data(),
                                     text.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8));
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBindResult(sqlite3_bind_null(handle_.get(), index));
  return *this;
}

Statement& Statement::Bind(int index, std::optional<int64_t> value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindTextOrNull(int index, std::string_view text) {
  return text.empty() ? BindNull(index) : Bind(index, text);
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return database_->Error("bind parameter", bind_error_);
  }
  int code = sqlite3_step(handle_.get());
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(handle_.get());
  std::string operation = "run \"" + std::string(sql).substr(0, 60) + "\"";
  return database_->Error(operation, code);
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(handle_.get(), column);
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(handle_.get(), column);
  if (text == nullptr) return "";
  int size = sqlite3_column_bytes(handle_.get(), column);
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(size));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(handle_.get(), column) == SQLITE_NULL;
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Result<Transaction> Transaction::Begin(Database* database) {
  BOXAGNTS_RETURN_IF_ERROR(
      database->Exec("BEGIN IMMEDIATE", "begin transaction"));
  return Transaction(database);
}

Result<Transaction> Transaction::BeginRead(Database* database) {
  BOXAGNTS_RETURN_IF_ERROR(database->Exec("BEGIN", "begin transaction"));
  return Transaction(database);
}

Status Transaction::Commit() {
  Database* database = database_;
  database_ = nullptr;
  Status status = database->Exec("COMMIT", "commit transaction");
  if (!status.ok()) {
    // A failed COMMIT can leave the transaction open; end it so that the
    // connection stays usable.
    if (!sqlite3_get_autocommit(database->get())) {
      (void)database->Exec("ROLLBACK", "roll back transaction");
    }
  }
  return status;
}

Transaction::~Transaction() {
  if (database_ == nullptr) return;
  if (sqlite3_get_autocommit(database_->get())) return;  // already ended
  Status status = database_->Exec("ROLLBACK", "roll back transaction");
  if (!status.ok()) {
    spdlog::error("session store: {}", status.ToString());
  }
}

Transaction::Transaction(Transaction&& other) noexcept
    : database_(other.database_) {
  other.database_ = nullptr;
}

}  // namespace boxagnts::workspace::sqlite
