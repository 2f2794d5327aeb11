#include "query/store_writer.h"

#include "tools/permission_types.h"

namespace boxagnts::query {

workspace::ModelCallRecord ToModelCallRecord(const ModelCallInfo& call) {
  workspace::ModelCallRecord record;
  record.purpose = call.purpose;
  record.model = call.model_id;
  record.input_tokens = call.usage.input_tokens;
  record.output_tokens = call.usage.output_tokens;
  record.cache_read_tokens = call.usage.cache_read_tokens;
  record.cache_write_tokens = call.usage.cache_write_tokens;
  if (call.cost_pico_usd >= 0) record.cost_pico_usd = call.cost_pico_usd;
  record.stop_reason = call.stop_reason;
  record.duration_ms = call.duration_ms;
  return record;
}

Status StoreWriter::WriteStep(const StepWrite& step) {
  workspace::TurnWrite write;
  for (const providers::Message& message : step.messages) {
    write.messages.push_back(providers::MessageToJson(message));
  }
  for (const ModelCallInfo& call : step.model_calls) {
    workspace::ModelCallRecord record = ToModelCallRecord(call);
    // A turn call produced the assistant message written with it.
    if (call.purpose == "turn" && !step.messages.empty()) {
      record.message_index = 0;
    }
    write.model_calls.push_back(std::move(record));
  }
  for (const ToolCallRecord& call : step.tool_calls) {
    write.tool_calls.push_back({call.call_id, call.tool, call.input,
                                call.is_error, call.result_bytes,
                                call.duration_ms});
    if (call.permission) {
      const tools::PermissionOutcome& p = *call.permission;
      write.permissions.push_back(
          {call.call_id, call.tool, std::string(tools::DecisionName(p.decision)),
           p.check.MatchedRuleText(),
           std::string(tools::DecidedByName(p.decided_by)), p.reason});
    }
  }
  for (const auto& [type, data] : step.events) {
    write.events.push_back({type, data});
  }
  Result<std::vector<int64_t>> seqs = store_->AppendTurn(session_id_, write);
  return seqs.status();
}

Status StoreWriter::WriteCompaction(const providers::Message& summary,
                                    size_t kept_messages,
                                    int64_t tokens_before,
                                    const ModelCallInfo& call) {
  workspace::CompactionWrite write;
  write.summary = providers::MessageToJson(summary);
  write.keep_last_messages = kept_messages;
  write.tokens_before = tokens_before;
  write.model_call = ToModelCallRecord(call);
  return store_->RecordCompaction(session_id_, write);
}

Status StoreWriter::WriteStop(const std::string& stop_reason,
                              const std::string& status) {
  return store_->SetStatus(session_id_, status, stop_reason);
}

Result<std::vector<providers::Message>> MessagesFromStore(
    const std::vector<Json>& stored, const std::string& session_id) {
  std::vector<providers::Message> messages;
  messages.reserve(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    Result<providers::Message> message = providers::MessageFromJson(stored[i]);
    if (!message.ok()) {
      return message.status().WithPrefix("session " + session_id +
                                         ": message " + std::to_string(i));
    }
    messages.push_back(std::move(*message));
  }
  return messages;
}

}  // namespace boxagnts::query
