#include "workspace/session_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "workspace/session_store_test_support.h"

namespace boxagnts::workspace {
namespace {

const std::regex kUuidV4(
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kTimestamp(
    "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

mode_t FileMode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

TEST(SessionStore, CreateThenGetRoundTrip) {
  TestStore store;
  SessionInfo created = MustCreate(*store);
  EXPECT_TRUE(std::regex_match(created.id, kUuidV4)) << created.id;
  EXPECT_TRUE(std::regex_match(created.created_at, kTimestamp));
  EXPECT_EQ(created.updated_at, created.created_at);
  EXPECT_EQ(created.model, "anthropic/claude-test");
  EXPECT_EQ(created.work_dir, "/work/project");
  EXPECT_EQ(created.title, "first prompt");
  EXPECT_EQ(created.status, "created");
  EXPECT_EQ(created.kind, "main");
  EXPECT_EQ(created.parent_id, "");
  EXPECT_EQ(created.parent_session_id, "");
  EXPECT_EQ(created.forked_at_seq, 0);
  EXPECT_EQ(created.num_turns, 0);
  EXPECT_EQ(created.total_cost_pico_usd, 0);

  Result<SessionInfo> loaded = store->GetSession(created.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, created);

  // Data survives closing and opening the file again.
  store.Reopen();
  loaded = store->GetSession(created.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, created);
}

TEST(SessionStore, GetUnknownIdNamesIt) {
  TestStore store;
  Result<SessionInfo> missing = store->GetSession("no-such-id");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("\"no-such-id\""),
            std::string::npos);
}

TEST(SessionStore, TitleIsOneShortLine) {
  TestStore store;
  SessionInfo spaced = MustCreate(
      *store, MainSession("/p", "  fix the\n\tbuild   please \n"));
  EXPECT_EQ(spaced.title, "fix the build please");

  // 100 characters of which some take 2 bytes: the cut counts characters.
  std::string prompt;
  for (int i = 0; i < 50; ++i) prompt += "a\xC3\xA9";  // "aé"
  SessionInfo long_title = MustCreate(*store, MainSession("/p", prompt));
  std::string expected;
  for (int i = 0; i < 39; ++i) expected += "a\xC3\xA9";
  expected += "a\xE2\x80\xA6";  // 79 characters, then "…"
  EXPECT_EQ(long_title.title, expected);

  // Exactly 80 characters is kept whole; invalid UTF-8 becomes U+FFFD.
  std::string eighty(79, 'x');
  eighty += "\xFF";
  SessionInfo exact = MustCreate(*store, MainSession("/p", eighty));
  EXPECT_EQ(exact.title, std::string(79, 'x') + "\xEF\xBF\xBD");
}

TEST(SessionStore, CreateRejectsBadFields) {
  TestStore store;
  NewSession no_model = MainSession();
  no_model.model = "";
  EXPECT_EQ(store->CreateSession(no_model).status().message(),
            "new session: model is empty; set it");

  NewSession bad_kind = MainSession();
  bad_kind.kind = "helper";
  EXPECT_EQ(store->CreateSession(bad_kind).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_NE(store->CreateSession(bad_kind).status().message().find(
                "\"helper\""),
            std::string::npos);

  NewSession orphan = MainSession();
  orphan.kind = "executor";
  EXPECT_EQ(store->CreateSession(orphan).status().code(),
            StatusCode::kInvalidArgument);

  orphan.parent_session_id = "0badc0de-0000-4000-8000-000000000000";
  Result<SessionInfo> unknown_parent = store->CreateSession(orphan);
  EXPECT_EQ(unknown_parent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown_parent.status().message().find(orphan.parent_session_id),
            std::string::npos);

  NewSession main_with_parent = MainSession();
  main_with_parent.parent_session_id = orphan.parent_session_id;
  EXPECT_EQ(store->CreateSession(main_with_parent).status().code(),
            StatusCode::kInvalidArgument);

  Result<std::vector<SessionInfo>> all = store->ListSessions(100);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST(SessionStore, FindSessionByIdPrefix) {
  TestStore store;
  SessionInfo first = MustCreate(*store);
  SessionInfo second = MustCreate(*store);
  SessionInfo third = MustCreate(*store);
  // Give two sessions ids that share a 7-character prefix.
  const std::string id_a = "abcdef01-1111-4111-8111-111111111111";
  const std::string id_b = "abcdef02-2222-4222-8222-222222222222";
  store.Close();
  RawSql(store.path(), "UPDATE sessions SET id = '" + id_a +
                           "' WHERE id = '" + first.id + "'");
  RawSql(store.path(), "UPDATE sessions SET id = '" + id_b +
                           "' WHERE id = '" + second.id + "'");
  store.Reopen();

  Result<SessionInfo> exact = store->FindSession(id_a);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->id, id_a);
  Result<SessionInfo> unique = store->FindSession("ABCDEF02");
  ASSERT_TRUE(unique.ok()) << unique.status().ToString();
  EXPECT_EQ(unique->id, id_b);
  Result<SessionInfo> by_prefix = store->FindSession(third.id.substr(0, 6));
  ASSERT_TRUE(by_prefix.ok()) << by_prefix.status().ToString();
  EXPECT_EQ(by_prefix->id, third.id);

  Result<SessionInfo> ambiguous = store->FindSession("abcdef0");
  EXPECT_EQ(ambiguous.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ambiguous.status().message(),
            "session id prefix \"abcdef0\" is ambiguous: it matches " + id_a +
                ", " + id_b + "; give more characters");

  Result<SessionInfo> short_prefix = store->FindSession("abcde");
  EXPECT_EQ(short_prefix.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_prefix.status().message().find("at least 6"),
            std::string::npos);
  EXPECT_EQ(store->FindSession("abcdeg").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->FindSession("abc%ef").status().code(),
            StatusCode::kInvalidArgument);
  Result<SessionInfo> none = store->FindSession("abcdef03");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("\"abcdef03\""), std::string::npos);
}

TEST(SessionStore, LatestSessionPerWorkDir) {
  TestStore store;
  SessionInfo a = MustCreate(*store, MainSession("/p1"));
  SessionInfo b = MustCreate(*store, MainSession("/p2"));
  SessionInfo c = MustCreate(*store, MainSession("/p1"));
  NewSession executor = MainSession("/p1");
  executor.kind = "executor";
  executor.parent_session_id = a.id;
  SessionInfo e = MustCreate(*store, executor);

  Result<SessionInfo> latest = store->LatestSession("/p1");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, c.id);  // the executor is newer but not "main"

  // A write makes a session the latest, even within one millisecond.
  MustAppend(*store, a.id, MessagesWrite({UserText("again")}));
  latest = store->LatestSession("/p1");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, a.id);
  MustAppend(*store, e.id, MessagesWrite({UserText("executor work")}));
  EXPECT_EQ(store->LatestSession("/p1")->id, a.id);

  latest = store->LatestSession("/p2");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, b.id);

  Result<SessionInfo> none = store->LatestSession("/p1/sub");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("\"/p1/sub\""), std::string::npos);
}

TEST(SessionStore, ListSessionsNewestWriteFirst) {
  TestStore store;
  SessionInfo a = MustCreate(*store);
  SessionInfo b = MustCreate(*store);
  SessionInfo c = MustCreate(*store);
  ASSERT_TRUE(store->SetStatus(a.id, kStatusRunning, "").ok());

  Result<std::vector<SessionInfo>> all = store->ListSessions(10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a.id);
  EXPECT_EQ((*all)[1].id, c.id);
  EXPECT_EQ((*all)[2].id, b.id);

  Result<std::vector<SessionInfo>> two = store->ListSessions(2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].id, c.id);

  Result<std::vector<SessionInfo>> unbounded =
      store->ListSessions(static_cast<size_t>(-1));
  ASSERT_TRUE(unbounded.ok());
  EXPECT_EQ(unbounded->size(), 3u);
  EXPECT_EQ(store->ListSessions(0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SessionStore, ListExecutorSessionsOfRun) {
  TestStore store;
  SessionInfo main = MustCreate(*store);
  SessionInfo other = MustCreate(*store);
  NewSession executor = MainSession();
  executor.kind = "executor";
  executor.parent_session_id = main.id;
  SessionInfo first = MustCreate(*store, executor);
  SessionInfo second = MustCreate(*store, executor);
  executor.parent_session_id = other.id;
  MustCreate(*store, executor);

  Result<std::vector<SessionInfo>> executors =
      store->ListExecutorSessions(main.id);
  ASSERT_TRUE(executors.ok());
  ASSERT_EQ(executors->size(), 2u);
  EXPECT_EQ((*executors)[0].id, first.id);
  EXPECT_EQ((*executors)[1].id, second.id);
  EXPECT_EQ((*executors)[0].kind, "executor");
  EXPECT_EQ((*executors)[0].parent_session_id, main.id);
}

TEST(SessionStore, SetStatusValidatesAndStores) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  for (std::string_view status :
       {kStatusCreated, kStatusRunning, kStatusStopped, kStatusInterrupted,
        kStatusError}) {
    ASSERT_TRUE(store->SetStatus(session.id, status, "").ok()) << status;
    EXPECT_EQ(store->GetSession(session.id)->status, status);
  }
  ASSERT_TRUE(store->SetStatus(session.id, kStatusCompleted, "end_turn").ok());
  Result<SessionInfo> loaded = store->GetSession(session.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->status, "completed");
  EXPECT_EQ(loaded->stop_reason, "end_turn");

  Status bad = store->SetStatus(session.id, "finished", "");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("\"finished\""), std::string::npos);
  EXPECT_EQ(store->SetStatus("missing", kStatusError, "").code(),
            StatusCode::kNotFound);
}

TEST(SessionStore, FilesAreOwnerOnly) {
  testing::TempDir dir;
  std::string path = dir / "sessions.db";
  mode_t old_umask = umask(0);
  {
    Result<std::unique_ptr<SessionStore>> store = SessionStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->CreateSession(MainSession()).ok());
    EXPECT_EQ(FileMode(path), 0600u);
    EXPECT_EQ(FileMode(path + "-wal"), 0600u);
    EXPECT_EQ(FileMode(path + "-shm"), 0600u);
  }
  umask(old_umask);

  // A file that became readable by others is made private again.
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  Result<std::unique_ptr<SessionStore>> reopened = SessionStore::Open(path);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(FileMode(path), 0600u);
}

TEST(SessionStore, NewerSchemaVersionRejected) {
  TestStore store;
  store.Close();
  RawSql(store.path(), "PRAGMA user_version = " +
                           std::to_string(kSessionSchemaVersion + 1));
  Result<std::unique_ptr<SessionStore>> opened =
      SessionStore::Open(store.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(opened.status().message(),
            "session database \"" + store.path() + "\" has schema version " +
                std::to_string(kSessionSchemaVersion + 1) +
                ", newer than version " +
                std::to_string(kSessionSchemaVersion) +
                " that this build of boxagnts supports; upgrade boxagnts or "
                "use another workspace folder");
}

TEST(SessionStore, OpenSetsWalAndSchemaVersion) {
  TestStore store;
  store.Close();
  EXPECT_EQ(RawSql(store.path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawSql(store.path(), "PRAGMA user_version"),
            std::to_string(kSessionSchemaVersion));
}

TEST(SessionStore, OpenRejectsNonDatabaseFile) {
  testing::TempDir dir;
  std::string path = dir / "sessions.db";
  {
    std::ofstream out(path);
    out << std::string(4096, 'x');
  }
  Result<std::unique_ptr<SessionStore>> opened = SessionStore::Open(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(opened.status().message().find(path), std::string::npos);
}

TEST(SessionStore, OpenMissingFolderNamesPath) {
  Result<std::unique_ptr<SessionStore>> opened =
      SessionStore::Open("/nonexistent-boxagnts-dir/sessions.db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
  EXPECT_NE(opened.status().message().find(
                "\"/nonexistent-boxagnts-dir/sessions.db\""),
            std::string::npos);
}

TEST(SessionStore, CheckIntegrityFindsDamage) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  MustAppend(*store, session.id, MessagesWrite({UserText("hello")}));
  EXPECT_TRUE(store->CheckIntegrity().ok());

  // A message whose session is gone breaks a foreign key.
  store.Close();
  RawSql(store.path(), "PRAGMA foreign_keys = OFF; "
                       "UPDATE messages SET session_id = 'gone'");
  store.Reopen();
  Status damaged = store->CheckIntegrity();
  EXPECT_EQ(damaged.code(), StatusCode::kDataLoss);
  EXPECT_NE(damaged.message().find("table messages"), std::string::npos);
}

TEST(SessionStorePath, IsInWorkspaceFolder) {
  EXPECT_EQ(SessionStorePath("/home/u/.boxagnts"),
            "/home/u/.boxagnts/sessions.db");
}

}  // namespace
}  // namespace boxagnts::workspace
