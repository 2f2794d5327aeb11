// SessionStore::ExportJsonl: a session as JSON lines, in the format the
// header describes.

#include <algorithm>
#include <mutex>
#include <tuple>

#include "workspace/session_store.h"
#include "workspace/session_store_internal.h"

namespace boxagnts::workspace {

namespace {

struct ExportLine {
  int64_t write_number = 0;
  int kind_rank = 0;  // order of kinds within one write
  int64_t row = 0;    // order within one kind
  Json value;
};

// Converts one row of `query` (after its write_number and row order
// columns) to a line; returns an error for stored JSON that does not
// parse.
using RowReader = Result<Json> (*)(const sqlite::Statement& row,
                                   const std::string& what);

Result<Json> MessageLine(const sqlite::Statement& row,
                         const std::string& what) {
  Result<Json> message = internal::ParseStoredJson(
      row.Text(4), "message " + std::to_string(row.Int(2)) + " of " + what);
  if (!message.ok()) return message.status();
  return Json{{"type", "message"},       {"seq", row.Int(2)},
              {"role", row.Text(3)},     {"message", std::move(*message)},
              {"created_at", row.Text(5)}};
}

Result<Json> CompactionLine(const sqlite::Statement& row,
                            const std::string& what) {
  Result<Json> summary = internal::ParseStoredJson(
      row.Text(2), "compaction summary " + std::to_string(row.Int(1)) +
                       " of " + what);
  if (!summary.ok()) return summary.status();
  return Json{{"type", "compaction"},
              {"id", row.Int(1)},
              {"summary", std::move(*summary)},
              {"first_kept_seq", row.Int(3)},
              {"tokens_before", row.Int(4)},
              {"created_at", row.Text(5)}};
}

Json OptionalIntJson(const sqlite::Statement& row, int column) {
  std::optional<int64_t> value = row.OptionalInt(column);
  return value.has_value() ? Json(*value) : Json(nullptr);
}

Result<Json> ModelCallLine(const sqlite::Statement& row,
                           const std::string& what) {
  return Json{{"type", "model_call"},
              {"seq", OptionalIntJson(row, 2)},
              {"purpose", row.Text(3)},
              {"model", row.Text(4)},
              {"input_tokens", row.Int(5)},
              {"output_tokens", row.Int(6)},
              {"cache_read_tokens", row.Int(7)},
              {"cache_write_tokens", row.Int(8)},
              {"cost_pico_usd", OptionalIntJson(row, 9)},
              {"stop_reason", row.Text(10)},
              {"duration_ms", row.Int(11)},
              {"created_at", row.Text(12)}};
}

Result<Json> PermissionLine(const sqlite::Statement& row,
                            const std::string& what) {
  return Json{{"type", "permission"},       {"call_id", row.Text(2)},
              {"tool", row.Text(3)},        {"decision", row.Text(4)},
              {"rule", row.Text(5)},        {"decided_by", row.Text(6)},
              {"reason", row.Text(7)},      {"created_at", row.Text(8)}};
}

Result<Json> ToolCallLine(const sqlite::Statement& row,
                          const std::string& what) {
  Result<Json> input = internal::ParseStoredJson(
      row.Text(4), "input of tool call " + row.Text(2) + " of " + what);
  if (!input.ok()) return input.status();
  return Json{{"type", "tool_call"},
              {"call_id", row.Text(2)},
              {"tool", row.Text(3)},
              {"input", std::move(*input)},
              {"is_error", row.Int(5) != 0},
              {"result_bytes", row.Int(6)},
              {"duration_ms", row.Int(7)},
              {"created_at", row.Text(8)}};
}

Result<Json> EventLine(const sqlite::Statement& row, const std::string& what) {
  Result<Json> data = internal::ParseStoredJson(
      row.Text(4), "data of event " + std::to_string(row.Int(2)) + " of " +
                       what);
  if (!data.ok()) return data.status();
  return Json{{"type", "event"},         {"seq", row.Int(2)},
              {"event", row.Text(3)},    {"data", std::move(*data)},
              {"created_at", row.Text(5)}};
}

struct ExportQuery {
  const char* sql;  // columns: write_number, row order, then the reader's
  RowReader reader;
};

// In the order of kinds within one write.
const ExportQuery kExportQueries[] = {
    {"SELECT write_number, seq, seq, role, content, created_at "
     "FROM messages WHERE session_id = ?1",
     MessageLine},
    {"SELECT write_number, id, summary, first_kept_seq, tokens_before, "
     "created_at FROM compactions WHERE session_id = ?1",
     CompactionLine},
    {"SELECT write_number, id, seq, purpose, model, input_tokens, "
     "output_tokens, cache_read_tokens, cache_write_tokens, cost_pico_usd, "
     "stop_reason, duration_ms, created_at "
     "FROM model_calls WHERE session_id = ?1",
     ModelCallLine},
    {"SELECT write_number, id, call_id, tool, decision, rule, decided_by, "
     "reason, created_at FROM permission_decisions WHERE session_id = ?1",
     PermissionLine},
    {"SELECT write_number, id, call_id, tool, input, is_error, "
     "result_bytes, duration_ms, created_at "
     "FROM tool_calls WHERE session_id = ?1",
     ToolCallLine},
    {"SELECT write_number, seq, seq, type, data, created_at "
     "FROM events WHERE session_id = ?1",
     EventLine},
};

Json SessionLine(const SessionInfo& info) {
  return Json{{"type", "session"},
              {"id", info.id},
              {"parent_id", info.parent_id},
              {"forked_at_seq", info.forked_at_seq},
              {"created_at", info.created_at},
              {"updated_at", info.updated_at},
              {"model", info.model},
              {"work_dir", info.work_dir},
              {"title", info.title},
              {"status", info.status},
              {"stop_reason", info.stop_reason},
              {"num_turns", info.num_turns},
              {"total_cost_pico_usd", info.total_cost_pico_usd},
              {"unpriced_model_calls", info.unpriced_model_calls},
              {"kind", info.kind},
              {"parent_session_id", info.parent_session_id}};
}

Status CollectLines(sqlite::Database& db, std::string_view session_id,
                    std::vector<ExportLine>& lines) {
  std::string what = "session \"" + std::string(session_id) + "\"";
  for (int rank = 0; rank < static_cast<int>(std::size(kExportQueries));
       ++rank) {
    const ExportQuery& export_query = kExportQueries[rank];
    Result<sqlite::Statement> query = db.Prepare(export_query.sql);
    if (!query.ok()) return query.status();
    query->Bind(1, session_id);
    while (true) {
      Result<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Result<Json> value = export_query.reader(*query, what);
      if (!value.ok()) return value.status();
      lines.push_back(
          {query->Int(0), rank, query->Int(1), std::move(*value)});
    }
  }
  return Status::Ok();
}

std::string DumpLine(const Json& value) {
  // Stored text was checked to be valid UTF-8 when it was written; a
  // damaged byte becomes U+FFFD here instead of failing the export.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Status SessionStore::ExportJsonl(std::string_view session_id,
                                 std::ostream& out) {
  std::vector<ExportLine> lines;
  SessionInfo info;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Result<sqlite::Transaction> transaction =
        sqlite::Transaction::BeginRead(db_.get());
    if (!transaction.ok()) return transaction.status();
    Result<SessionInfo> session = internal::LoadSession(*db_, session_id);
    if (!session.ok()) return session.status();
    info = std::move(*session);
    BOXAGNTS_RETURN_IF_ERROR(CollectLines(*db_, session_id, lines));
  }
  std::sort(lines.begin(), lines.end(),
            [](const ExportLine& a, const ExportLine& b) {
              return std::tie(a.write_number, a.kind_rank, a.row) <
                     std::tie(b.write_number, b.kind_rank, b.row);
            });
  out << DumpLine(SessionLine(info)) << '\n';
  for (const ExportLine& line : lines) out << DumpLine(line.value) << '\n';
  out.flush();
  if (!out) {
    return Status::IoError("export of session \"" + std::string(session_id) +
                           "\": writing to the output stream failed");
  }
  return Status::Ok();
}

}  // namespace boxagnts::workspace
