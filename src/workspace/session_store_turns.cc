// SessionStore writes of turns and compactions: input checks, then one
// transaction per write.

#include <mutex>

#include "core/log.h"
#include "core/utf8.h"
#include "workspace/session_store.h"
#include "workspace/session_store_internal.h"

namespace boxagnts::workspace {

namespace {

struct PreparedMessage {
  std::string role;
  std::string content;  // JSON text
};

// A write checked and serialised before the transaction starts.
struct PreparedTurn {
  std::vector<PreparedMessage> messages;
  std::vector<std::string> tool_inputs;  // JSON text per tool call
  std::vector<std::string> event_data;   // JSON text per event
  int64_t turns = 0;                     // model calls of purpose "turn"
  int64_t cost_pico_usd = 0;             // known costs, summed
  int64_t unpriced_calls = 0;            // model calls without a cost
};

std::string Field(std::string_view list, size_t index, std::string_view name) {
  return std::string(list) + "[" + std::to_string(index) + "]." +
         std::string(name);
}

Status CheckText(std::string_view value, const std::string& what,
                 bool required) {
  if (required && value.empty()) {
    return Status::InvalidArgument(what + " is empty; set it");
  }
  if (FindInvalidUtf8(value) != std::string_view::npos) {
    return Status::InvalidArgument(what + " is not valid UTF-8");
  }
  return Status::Ok();
}

Status CheckCount(int64_t value, const std::string& what) {
  if (value >= 0) return Status::Ok();
  return Status::InvalidArgument(what + " is " + std::to_string(value) +
                                 "; it must not be negative");
}

Status CheckPurpose(std::string_view purpose, const std::string& what) {
  bool valid = !purpose.empty();
  for (char c : purpose) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_');
  }
  if (valid) return Status::Ok();
  return Status::InvalidArgument(
      what + " \"" + std::string(purpose) +
      "\" is invalid; use a lower-case word such as \"turn\" or "
      "\"compaction\"");
}

// Checks one model call and adds its turn and cost to `totals`.
// `messages` are the write's messages, for message_index.
Status CheckModelCall(const ModelCallRecord& call, std::string_view list,
                      size_t index,
                      const std::vector<PreparedMessage>& messages,
                      PreparedTurn& totals) {
  BOXAGNTS_RETURN_IF_ERROR(
      CheckPurpose(call.purpose, Field(list, index, "purpose")));
  BOXAGNTS_RETURN_IF_ERROR(
      CheckText(call.model, Field(list, index, "model"), true));
  BOXAGNTS_RETURN_IF_ERROR(
      CheckText(call.stop_reason, Field(list, index, "stop_reason"), false));
  const std::pair<int64_t, const char*> counts[] = {
      {call.input_tokens, "input_tokens"},
      {call.output_tokens, "output_tokens"},
      {call.cache_read_tokens, "cache_read_tokens"},
      {call.cache_write_tokens, "cache_write_tokens"},
      {call.cost_pico_usd.value_or(0), "cost_pico_usd"},
      {call.duration_ms, "duration_ms"}};
  for (const auto& [value, name] : counts) {
    BOXAGNTS_RETURN_IF_ERROR(CheckCount(value, Field(list, index, name)));
  }
  if (call.message_index.has_value()) {
    size_t target = *call.message_index;
    std::string what = Field(list, index, "message_index");
    if (target >= messages.size()) {
      return Status::InvalidArgument(
          what + " is " + std::to_string(target) + " but the write has " +
          std::to_string(messages.size()) + " messages");
    }
    if (messages[target].role != "assistant") {
      return Status::InvalidArgument(
          what + " points at message " + std::to_string(target) +
          ", a user message; it must name the assistant message the call "
          "produced");
    }
  }
  if (call.purpose == "turn") ++totals.turns;
  if (!call.cost_pico_usd.has_value()) {
    ++totals.unpriced_calls;
  } else if (__builtin_add_overflow(totals.cost_pico_usd, *call.cost_pico_usd,
                                    &totals.cost_pico_usd)) {
    return Status::InvalidArgument(Field(list, index, "cost_pico_usd") +
                                   " overflows the write's total cost");
  }
  return Status::Ok();
}

Result<PreparedTurn> PrepareTurn(const TurnWrite& write) {
  PreparedTurn turn;
  if (write.messages.empty() && write.model_calls.empty() &&
      write.tool_calls.empty() && write.permissions.empty() &&
      write.events.empty()) {
    return Status::InvalidArgument(
        "turn write is empty; give at least one message or record");
  }
  for (size_t i = 0; i < write.messages.size(); ++i) {
    std::string what = "messages[" + std::to_string(i) + "]";
    Result<std::string> role = internal::MessageRole(write.messages[i], what);
    if (!role.ok()) return role.status();
    Result<std::string> content = internal::DumpJson(write.messages[i], what);
    if (!content.ok()) return content.status();
    turn.messages.push_back({std::move(*role), std::move(*content)});
  }
  for (size_t i = 0; i < write.model_calls.size(); ++i) {
    BOXAGNTS_RETURN_IF_ERROR(CheckModelCall(
        write.model_calls[i], "model_calls", i, turn.messages, turn));
  }
  for (size_t i = 0; i < write.tool_calls.size(); ++i) {
    const ToolCallRecord& call = write.tool_calls[i];
    BOXAGNTS_RETURN_IF_ERROR(
        CheckText(call.call_id, Field("tool_calls", i, "call_id"), true));
    BOXAGNTS_RETURN_IF_ERROR(
        CheckText(call.tool, Field("tool_calls", i, "tool"), true));
    BOXAGNTS_RETURN_IF_ERROR(CheckCount(
        call.result_bytes, Field("tool_calls", i, "result_bytes")));
    BOXAGNTS_RETURN_IF_ERROR(
        CheckCount(call.duration_ms, Field("tool_calls", i, "duration_ms")));
    Result<std::string> input =
        internal::DumpJson(call.input, Field("tool_calls", i, "input"));
    if (!input.ok()) return input.status();
    turn.tool_inputs.push_back(std::move(*input));
  }
  for (size_t i = 0; i < write.permissions.size(); ++i) {
    const PermissionRecord& record = write.permissions[i];
    const std::pair<std::string_view, const char*> fields[] = {
        {record.call_id, "call_id"},   {record.tool, "tool"},
        {record.decision, "decision"}, {record.decided_by, "decided_by"}};
    for (const auto& [value, name] : fields) {
      BOXAGNTS_RETURN_IF_ERROR(
          CheckText(value, Field("permissions", i, name), true));
    }
    BOXAGNTS_RETURN_IF_ERROR(
        CheckText(record.rule, Field("permissions", i, "rule"), false));
    BOXAGNTS_RETURN_IF_ERROR(
        CheckText(record.reason, Field("permissions", i, "reason"), false));
  }
  for (size_t i = 0; i < write.events.size(); ++i) {
    const EventRecord& event = write.events[i];
    BOXAGNTS_RETURN_IF_ERROR(
        CheckText(event.type, Field("events", i, "type"), true));
    Result<std::string> data =
        internal::DumpJson(event.data, Field("events", i, "data"));
    if (!data.ok()) return data.status();
    turn.event_data.push_back(std::move(*data));
  }
  return turn;
}

// The session, timestamp and write number shared by every row of a write.
struct WriteContext {
  std::string_view session_id;
  std::string created_at;
  int64_t write_number = 0;
};

Status InsertModelCall(sqlite::Database& db, const WriteContext& context,
                       const ModelCallRecord& call,
                       std::optional<int64_t> seq) {
  Result<sqlite::Statement> insert = db.Prepare(
      "INSERT INTO model_calls (session_id, seq, purpose, model, "
      "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
      "cost_pico_usd, stop_reason, duration_ms, created_at, write_number) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, context.session_id)
      .Bind(2, seq)
      .Bind(3, call.purpose)
      .Bind(4, call.model)
      .Bind(5, call.input_tokens)
      .Bind(6, call.output_tokens)
      .Bind(7, call.cache_read_tokens)
      .Bind(8, call.cache_write_tokens)
      .Bind(9, call.cost_pico_usd)
      .Bind(10, call.stop_reason)
      .Bind(11, call.duration_ms)
      .Bind(12, context.created_at)
      .Bind(13, context.write_number);
  return insert->Run();
}

Result<std::vector<int64_t>> InsertMessages(
    sqlite::Database& db, const WriteContext& context,
    const std::vector<PreparedMessage>& messages) {
  Result<int64_t> last_seq = internal::MaxMessageSeq(db, context.session_id);
  if (!last_seq.ok()) return last_seq.status();
  std::vector<int64_t> seqs;
  for (const PreparedMessage& message : messages) {
    int64_t seq = *last_seq + 1 + static_cast<int64_t>(seqs.size());
    Result<sqlite::Statement> insert = db.Prepare(
        "INSERT INTO messages (session_id, seq, role, content, created_at, "
        "write_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, context.session_id)
        .Bind(2, seq)
        .Bind(3, message.role)
        .Bind(4, message.content)
        .Bind(5, context.created_at)
        .Bind(6, context.write_number);
    BOXAGNTS_RETURN_IF_ERROR(insert->Run());
    seqs.push_back(seq);
  }
  return seqs;
}

Status InsertPermission(sqlite::Database& db, const WriteContext& context,
                        const PermissionRecord& record) {
  Result<sqlite::Statement> insert = db.Prepare(
      "INSERT INTO permission_decisions (session_id, call_id, tool, "
      "decision, rule, decided_by, reason, created_at, write_number) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, context.session_id)
      .Bind(2, record.call_id)
      .Bind(3, record.tool)
      .Bind(4, record.decision)
      .Bind(5, record.rule)
      .Bind(6, record.decided_by)
      .Bind(7, record.reason)
      .Bind(8, context.created_at)
      .Bind(9, context.write_number);
  return insert->Run();
}

Status InsertToolCall(sqlite::Database& db, const WriteContext& context,
                      const ToolCallRecord& call, const std::string& input) {
  Result<sqlite::Statement> insert = db.Prepare(
      "INSERT INTO tool_calls (session_id, call_id, tool, input, is_error, "
      "result_bytes, duration_ms, created_at, write_number) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, context.session_id)
      .Bind(2, call.call_id)
      .Bind(3, call.tool)
      .Bind(4, input)
      .Bind(5, int64_t{call.is_error ? 1 : 0})
      .Bind(6, call.result_bytes)
      .Bind(7, call.duration_ms)
      .Bind(8, context.created_at)
      .Bind(9, context.write_number);
  return insert->Run();
}

Status InsertEvents(sqlite::Database& db, const WriteContext& context,
                    const std::vector<EventRecord>& events,
                    const std::vector<std::string>& data) {
  if (events.empty()) return Status::Ok();
  Result<sqlite::Statement> last = db.Prepare(
      "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?1");
  if (!last.ok()) return last.status();
  last->Bind(1, context.session_id);
  Result<bool> row = last->Step();
  if (!row.ok()) return row.status();
  int64_t last_seq = last->Int(0);
  for (size_t i = 0; i < events.size(); ++i) {
    Result<sqlite::Statement> insert = db.Prepare(
        "INSERT INTO events (session_id, seq, type, data, created_at, "
        "write_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, context.session_id)
        .Bind(2, last_seq + 1 + static_cast<int64_t>(i))
        .Bind(3, events[i].type)
        .Bind(4, data[i])
        .Bind(5, context.created_at)
        .Bind(6, context.write_number);
    BOXAGNTS_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

// Adds the write's turns and costs to the session and marks it written.
Status UpdateSessionTotals(sqlite::Database& db, const WriteContext& context,
                           const SessionInfo& session,
                           const PreparedTurn& totals) {
  int64_t total_cost = 0;
  if (__builtin_add_overflow(session.total_cost_pico_usd,
                             totals.cost_pico_usd, &total_cost)) {
    return Status::InvalidArgument(
        "total cost of session \"" + session.id +
        "\" would overflow 64-bit picodollars; check the costs given");
  }
  Result<sqlite::Statement> update = db.Prepare(
      "UPDATE sessions SET num_turns = num_turns + ?2, "
      "total_cost_pico_usd = ?3, "
      "unpriced_model_calls = unpriced_model_calls + ?4, "
      "updated_at = ?5, last_write_number = ?6 WHERE id = ?1");
  if (!update.ok()) return update.status();
  update->Bind(1, context.session_id)
      .Bind(2, totals.turns)
      .Bind(3, total_cost)
      .Bind(4, totals.unpriced_calls)
      .Bind(5, context.created_at)
      .Bind(6, context.write_number);
  return update->Run();
}

// Begins a write to `session_id`: loads the session and numbers the write.
Result<WriteContext> StartWrite(sqlite::Database& db,
                                std::string_view session_id,
                                SessionInfo& session) {
  Result<SessionInfo> loaded = internal::LoadSession(db, session_id);
  if (!loaded.ok()) return loaded.status();
  session = std::move(*loaded);
  Result<int64_t> write_number = internal::NextWriteNumber(db);
  if (!write_number.ok()) return write_number.status();
  return WriteContext{session_id, internal::NowUtcTimestampMs(),
                      *write_number};
}

// Returns the first kept seq of the latest compaction, 1 without one.
Result<int64_t> CurrentFirstKeptSeq(sqlite::Database& db,
                                    std::string_view session_id) {
  Result<sqlite::Statement> query = db.Prepare(
      "SELECT first_kept_seq FROM compactions WHERE session_id = ?1 "
      "ORDER BY id DESC LIMIT 1");
  if (!query.ok()) return query.status();
  query->Bind(1, session_id);
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return *row ? query->Int(0) : int64_t{1};
}

// Resolves the write's first kept seq against the stored history.
Result<int64_t> ResolveFirstKeptSeq(const CompactionWrite& write,
                                    int64_t current_first_kept,
                                    int64_t last_seq) {
  int64_t active_count = last_seq + 1 - current_first_kept;
  if (write.keep_last_messages.has_value()) {
    if (*write.keep_last_messages > static_cast<size_t>(active_count)) {
      return Status::InvalidArgument(
          "compaction keep_last_messages is " +
          std::to_string(*write.keep_last_messages) +
          " but the active history has only " +
          std::to_string(active_count) + " messages");
    }
    return last_seq + 1 - static_cast<int64_t>(*write.keep_last_messages);
  }
  int64_t first_kept = *write.first_kept_seq;
  if (first_kept < current_first_kept || first_kept > last_seq + 1) {
    return Status::InvalidArgument(
        "compaction first_kept_seq " + std::to_string(first_kept) +
        " is outside the active history; give a seq from " +
        std::to_string(current_first_kept) + " to " +
        std::to_string(last_seq + 1));
  }
  return first_kept;
}

}  // namespace

Result<std::vector<int64_t>> SessionStore::AppendTurn(
    std::string_view session_id, const TurnWrite& write) {
  Result<PreparedTurn> prepared = PrepareTurn(write);
  if (!prepared.ok()) {
    return prepared.status().WithPrefix("session \"" +
                                        std::string(session_id) + "\"");
  }

  std::lock_guard<std::mutex> lock(mu_);
  sqlite::Database& db = *db_;
  Result<sqlite::Transaction> transaction = sqlite::Transaction::Begin(&db);
  if (!transaction.ok()) return transaction.status();
  SessionInfo session;
  Result<WriteContext> context = StartWrite(db, session_id, session);
  if (!context.ok()) return context.status();

  Result<std::vector<int64_t>> seqs =
      InsertMessages(db, *context, prepared->messages);
  if (!seqs.ok()) return seqs.status();
  for (const ModelCallRecord& call : write.model_calls) {
    std::optional<int64_t> seq;
    if (call.message_index.has_value()) seq = (*seqs)[*call.message_index];
    BOXAGNTS_RETURN_IF_ERROR(InsertModelCall(db, *context, call, seq));
  }
  for (const PermissionRecord& record : write.permissions) {
    BOXAGNTS_RETURN_IF_ERROR(InsertPermission(db, *context, record));
  }
  for (size_t i = 0; i < write.tool_calls.size(); ++i) {
    BOXAGNTS_RETURN_IF_ERROR(InsertToolCall(db, *context, write.tool_calls[i],
                                            prepared->tool_inputs[i]));
  }
  BOXAGNTS_RETURN_IF_ERROR(
      InsertEvents(db, *context, write.events, prepared->event_data));
  BOXAGNTS_RETURN_IF_ERROR(
      UpdateSessionTotals(db, *context, session, *prepared));
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::debug("session store: appended session_id={} messages={} "
                "model_calls={} tool_calls={} events={}",
                session_id, seqs->size(), write.model_calls.size(),
                write.tool_calls.size(), write.events.size());
  return seqs;
}

Status SessionStore::RecordCompaction(std::string_view session_id,
                                      const CompactionWrite& write) {
  std::string prefix = "session \"" + std::string(session_id) + "\"";
  if (write.first_kept_seq.has_value() ==
      write.keep_last_messages.has_value()) {
    return Status::InvalidArgument(
        prefix + ": compaction needs exactly one of first_kept_seq and "
                 "keep_last_messages");
  }
  Result<std::string> role =
      internal::MessageRole(write.summary, "compaction summary");
  if (!role.ok()) return role.status().WithPrefix(prefix);
  Result<std::string> summary =
      internal::DumpJson(write.summary, "compaction summary");
  if (!summary.ok()) return summary.status().WithPrefix(prefix);
  Status count = CheckCount(write.tokens_before, "compaction tokens_before");
  if (!count.ok()) return count.WithPrefix(prefix);
  PreparedTurn totals;
  if (write.model_call.has_value()) {
    if (write.model_call->message_index.has_value()) {
      return Status::InvalidArgument(
          prefix + ": compaction model_call.message_index must be unset; "
                   "the summary is not a stored message");
    }
    Status call = CheckModelCall(*write.model_call, "compaction model_call",
                                 0, {}, totals);
    if (!call.ok()) return call.WithPrefix(prefix);
  }

  std::lock_guard<std::mutex> lock(mu_);
  sqlite::Database& db = *db_;
  Result<sqlite::Transaction> transaction = sqlite::Transaction::Begin(&db);
  if (!transaction.ok()) return transaction.status();
  SessionInfo session;
  Result<WriteContext> context = StartWrite(db, session_id, session);
  if (!context.ok()) return context.status();
  Result<int64_t> last_seq = internal::MaxMessageSeq(db, session_id);
  if (!last_seq.ok()) return last_seq.status();
  Result<int64_t> current_first_kept = CurrentFirstKeptSeq(db, session_id);
  if (!current_first_kept.ok()) return current_first_kept.status();
  Result<int64_t> first_kept =
      ResolveFirstKeptSeq(write, *current_first_kept, *last_seq);
  if (!first_kept.ok()) return first_kept.status().WithPrefix(prefix);

  Result<sqlite::Statement> insert = db.Prepare(
      "INSERT INTO compactions (session_id, summary, first_kept_seq, "
      "tokens_before, created_at, write_number) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, session_id)
      .Bind(2, *summary)
      .Bind(3, *first_kept)
      .Bind(4, write.tokens_before)
      .Bind(5, context->created_at)
      .Bind(6, context->write_number);
  BOXAGNTS_RETURN_IF_ERROR(insert->Run());
  if (write.model_call.has_value()) {
    BOXAGNTS_RETURN_IF_ERROR(
        InsertModelCall(db, *context, *write.model_call, std::nullopt));
  }
  BOXAGNTS_RETURN_IF_ERROR(UpdateSessionTotals(db, *context, session, totals));
  BOXAGNTS_RETURN_IF_ERROR(transaction->Commit());
  spdlog::info("session store: compacted session_id={} first_kept_seq={} "
               "tokens_before={}",
               session_id, *first_kept, write.tokens_before);
  return Status::Ok();
}

}  // namespace boxagnts::workspace
