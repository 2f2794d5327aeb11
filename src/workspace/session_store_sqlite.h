// A thin RAII layer over the SQLite C API for the session store: one
// connection, prepared statements and write transactions. Every error
// becomes a Status whose message names the database file, the operation
// and SQLite's reason. Internal to the workspace layer.
//
// None of these classes is thread-safe; their owner serialises all use of
// one connection and of the statements prepared on it.

#ifndef BOXAGNTS_WORKSPACE_SESSION_STORE_SQLITE_H_
#define BOXAGNTS_WORKSPACE_SESSION_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxagnts::workspace::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* connection) const { sqlite3_close_v2(connection); }
};

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const {
    sqlite3_finalize(statement);
  }
};

class Statement;

// An open connection. Move-only; closing happens in the destructor.
class Database {
 public:
  // Opens the existing file at `path` read-write. Errors name the path.
  static Result<Database> Open(const std::string& path);

  // Runs `sql` (one or more statements whose rows are ignored).
  Status Exec(std::string_view sql, std::string_view operation);

  // Compiles one statement. The statement borrows this object, so it must
  // be destroyed before it, and the object must not move meanwhile.
  Result<Statement> Prepare(std::string_view sql);

  // Builds the error for SQLite result code `code` returned by
  // `operation`: `session database "<path>": <operation>: <reason>`.
  Status Error(std::string_view operation, int code) const;

  const std::string& path() const { return path_; }
  sqlite3* get() const { return handle_.get(); }

 private:
  Database(sqlite3* handle, std::string path)
      : handle_(handle), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, ConnectionCloser> handle_;
  std::string path_;
};

// A prepared statement. Parameters are numbered from 1 and columns from
// 0, as in the SQLite API. A failed Bind is reported by the next Step or
// Run.
class Statement {
 public:
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);
  // Binds NULL when `value` is unset.
  Statement& Bind(int index, std::optional<int64_t> value);
  // Binds NULL when `text` is empty.
  Statement& BindTextOrNull(int index, std::string_view text);

  // Runs one step. Returns true when a row is ready, false when done.
  Result<bool> Step();
  // Steps until done; for statements that return no rows.
  Status Run();

  int64_t Int(int column) const;
  // Returns "" for NULL.
  std::string Text(int column) const;
  bool IsNull(int column) const;
  // Returns the integer, or nullopt for NULL.
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  friend class Database;
  Statement(const Database* database, sqlite3_stmt* handle)
      : database_(database), handle_(handle) {}
  void NoteBindResult(int code);

  const Database* database_;  // borrowed
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> handle_;
  int bind_error_ = SQLITE_OK;
};

// A transaction. Destroying it uncommitted rolls back.
class Transaction {
 public:
  // Begins a write transaction with BEGIN IMMEDIATE, so it takes the
  // write lock (waiting up to the busy timeout) before it reads anything,
  // and two writers never interleave.
  static Result<Transaction> Begin(Database* database);
  // Begins a read transaction: its reads see one snapshot of the file.
  static Result<Transaction> BeginRead(Database* database);
  Status Commit();
  ~Transaction();

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

 private:
  explicit Transaction(Database* database) : database_(database) {}

  Database* database_;  // borrowed; null once committed or moved from
};

}  // namespace boxagnts::workspace::sqlite

#endif  // BOXAGNTS_WORKSPACE_SESSION_STORE_SQLITE_H_
