#include <gtest/gtest.h>

#include "workspace/session_store.h"
#include "workspace/session_store_test_support.h"

namespace boxagnts::workspace {
namespace {

// Six alternating messages u1, a2, u3, a4, u5, a6.
std::vector<Json> SixMessages() {
  std::vector<Json> messages;
  for (int i = 1; i <= 6; ++i) {
    messages.push_back(i % 2 == 1 ? UserText("u" + std::to_string(i))
                                  : AssistantText("a" + std::to_string(i)));
  }
  return messages;
}

std::vector<Json> Slice(const std::vector<Json>& messages, size_t from,
                        size_t to) {
  return std::vector<Json>(messages.begin() + from, messages.begin() + to);
}

TEST(Fork, CopiesHistoryAndIsIndependent) {
  TestStore store;
  SessionInfo parent = MustCreate(*store, MainSession("/p", "the prompt"));
  std::vector<Json> messages = Slice(SixMessages(), 0, 4);
  TurnWrite write = MessagesWrite(messages);
  ModelCallRecord call;
  call.model = "anthropic/claude-test";
  call.cost_pico_usd = 500;
  write.model_calls.push_back(call);
  MustAppend(*store, parent.id, write);

  Result<SessionInfo> child = store->Fork(parent.id, 0);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_NE(child->id, parent.id);
  EXPECT_EQ(child->parent_id, parent.id);
  EXPECT_EQ(child->forked_at_seq, 4);
  EXPECT_EQ(child->title, "the prompt");
  EXPECT_EQ(child->model, parent.model);
  EXPECT_EQ(child->work_dir, "/p");
  EXPECT_EQ(child->kind, "main");
  EXPECT_EQ(child->status, "created");
  EXPECT_EQ(child->num_turns, 0);
  EXPECT_EQ(child->total_cost_pico_usd, 0);

  Result<std::vector<StoredMessage>> copied =
      store->LoadAllMessages(child->id);
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(MessagesOf(*copied), messages);
  EXPECT_EQ(copied->back().seq, 4);

  // Writes to either side stay on that side.
  EXPECT_EQ(MustAppend(*store, child->id, MessagesWrite({UserText("child")})),
            (std::vector<int64_t>{5}));
  MustAppend(*store, parent.id,
             MessagesWrite({UserText("parent 1"), AssistantText("parent 2")}));
  Result<std::vector<Json>> child_history =
      store->LoadActiveHistory(child->id);
  ASSERT_TRUE(child_history.ok());
  std::vector<Json> expected_child = messages;
  expected_child.push_back(UserText("child"));
  EXPECT_EQ(*child_history, expected_child);
  Result<std::vector<Json>> parent_history =
      store->LoadActiveHistory(parent.id);
  ASSERT_TRUE(parent_history.ok());
  ASSERT_EQ(parent_history->size(), 6u);
  EXPECT_EQ((*parent_history)[4], UserText("parent 1"));
  EXPECT_EQ(store->GetSession(parent.id)->total_cost_pico_usd, 500);
}

TEST(Fork, AtSeqCopiesPrefixOnly) {
  TestStore store;
  SessionInfo parent = MustCreate(*store);
  std::vector<Json> messages = SixMessages();
  MustAppend(*store, parent.id, MessagesWrite(messages));
  Result<SessionInfo> child = store->Fork(parent.id, 2);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->forked_at_seq, 2);
  Result<std::vector<Json>> history = store->LoadActiveHistory(child->id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(*history, Slice(messages, 0, 2));
}

TEST(Fork, KeepsCompactionsWithinCopiedRange) {
  TestStore store;
  SessionInfo parent = MustCreate(*store);
  std::vector<Json> messages = SixMessages();
  MustAppend(*store, parent.id, MessagesWrite(messages));
  CompactionWrite compaction;
  compaction.summary = UserText("summary of 1-3");
  compaction.first_kept_seq = 4;
  ASSERT_TRUE(store->RecordCompaction(parent.id, compaction).ok());

  // Past the first kept seq: the child's active history is the parent's
  // cut at that seq.
  Result<SessionInfo> after = store->Fork(parent.id, 5);
  ASSERT_TRUE(after.ok());
  Result<std::vector<Json>> history = store->LoadActiveHistory(after->id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(*history, (std::vector<Json>{compaction.summary, messages[3],
                                         messages[4]}));
  Result<std::vector<StoredMessage>> all = store->LoadAllMessages(after->id);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(MessagesOf(*all), Slice(messages, 0, 5));

  // Right before the first kept seq: the summary alone.
  Result<SessionInfo> at_edge = store->Fork(parent.id, 3);
  ASSERT_TRUE(at_edge.ok());
  history = store->LoadActiveHistory(at_edge->id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(*history, std::vector<Json>{compaction.summary});

  // Before it: the summary covers messages the child does not have, so
  // the child gets the uncompacted messages back.
  Result<SessionInfo> before = store->Fork(parent.id, 2);
  ASSERT_TRUE(before.ok());
  history = store->LoadActiveHistory(before->id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(*history, Slice(messages, 0, 2));
}

TEST(Fork, RejectsBadSeq) {
  TestStore store;
  SessionInfo parent = MustCreate(*store);
  MustAppend(*store, parent.id, MessagesWrite(SixMessages()));
  Result<SessionInfo> negative = store->Fork(parent.id, -1);
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
  Result<SessionInfo> past_end = store->Fork(parent.id, 7);
  EXPECT_EQ(past_end.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(past_end.status().message().find(
                "seq 7 is past the last message 6; give a seq from 1 to 6"),
            std::string::npos)
      << past_end.status().message();
  EXPECT_EQ(store->Fork("missing", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->ListSessions(10)->size(), 1u);
}

TEST(Fork, EmptySessionGivesEmptyChild) {
  TestStore store;
  SessionInfo parent = MustCreate(*store);
  Result<SessionInfo> child = store->Fork(parent.id, 0);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->forked_at_seq, 0);
  EXPECT_EQ(child->parent_id, parent.id);
  EXPECT_TRUE(store->LoadAllMessages(child->id)->empty());
}

TEST(LoadActiveHistory, UnknownSessionNotFound) {
  TestStore store;
  EXPECT_EQ(store->LoadActiveHistory("missing").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->LoadAllMessages("missing").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace boxagnts::workspace
