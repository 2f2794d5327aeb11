#include <gtest/gtest.h>

#include <climits>
#include <set>
#include <thread>

#include "workspace/session_store.h"
#include "workspace/session_store_test_support.h"

namespace boxagnts::workspace {
namespace {

ModelCallRecord TurnCall(std::optional<int64_t> cost_pico_usd,
                         std::optional<size_t> message_index = std::nullopt) {
  ModelCallRecord call;
  call.model = "anthropic/claude-test";
  call.message_index = message_index;
  call.input_tokens = 1200;
  call.output_tokens = 80;
  call.cost_pico_usd = cost_pico_usd;
  call.stop_reason = "tool_use";
  call.duration_ms = 950;
  return call;
}

TEST(AppendTurn, MessagesRoundTripExactly) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  Json tricky = {
      {"role", "assistant"},
      {"content",
       Json::array(
           {{{"type", "text"},
             {"text", "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n"}},
            {{"type", "tool_use"},
             {"id", "toolu_01"},
             {"name", "Read"},
             {"input",
              {{"path", "a/b.txt"},
               {"offset", 9007199254740993LL},
               {"ratio", 0.1},
               {"negative", -2.5e-300},
               {"empty", Json::array()},
               {"nothing", nullptr},
               {"flag", false}}}}})}};
  std::vector<Json> first = {UserText("read a/b.txt"), tricky};
  EXPECT_EQ(MustAppend(*store, session.id, MessagesWrite(first)),
            (std::vector<int64_t>{1, 2}));
  std::vector<Json> second = {UserText("tool result"), AssistantText("done")};
  EXPECT_EQ(MustAppend(*store, session.id, MessagesWrite(second)),
            (std::vector<int64_t>{3, 4}));

  std::vector<Json> all = first;
  all.insert(all.end(), second.begin(), second.end());
  Result<std::vector<StoredMessage>> stored =
      store->LoadAllMessages(session.id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 4u);
  for (size_t i = 0; i < stored->size(); ++i) {
    EXPECT_EQ((*stored)[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*stored)[i].message, all[i]) << "seq " << i + 1;
  }
  Result<std::vector<Json>> active = store->LoadActiveHistory(session.id);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, all);

  store.Reopen();
  active = store->LoadActiveHistory(session.id);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, all);
}

TEST(AppendTurn, RejectsInvalidInputWithoutWriting) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  MustAppend(*store, session.id, MessagesWrite({UserText("hello")}));

  auto expect_invalid = [&](const TurnWrite& write, const std::string& part) {
    Result<std::vector<int64_t>> result = store->AppendTurn(session.id, write);
    ASSERT_FALSE(result.ok()) << "expected an error mentioning " << part;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find(part), std::string::npos)
        << result.status().message();
  };
  expect_invalid(TurnWrite(), "turn write is empty");
  expect_invalid(MessagesWrite({{{"content", "no role"}}}),
                 "messages[0] has no string \"role\"");
  expect_invalid(MessagesWrite({UserText("ok"), {{"role", "system"}}}),
                 "messages[1] has role \"system\"");
  expect_invalid(MessagesWrite({Json::array()}), "messages[0] must be a JSON");
  expect_invalid(MessagesWrite({UserText("bad \xFF byte")}),
                 "messages[0] is not valid UTF-8");

  TurnWrite index_out_of_range = MessagesWrite({AssistantText("a")});
  index_out_of_range.model_calls.push_back(TurnCall(5, 1));
  expect_invalid(index_out_of_range, "model_calls[0].message_index is 1");
  TurnWrite index_to_user = MessagesWrite({UserText("u")});
  index_to_user.model_calls.push_back(TurnCall(5, 0));
  expect_invalid(index_to_user, "a user message");
  TurnWrite negative = MessagesWrite({AssistantText("a")});
  negative.model_calls.push_back(TurnCall(-1, 0));
  expect_invalid(negative, "model_calls[0].cost_pico_usd is -1");
  TurnWrite no_model = MessagesWrite({AssistantText("a")});
  no_model.model_calls.push_back(TurnCall(1));
  no_model.model_calls[0].model = "";
  expect_invalid(no_model, "model_calls[0].model is empty");
  TurnWrite bad_purpose;
  bad_purpose.model_calls.push_back(TurnCall(1));
  bad_purpose.model_calls[0].purpose = "Turn!";
  expect_invalid(bad_purpose, "model_calls[0].purpose \"Turn!\"");
  TurnWrite tool = MessagesWrite({UserText("u")});
  tool.tool_calls.push_back({"", "Read"});
  expect_invalid(tool, "tool_calls[0].call_id is empty");
  TurnWrite event;
  event.events.push_back({"", Json::object()});
  expect_invalid(event, "events[0].type is empty");

  Result<std::vector<int64_t>> unknown =
      store->AppendTurn("unknown-session", MessagesWrite({UserText("x")}));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  // Nothing of the rejected writes was stored.
  Result<std::vector<StoredMessage>> stored =
      store->LoadAllMessages(session.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(MustAppend(*store, session.id, MessagesWrite({UserText("next")})),
            (std::vector<int64_t>{2}));
}

TEST(AppendTurn, CostsAndTurnsSumExactly) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  // Values whose sum a double could not hold exactly.
  const int64_t kFirst = 4'503'599'627'370'497;  // 2^52 + 1
  const int64_t kSecond = 3'000'000'000'000'001;
  TurnWrite write = MessagesWrite({AssistantText("a"), UserText("result")});
  write.model_calls.push_back(TurnCall(kFirst, 0));
  ModelCallRecord recovery = TurnCall(kSecond);
  recovery.purpose = "recovery";
  write.model_calls.push_back(recovery);
  MustAppend(*store, session.id, write);

  TurnWrite unpriced = MessagesWrite({AssistantText("b")});
  unpriced.model_calls.push_back(TurnCall(std::nullopt, 0));
  MustAppend(*store, session.id, unpriced);

  CompactionWrite compaction;
  compaction.summary = UserText("summary");
  compaction.keep_last_messages = 1;
  compaction.model_call = TurnCall(7);
  compaction.model_call->purpose = "compaction";
  ASSERT_TRUE(store->RecordCompaction(session.id, compaction).ok());

  Result<SessionInfo> loaded = store->GetSession(session.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->total_cost_pico_usd, kFirst + kSecond + 7);
  EXPECT_EQ(loaded->num_turns, 2);  // "recovery" and "compaction" are not
  EXPECT_EQ(loaded->unpriced_model_calls, 1);
}

TEST(AppendTurn, CostOverflowRejected) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  TurnWrite big;
  big.model_calls.push_back(TurnCall(INT64_MAX - 10));
  MustAppend(*store, session.id, big);
  TurnWrite more;
  more.model_calls.push_back(TurnCall(11));
  Result<std::vector<int64_t>> result = store->AppendTurn(session.id, more);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("overflow"), std::string::npos);
  EXPECT_EQ(store->GetSession(session.id)->total_cost_pico_usd,
            INT64_MAX - 10);
}

TEST(AppendTurn, FourThreadsKeepSeqsContiguous) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  constexpr int kThreads = 4;
  constexpr int kTurnsEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &session, t] {
      for (int i = 0; i < kTurnsEach; ++i) {
        TurnWrite write;
        for (int part = 0; part < 2; ++part) {
          write.messages.push_back(
              {{"role", part == 0 ? "assistant" : "user"},
               {"thread", t},
               {"turn", i},
               {"part", part}});
        }
        write.model_calls.push_back(TurnCall(3, 0));
        Result<std::vector<int64_t>> seqs =
            store->AppendTurn(session.id, write);
        EXPECT_TRUE(seqs.ok()) << seqs.status().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  Result<std::vector<StoredMessage>> stored =
      store->LoadAllMessages(session.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), static_cast<size_t>(kThreads * kTurnsEach * 2));
  std::set<std::pair<int, int>> turns;
  for (size_t i = 0; i < stored->size(); i += 2) {
    const Json& first = (*stored)[i].message;
    const Json& second = (*stored)[i + 1].message;
    EXPECT_EQ((*stored)[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*stored)[i + 1].seq, static_cast<int64_t>(i + 2));
    // Both messages of a turn are adjacent.
    EXPECT_EQ(first["part"], 0);
    EXPECT_EQ(second["part"], 1);
    EXPECT_EQ(first["thread"], second["thread"]);
    EXPECT_EQ(first["turn"], second["turn"]);
    turns.insert({first["thread"].get<int>(), first["turn"].get<int>()});
  }
  EXPECT_EQ(turns.size(), static_cast<size_t>(kThreads * kTurnsEach));
  Result<SessionInfo> loaded = store->GetSession(session.id);
  EXPECT_EQ(loaded->num_turns, kThreads * kTurnsEach);
  EXPECT_EQ(loaded->total_cost_pico_usd, 3 * kThreads * kTurnsEach);
}

TEST(RecordCompaction, ActiveHistoryIsSummaryThenKept) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  std::vector<Json> messages;
  for (int i = 1; i <= 6; ++i) {
    messages.push_back(i % 2 == 1 ? UserText("u" + std::to_string(i))
                                  : AssistantText("a" + std::to_string(i)));
  }
  MustAppend(*store, session.id, MessagesWrite(messages));

  CompactionWrite first;
  first.summary = UserText("summary of 1-3");
  first.first_kept_seq = 4;
  first.tokens_before = 50000;
  ASSERT_TRUE(store->RecordCompaction(session.id, first).ok());
  Result<std::vector<Json>> active = store->LoadActiveHistory(session.id);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, (std::vector<Json>{first.summary, messages[3],
                                        messages[4], messages[5]}));

  // A later compaction replaces the summary; the kept count is taken from
  // the active history.
  CompactionWrite second;
  second.summary = UserText("summary of 1-5");
  second.keep_last_messages = 1;
  ASSERT_TRUE(store->RecordCompaction(session.id, second).ok());
  Result<ActiveHistory> history = store->LoadActive(session.id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->summary, second.summary);
  EXPECT_EQ(history->first_kept_seq, 6);
  ASSERT_EQ(history->messages.size(), 1u);
  EXPECT_EQ(history->messages[0].seq, 6);
  EXPECT_EQ(history->messages[0].message, messages[5]);

  // New messages join the active history; nothing old was deleted.
  MustAppend(*store, session.id, MessagesWrite({UserText("u7")}));
  active = store->LoadActiveHistory(session.id);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, (std::vector<Json>{second.summary, messages[5],
                                        UserText("u7")}));
  Result<std::vector<StoredMessage>> all = store->LoadAllMessages(session.id);
  ASSERT_TRUE(all.ok());
  messages.push_back(UserText("u7"));
  EXPECT_EQ(MessagesOf(*all), messages);
}

TEST(RecordCompaction, KeepNothingLeavesSummaryOnly) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  MustAppend(*store, session.id,
             MessagesWrite({UserText("u1"), AssistantText("a2")}));
  CompactionWrite compaction;
  compaction.summary = UserText("all of it");
  compaction.first_kept_seq = 3;
  ASSERT_TRUE(store->RecordCompaction(session.id, compaction).ok());
  Result<std::vector<Json>> active = store->LoadActiveHistory(session.id);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, std::vector<Json>{compaction.summary});
}

TEST(RecordCompaction, RejectsBadRange) {
  TestStore store;
  SessionInfo session = MustCreate(*store);
  MustAppend(*store, session.id,
             MessagesWrite({UserText("u1"), AssistantText("a2"),
                            UserText("u3"), AssistantText("a4")}));
  CompactionWrite valid;
  valid.summary = UserText("s");
  valid.first_kept_seq = 3;
  ASSERT_TRUE(store->RecordCompaction(session.id, valid).ok());

  auto expect_invalid = [&](const CompactionWrite& write,
                            const std::string& part) {
    Status status = store->RecordCompaction(session.id, write);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << part;
    EXPECT_NE(status.message().find(part), std::string::npos)
        << status.message();
  };
  CompactionWrite backwards = valid;
  backwards.first_kept_seq = 2;
  expect_invalid(backwards,
                 "first_kept_seq 2 is outside the active history; give a "
                 "seq from 3 to 5");
  CompactionWrite past_end = valid;
  past_end.first_kept_seq = 6;
  expect_invalid(past_end, "give a seq from 3 to 5");
  CompactionWrite both = valid;
  both.keep_last_messages = 1;
  expect_invalid(both, "exactly one of first_kept_seq and keep_last_messages");
  CompactionWrite neither = valid;
  neither.first_kept_seq.reset();
  expect_invalid(neither, "exactly one of");
  CompactionWrite too_many = neither;
  too_many.keep_last_messages = 3;
  expect_invalid(too_many, "the active history has only 2 messages");
  CompactionWrite no_role = valid;
  no_role.summary = {{"content", "x"}};
  expect_invalid(no_role, "compaction summary has no string \"role\"");
  CompactionWrite with_index = valid;
  with_index.model_call = TurnCall(1, 0);
  expect_invalid(with_index, "message_index must be unset");

  Result<ActiveHistory> history = store->LoadActive(session.id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->first_kept_seq, 3);
  EXPECT_EQ(store->RecordCompaction("missing", valid).code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace boxagnts::workspace
