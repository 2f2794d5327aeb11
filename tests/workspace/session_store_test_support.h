// Helpers for the session store tests: a store in a temporary folder,
// message builders and raw SQLite access to set up hard cases.

#ifndef BOXAGNTS_TESTS_WORKSPACE_SESSION_STORE_TEST_SUPPORT_H_
#define BOXAGNTS_TESTS_WORKSPACE_SESSION_STORE_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/log.h"
#include "testing/process.h"
#include "workspace/session_store.h"

namespace boxagnts::workspace {

// A store opened on <temp dir>/sessions.db; aborts the test binary when
// it cannot be opened, since no test can run without it.
class TestStore {
 public:
  TestStore() : path_(dir_ / "sessions.db") {
    spdlog::set_level(spdlog::level::warn);
    Reopen();
  }

  // Closes and opens the database again.
  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<SessionStore>> opened = SessionStore::Open(path_);
    if (!opened.ok()) {
      ADD_FAILURE() << opened.status().ToString();
      std::abort();
    }
    store_ = std::move(*opened);
  }
  void Close() { store_.reset(); }

  SessionStore* operator->() { return store_.get(); }
  SessionStore& operator*() { return *store_; }
  const std::string& path() const { return path_; }
  const ::boxagnts::testing::TempDir& dir() const { return dir_; }

 private:
  ::boxagnts::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SessionStore> store_;
};

inline Json UserText(const std::string& text) {
  return {{"role", "user"},
          {"content", Json::array({{{"type", "text"}, {"text", text}}})}};
}

inline Json AssistantText(const std::string& text) {
  return {{"role", "assistant"},
          {"content", Json::array({{{"type", "text"}, {"text", text}}})}};
}

inline NewSession MainSession(const std::string& work_dir = "/work/project",
                              const std::string& title = "first prompt") {
  NewSession session;
  session.model = "anthropic/claude-test";
  session.work_dir = work_dir;
  session.title = title;
  return session;
}

// Creates a session or fails the test and returns an empty info.
inline SessionInfo MustCreate(SessionStore& store,
                              const NewSession& session = MainSession()) {
  Result<SessionInfo> created = store.CreateSession(session);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return created.ok() ? *created : SessionInfo();
}

inline std::vector<int64_t> MustAppend(SessionStore& store,
                                       const std::string& id,
                                       const TurnWrite& write) {
  Result<std::vector<int64_t>> seqs = store.AppendTurn(id, write);
  EXPECT_TRUE(seqs.ok()) << seqs.status().ToString();
  return seqs.ok() ? *seqs : std::vector<int64_t>();
}

inline TurnWrite MessagesWrite(std::vector<Json> messages) {
  TurnWrite write;
  write.messages = std::move(messages);
  return write;
}

inline std::vector<Json> MessagesOf(const std::vector<StoredMessage>& stored) {
  std::vector<Json> out;
  for (const StoredMessage& message : stored) out.push_back(message.message);
  return out;
}

// Runs `sql` on the file through a separate raw connection; returns the
// first column of the first row, or "" when there is none.
inline std::string RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::string first;
  auto callback = [](void* out, int columns, char** values, char**) {
    auto* text = static_cast<std::string*>(out);
    if (text->empty() && columns > 0 && values[0] != nullptr) {
      *text = values[0];
    }
    return 0;
  };
  char* error = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), callback, &first, &error);
  EXPECT_EQ(code, SQLITE_OK) << sql << ": " << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close_v2(db);
  return first;
}

}  // namespace boxagnts::workspace

#endif  // BOXAGNTS_TESTS_WORKSPACE_SESSION_STORE_TEST_SUPPORT_H_
