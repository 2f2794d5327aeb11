#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "workspace/session_store.h"
#include "workspace/session_store_test_support.h"

namespace boxagnts::workspace {
namespace {

const std::regex kTimestamp(
    "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

// Parses every line; checks and drops each "created_at" so that lines
// compare as whole values.
std::vector<Json> ParseLines(const std::string& text) {
  std::vector<Json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    Result<Json> value = ParseJson(line, "export line");
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    if (!value.ok()) continue;
    if (value->contains("created_at") && (*value)["type"] != "session") {
      EXPECT_TRUE(std::regex_match((*value)["created_at"].get<std::string>(),
                                   kTimestamp))
          << line;
      value->erase("created_at");
    }
    lines.push_back(std::move(*value));
  }
  return lines;
}

TEST(ExportJsonl, LinesParseAndMatchStore) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  TurnWrite first = MessagesWrite({UserText("u1"), AssistantText("a2")});
  ModelCallRecord call;
  call.model = "anthropic/claude-test";
  call.message_index = 1;
  call.input_tokens = 10;
  call.output_tokens = 20;
  call.cache_read_tokens = 30;
  call.cache_write_tokens = 40;
  call.cost_pico_usd = 100;
  call.stop_reason = "tool_use";
  call.duration_ms = 5;
  first.model_calls.push_back(call);
  first.permissions.push_back(
      {"c1", "Read", "allow", "Read(src/**)", "rule", "matched"});
  first.tool_calls.push_back({"c1", "Read", {{"path", "x"}}, true, 123, 6});
  first.events.push_back({"executor_start", {{"n", 1}}});
  MustAppend(*store, session.id, first);
  MustAppend(*store, session.id, MessagesWrite({UserText("u3")}));
  CompactionWrite compaction;
  compaction.summary = UserText("summary");
  compaction.first_kept_seq = 3;
  compaction.tokens_before = 999;
  compaction.model_call = call;
  compaction.model_call->purpose = "compaction";
  compaction.model_call->message_index.reset();
  compaction.model_call->cost_pico_usd.reset();
  ASSERT_TRUE(store->RecordCompaction(session.id, compaction).ok());
  ASSERT_TRUE(store->SetStatus(session.id, kStatusCompleted, "end_turn").ok());

  std::ostringstream out;
  ASSERT_TRUE(store->ExportJsonl(session.id, out).ok());
  std::vector<Json> lines = ParseLines(out.str());
  Result<SessionInfo> info = store->GetSession(session.id);
  ASSERT_TRUE(info.ok());

  Json header = {{"type", "session"},
                 {"id", info->id},
                 {"parent_id", ""},
                 {"forked_at_seq", 0},
                 {"created_at", info->created_at},
                 {"updated_at", info->updated_at},
                 {"model", "anthropic/claude-test"},
                 {"work_dir", "/work/project"},
                 {"title", "first prompt"},
                 {"status", "completed"},
                 {"stop_reason", "end_turn"},
                 {"num_turns", 1},
                 {"total_cost_pico_usd", 100},
                 {"unpriced_model_calls", 1},
                 {"kind", "main"},
                 {"parent_session_id", ""}};
  Json turn_call = {{"type", "model_call"},
                    {"seq", 2},
                    {"purpose", "turn"},
                    {"model", "anthropic/claude-test"},
                    {"input_tokens", 10},
                    {"output_tokens", 20},
                    {"cache_read_tokens", 30},
                    {"cache_write_tokens", 40},
                    {"cost_pico_usd", 100},
                    {"stop_reason", "tool_use"},
                    {"duration_ms", 5}};
  Json compaction_call = turn_call;
  compaction_call["seq"] = nullptr;
  compaction_call["purpose"] = "compaction";
  compaction_call["cost_pico_usd"] = nullptr;
  std::vector<Json> expected = {
      header,
      {{"type", "message"}, {"seq", 1}, {"role", "user"},
       {"message", UserText("u1")}},
      {{"type", "message"}, {"seq", 2}, {"role", "assistant"},
       {"message", AssistantText("a2")}},
      turn_call,
      {{"type", "permission"}, {"call_id", "c1"}, {"tool", "Read"},
       {"decision", "allow"}, {"rule", "Read(src/**)"},
       {"decided_by", "rule"}, {"reason", "matched"}},
      {{"type", "tool_call"}, {"call_id", "c1"}, {"tool", "Read"},
       {"input", {{"path", "x"}}}, {"is_error", true},
       {"result_bytes", 123}, {"duration_ms", 6}},
      {{"type", "event"}, {"seq", 1}, {"event", "executor_start"},
       {"data", {{"n", 1}}}},
      {{"type", "message"}, {"seq", 3}, {"role", "user"},
       {"message", UserText("u3")}},
      {{"type", "compaction"}, {"id", 1}, {"summary", UserText("summary")},
       {"first_kept_seq", 3}, {"tokens_before", 999}},
      compaction_call,
  };
  ASSERT_EQ(lines.size(), expected.size()) << out.str();
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i], expected[i]) << "line " << i;
  }
}

TEST(ExportJsonl, ForkChildStartsWithCopies) {
  TestStore store;
  SessionInfo parent = MustCreate(*store);
  MustAppend(*store, parent.id,
             MessagesWrite({UserText("u1"), AssistantText("a2")}));
  Result<SessionInfo> child = store->Fork(parent.id, 1);
  ASSERT_TRUE(child.ok());
  MustAppend(*store, child->id, MessagesWrite({AssistantText("other")}));
  std::ostringstream out;
  ASSERT_TRUE(store->ExportJsonl(child->id, out).ok());
  std::vector<Json> lines = ParseLines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["parent_id"], parent.id);
  EXPECT_EQ(lines[0]["forked_at_seq"], 1);
  EXPECT_EQ(lines[1]["message"], UserText("u1"));
  EXPECT_EQ(lines[2]["seq"], 2);
  EXPECT_EQ(lines[2]["message"], AssistantText("other"));
}

TEST(ExportJsonl, UnknownSessionNotFound) {
  TestStore store;
  std::ostringstream out;
  EXPECT_EQ(store->ExportJsonl("missing", out).code(), StatusCode::kNotFound);
  EXPECT_EQ(out.str(), "");
}

TEST(ExportJsonl, FailedStreamIsIoError) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(store->ExportJsonl(session.id, out).code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace boxagnts::workspace
