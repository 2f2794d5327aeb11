#include "tools/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/files.h"
#include "testing/process.h"

namespace boxagnts::tools {
namespace {

std::chrono::system_clock::time_point AtMs(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

AuditEntry SampleEntry() {
  AuditEntry entry;
  entry.time = "2025-01-31T12:34:56.789Z";
  entry.session_id = "s1";
  entry.call_id = "c7";
  entry.tool = "Edit";
  entry.input_sha256 = InputDigest({{"file_path", "a.txt"}});
  entry.matched_rule = "Edit(src/**)";
  entry.rule_source = RuleSource::kWorkspace;
  entry.decision = Decision::kAllow;
  entry.decided_by = DecidedBy::kApprovalHandler;
  entry.approval_handler = "terminal";
  entry.reason = "allowed once at the terminal";
  return entry;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(FormatUtcTimestampMs, ExactValues) {
  EXPECT_EQ(FormatUtcTimestampMs(AtMs(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcTimestampMs(AtMs(1738326896789)),
            "2025-01-31T12:34:56.789Z");
  EXPECT_EQ(FormatUtcTimestampMs(AtMs(1738326896007)),
            "2025-01-31T12:34:56.007Z");
  EXPECT_EQ(FormatUtcTimestampMs(AtMs(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(InputDigest, IndependentOfKeyOrder) {
  Result<Json> first = ParseJson(R"({"b":1,"a":"x"})", "first");
  Result<Json> second = ParseJson(R"({ "a" : "x", "b" : 1 })", "second");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(InputDigest(*first), InputDigest(*second));
  EXPECT_EQ(InputDigest(*first), Sha256Hex(R"({"a":"x","b":1})"));
  EXPECT_NE(InputDigest(*first), InputDigest(Json{{"a", "x"}, {"b", 2}}));
}

TEST(AuditEntry, ToJsonHasEveryField) {
  Json json = SampleEntry().ToJson();
  Json expected = {
      {"time", "2025-01-31T12:34:56.789Z"},
      {"session_id", "s1"},
      {"call_id", "c7"},
      {"tool", "Edit"},
      {"input_sha256", Sha256Hex(R"({"file_path":"a.txt"})")},
      {"matched_rule", "Edit(src/**)"},
      {"rule_source", "workspace"},
      {"decision", "allow"},
      {"decided_by", "approval_handler"},
      {"approval_handler", "terminal"},
      {"reason", "allowed once at the terminal"},
  };
  EXPECT_EQ(json, expected);
}

TEST(JsonlAuditLog, AppendsOneLinePerEntry) {
  testing::TempDir dir;
  std::string path = dir / "audit.jsonl";
  {
    Result<std::unique_ptr<JsonlAuditLog>> log = JsonlAuditLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->Record(SampleEntry()).ok());
    AuditEntry second = SampleEntry();
    second.call_id = "c8";
    second.rule_source.reset();
    second.approval_handler = "";
    second.decision = Decision::kDeny;
    ASSERT_TRUE((*log)->Record(second).ok());
  }
  // Reopening appends instead of truncating.
  {
    Result<std::unique_ptr<JsonlAuditLog>> log = JsonlAuditLog::Open(path);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Record(SampleEntry()).ok());
  }

  std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(*ParseJson(lines[0], "line 1"), SampleEntry().ToJson());
  Json second = *ParseJson(lines[1], "line 2");
  EXPECT_EQ(second["call_id"], "c8");
  EXPECT_TRUE(second["rule_source"].is_null());
  EXPECT_TRUE(second["approval_handler"].is_null());
  EXPECT_EQ(second["decision"], "deny");
  EXPECT_EQ(lines[2], lines[0]);

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(JsonlAuditLog, OpenErrorNamesPath) {
  testing::TempDir dir;
  std::string path = dir / "missing/audit.jsonl";
  Result<std::unique_ptr<JsonlAuditLog>> log = JsonlAuditLog::Open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log.status().message(),
            "open audit log \"" + path + "\": No such file or directory");
}

TEST(MemoryAuditLog, KeepsEntriesInOrder) {
  MemoryAuditLog log;
  AuditEntry first = SampleEntry();
  AuditEntry second = SampleEntry();
  second.call_id = "c9";
  ASSERT_TRUE(log.Record(first).ok());
  ASSERT_TRUE(log.Record(second).ok());
  std::vector<AuditEntry> entries = log.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].call_id, "c7");
  EXPECT_EQ(entries[1].call_id, "c9");
}

}  // namespace
}  // namespace boxagnts::tools
