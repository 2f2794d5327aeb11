// Parsing of test server scripts (see test_server.h).

#include <set>

#include "providers/test_server.h"

namespace boxagnts::providers {
namespace {

Status Invalid(size_t index, const std::string& field,
               const std::string& problem) {
  return Status::InvalidArgument("script turn " + std::to_string(index) +
                                 ": \"" + field + "\" " + problem);
}

Status ReadInt(const Json& turn, size_t index, const char* field, int* out) {
  if (!turn.contains(field)) return Status::Ok();
  const Json& value = turn[field];
  if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
      value.get<int64_t>() > 1'000'000'000) {
    return Invalid(index, field, "must be a non-negative integer");
  }
  *out = value.get<int>();
  return Status::Ok();
}

Status ReadString(const Json& turn, size_t index, const char* field,
                  std::string* out) {
  if (!turn.contains(field)) return Status::Ok();
  if (!turn[field].is_string()) {
    return Invalid(index, field, "must be a string");
  }
  *out = turn[field].get<std::string>();
  return Status::Ok();
}

Status ReadUsage(const Json& turn, size_t index, Usage* usage) {
  if (!turn.contains("usage")) return Status::Ok();
  const Json& json = turn["usage"];
  if (!json.is_object()) return Invalid(index, "usage", "must be an object");
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    int64_t* target = nullptr;
    if (key == "input_tokens") target = &usage->input_tokens;
    if (key == "output_tokens") target = &usage->output_tokens;
    if (key == "cache_read_tokens") target = &usage->cache_read_tokens;
    if (key == "cache_write_tokens") target = &usage->cache_write_tokens;
    if (target == nullptr) {
      return Invalid(index, "usage." + it.key(),
                     "is unknown; use input_tokens, output_tokens, "
                     "cache_read_tokens or cache_write_tokens");
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return Invalid(index, "usage." + it.key(),
                     "must be a non-negative integer");
    }
    *target = it->get<int64_t>();
  }
  return Status::Ok();
}

Status ReadToolCalls(const Json& turn, size_t index, ScriptTurn* out) {
  if (!turn.contains("tool_calls")) return Status::Ok();
  const Json& calls = turn["tool_calls"];
  if (!calls.is_array()) {
    return Invalid(index, "tool_calls", "must be an array");
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    const Json& call = calls[i];
    std::string where = "tool_calls[" + std::to_string(i) + "]";
    if (!call.is_object() || !call.contains("name") ||
        !call["name"].is_string()) {
      return Invalid(index, where, "must be an object with a string \"name\"");
    }
    ScriptToolCall tool;
    tool.name = call["name"].get<std::string>();
    tool.id = call.value("id", "call_" + std::to_string(i));
    if (call.contains("arguments_raw")) {
      if (!call["arguments_raw"].is_string()) {
        return Invalid(index, where + ".arguments_raw", "must be a string");
      }
      tool.arguments = call["arguments_raw"].get<std::string>();
    } else {
      tool.arguments = call.value("arguments", Json::object()).dump();
    }
    out->tool_calls.push_back(std::move(tool));
  }
  return Status::Ok();
}

Status ParseTurn(const Json& json, size_t index, ScriptTurn* turn) {
  static const std::set<std::string> kFields = {
      "text", "thinking", "signature", "tool_calls", "usage", "stop_reason",
      "delta_chars", "chunk_bytes", "chunk_delay_ms", "interleave_tool_calls",
      "fault", "status", "retry_after", "message", "body", "after_events",
      "stall_ms", "error_type", "match"};
  static const std::set<std::string> kFaults = {
      "", "http_status", "disconnect", "stall", "malformed_json",
      "stream_error", "echo_credentials"};
  static const std::set<std::string> kStops = {
      "", "end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal"};
  if (!json.is_object()) {
    return Status::InvalidArgument("script turn " + std::to_string(index) +
                                   " must be a JSON object");
  }

  for (auto it = json.begin(); it != json.end(); ++it) {
    if (!kFields.count(it.key())) return Invalid(index, it.key(), "is unknown");
  }

  BOXAGNTS_RETURN_IF_ERROR(ReadString(json, index, "text", &turn->text));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadString(json, index, "thinking", &turn->thinking));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadString(json, index, "signature", &turn->signature));
  BOXAGNTS_RETURN_IF_ERROR(ReadToolCalls(json, index, turn));
  BOXAGNTS_RETURN_IF_ERROR(ReadUsage(json, index, &turn->usage));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadString(json, index, "stop_reason", &turn->stop_reason));
  if (!kStops.count(turn->stop_reason)) {
    return Invalid(index, "stop_reason",
                   "must be end_turn, tool_use, max_tokens, stop_sequence or "
                   "refusal");
  }

  BOXAGNTS_RETURN_IF_ERROR(
      ReadInt(json, index, "delta_chars", &turn->delta_chars));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadInt(json, index, "chunk_bytes", &turn->chunk_bytes));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadInt(json, index, "chunk_delay_ms", &turn->chunk_delay_ms));
  if (json.contains("interleave_tool_calls")) {
    if (!json["interleave_tool_calls"].is_boolean()) {
      return Invalid(index, "interleave_tool_calls", "must be true or false");
    }
    turn->interleave_tool_calls = json["interleave_tool_calls"].get<bool>();
  }

  BOXAGNTS_RETURN_IF_ERROR(ReadString(json, index, "fault", &turn->fault));
  if (!kFaults.count(turn->fault)) {
    return Invalid(index, "fault",
                   "must be http_status, disconnect, stall, malformed_json, "
                   "stream_error or echo_credentials");
  }
  BOXAGNTS_RETURN_IF_ERROR(ReadInt(json, index, "status", &turn->status));
  if (turn->status < 100 || turn->status > 599) {
    return Invalid(index, "status", "must be an HTTP status from 100 to 599");
  }
  BOXAGNTS_RETURN_IF_ERROR(
      ReadString(json, index, "retry_after", &turn->retry_after));
  BOXAGNTS_RETURN_IF_ERROR(ReadString(json, index, "message", &turn->message));
  BOXAGNTS_RETURN_IF_ERROR(ReadString(json, index, "match", &turn->match));
  BOXAGNTS_RETURN_IF_ERROR(ReadString(json, index, "body", &turn->body));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadInt(json, index, "after_events", &turn->after_events));
  BOXAGNTS_RETURN_IF_ERROR(ReadInt(json, index, "stall_ms", &turn->stall_ms));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadString(json, index, "error_type", &turn->error_type));
  return Status::Ok();
}

}  // namespace

Result<std::vector<ScriptTurn>> ParseTestScript(const Json& script) {
  if (!script.is_array()) {
    return Status::InvalidArgument("test server script must be a JSON array "
                                   "of turns");
  }
  std::vector<ScriptTurn> turns(script.size());
  for (size_t i = 0; i < script.size(); ++i) {
    BOXAGNTS_RETURN_IF_ERROR(ParseTurn(script[i], i, &turns[i]));
  }
  return turns;
}

}  // namespace boxagnts::providers
