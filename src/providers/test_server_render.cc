#include "providers/test_server_render.h"

#include <algorithm>

namespace boxagnts::providers {
namespace {

std::string Event(const std::string& name, const Json& data) {
  std::string out;
  if (!name.empty()) out = "event: " + name + "\n";
  return out + "data: " + data.dump() + "\n\n";
}

std::string StopReasonOf(const ScriptTurn& turn) {
  if (!turn.stop_reason.empty()) return turn.stop_reason;
  return turn.tool_calls.empty() ? "end_turn" : "tool_use";
}

std::vector<std::string> Pieces(const std::string& text, int chars) {
  return SplitUtf8(text, chars);
}

std::vector<std::string> RenderAnthropic(const ScriptTurn& turn,
                                         const std::string& model) {
  std::vector<std::string> events;
  const Usage& u = turn.usage;
  events.push_back(Event(
      "message_start",
      {{"type", "message_start"},
       {"message",
        {{"id", "msg_test"}, {"type", "message"}, {"role", "assistant"},
         {"model", model}, {"content", Json::array()},
         {"stop_reason", nullptr}, {"stop_sequence", nullptr},
         {"usage",
          {{"input_tokens", u.input_tokens}, {"output_tokens", 1},
           {"cache_read_input_tokens", u.cache_read_tokens},
           {"cache_creation_input_tokens", u.cache_write_tokens}}}}}}));
  events.push_back(Event("ping", {{"type", "ping"}}));

  int index = 0;
  auto block = [&](const Json& start, const std::vector<Json>& deltas) {
    events.push_back(Event("content_block_start",
                           {{"type", "content_block_start"},
                            {"index", index},
                            {"content_block", start}}));
    for (const Json& delta : deltas) {
      events.push_back(Event("content_block_delta",
                             {{"type", "content_block_delta"},
                              {"index", index},
                              {"delta", delta}}));
    }
    events.push_back(Event("content_block_stop",
                           {{"type", "content_block_stop"}, {"index", index}}));
    ++index;
  };
  if (!turn.thinking.empty() || !turn.signature.empty()) {
    std::vector<Json> deltas;
    for (const std::string& piece : Pieces(turn.thinking, turn.delta_chars)) {
      deltas.push_back({{"type", "thinking_delta"}, {"thinking", piece}});
    }
    if (!turn.signature.empty()) {
      deltas.push_back({{"type", "signature_delta"},
                        {"signature", turn.signature}});
    }
    block({{"type", "thinking"}, {"thinking", ""}}, deltas);
  }
  if (!turn.text.empty()) {
    std::vector<Json> deltas;
    for (const std::string& piece : Pieces(turn.text, turn.delta_chars)) {
      deltas.push_back({{"type", "text_delta"}, {"text", piece}});
    }
    block({{"type", "text"}, {"text", ""}}, deltas);
  }
  for (const ScriptToolCall& call : turn.tool_calls) {
    std::vector<Json> deltas;
    for (const std::string& piece : Pieces(call.arguments, turn.delta_chars)) {
      deltas.push_back({{"type", "input_json_delta"}, {"partial_json", piece}});
    }
    block({{"type", "tool_use"}, {"id", call.id}, {"name", call.name},
           {"input", Json::object()}},
          deltas);
  }
  events.push_back(Event(
      "message_delta",
      {{"type", "message_delta"},
       {"delta",
        {{"stop_reason", StopReasonOf(turn)}, {"stop_sequence", nullptr}}},
       {"usage", {{"output_tokens", u.output_tokens}}}}));
  events.push_back(Event("message_stop", {{"type", "message_stop"}}));
  return events;
}

Json OpenAiUsage(const Usage& u) {
  int64_t prompt = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens;
  return {{"prompt_tokens", prompt},
          {"completion_tokens", u.output_tokens},
          {"total_tokens", prompt + u.output_tokens},
          {"prompt_tokens_details", {{"cached_tokens", u.cache_read_tokens}}}};
}

std::string ChatFinishReason(const std::string& stop) {
  if (stop == "tool_use") return "tool_calls";
  if (stop == "max_tokens") return "length";
  if (stop == "refusal") return "content_filter";
  return "stop";
}

std::vector<std::string> RenderOpenAiChat(const ScriptTurn& turn,
                                          const std::string& model,
                                          bool include_usage) {
  std::vector<std::string> events;
  auto chunk = [&](const Json& delta, const Json& finish) {
    Json data = {{"id", "chatcmpl-test"},
                 {"object", "chat.completion.chunk"},
                 {"created", 1700000000},
                 {"model", model},
                 {"choices", Json::array({{{"index", 0},
                                           {"delta", delta},
                                           {"finish_reason", finish}}})}};
    return data;
  };
  events.push_back(Event("", chunk({{"role", "assistant"}, {"content", ""}},
                                   nullptr)));
  for (const std::string& piece : Pieces(turn.thinking, turn.delta_chars)) {
    events.push_back(Event("", chunk({{"reasoning_content", piece}}, nullptr)));
  }
  for (const std::string& piece : Pieces(turn.text, turn.delta_chars)) {
    events.push_back(Event("", chunk({{"content", piece}}, nullptr)));
  }

  // Each call opens with its id and name; argument pieces follow, either
  // call after call or alternating between calls.
  std::vector<std::vector<std::string>> pieces;
  for (size_t i = 0; i < turn.tool_calls.size(); ++i) {
    const ScriptToolCall& call = turn.tool_calls[i];
    pieces.push_back(Pieces(call.arguments, turn.delta_chars));
    Json header = {{"index", i}, {"id", call.id}, {"type", "function"},
                   {"function", {{"name", call.name}, {"arguments", ""}}}};
    auto argument = [&](size_t call_index, const std::string& piece) {
      return Event("", chunk({{"tool_calls",
                               {{{"index", call_index},
                                 {"function", {{"arguments", piece}}}}}}},
                             nullptr));
    };
    events.push_back(Event("", chunk({{"tool_calls", {header}}}, nullptr)));
    if (!turn.interleave_tool_calls) {
      for (const std::string& piece : pieces[i]) {
        events.push_back(argument(i, piece));
      }
    }
    if (turn.interleave_tool_calls && i + 1 == turn.tool_calls.size()) {
      for (size_t step = 0;; ++step) {
        bool any = false;
        for (size_t c = 0; c < pieces.size(); ++c) {
          if (step < pieces[c].size()) {
            events.push_back(argument(c, pieces[c][step]));
            any = true;
          }
        }
        if (!any) break;
      }
    }
  }

  Json finish = chunk(Json::object(), ChatFinishReason(StopReasonOf(turn)));
  if (!include_usage) finish["usage"] = OpenAiUsage(turn.usage);
  events.push_back(Event("", finish));
  if (include_usage) {
    events.push_back(Event("", {{"id", "chatcmpl-test"},
                                {"object", "chat.completion.chunk"},
                                {"created", 1700000000},
                                {"model", model},
                                {"choices", Json::array()},
                                {"usage", OpenAiUsage(turn.usage)}}));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::vector<std::string> RenderOpenAiResponses(const ScriptTurn& turn,
                                               const std::string& model) {
  std::vector<std::string> events;
  int sequence = 0;
  auto event = [&](const std::string& type, Json data) {
    data["type"] = type;
    data["sequence_number"] = sequence++;
    events.push_back(Event(type, data));
  };
  event("response.created",
        {{"response", {{"id", "resp_test"}, {"object", "response"},
                       {"status", "in_progress"}, {"model", model},
                       {"output", Json::array()}}}});
  int out = 0;
  if (!turn.thinking.empty() || !turn.signature.empty()) {
    std::string id = "rs_test_" + std::to_string(out);
    event("response.output_item.added",
          {{"output_index", out},
           {"item", {{"type", "reasoning"}, {"id", id},
                     {"summary", Json::array()}}}});
    for (const std::string& piece : Pieces(turn.thinking, turn.delta_chars)) {
      event("response.reasoning_summary_text.delta",
            {{"item_id", id}, {"output_index", out}, {"summary_index", 0},
             {"delta", piece}});
    }
    Json item = {{"type", "reasoning"}, {"id", id},
                 {"summary", {{{"type", "summary_text"},
                               {"text", turn.thinking}}}}};
    if (!turn.signature.empty()) item["encrypted_content"] = turn.signature;
    event("response.output_item.done", {{"output_index", out}, {"item", item}});
    ++out;
  }
  if (!turn.text.empty()) {
    std::string id = "msg_test_" + std::to_string(out);
    event("response.output_item.added",
          {{"output_index", out},
           {"item", {{"type", "message"}, {"id", id}, {"role", "assistant"},
                     {"status", "in_progress"}, {"content", Json::array()}}}});
    for (const std::string& piece : Pieces(turn.text, turn.delta_chars)) {
      event("response.output_text.delta",
            {{"item_id", id}, {"output_index", out}, {"content_index", 0},
             {"delta", piece}});
    }
    event("response.output_text.done",
          {{"item_id", id}, {"output_index", out}, {"content_index", 0},
           {"text", turn.text}});
    event("response.output_item.done",
          {{"output_index", out},
           {"item", {{"type", "message"}, {"id", id}, {"role", "assistant"},
                     {"status", "completed"},
                     {"content", {{{"type", "output_text"},
                                   {"text", turn.text}}}}}}});
    ++out;
  }
  for (const ScriptToolCall& call : turn.tool_calls) {
    std::string id = "fc_test_" + std::to_string(out);
    Json item = {{"type", "function_call"}, {"id", id}, {"call_id", call.id},
                 {"name", call.name}, {"arguments", ""}};
    event("response.output_item.added",
          {{"output_index", out}, {"item", item}});
    for (const std::string& piece : Pieces(call.arguments, turn.delta_chars)) {
      event("response.function_call_arguments.delta",
            {{"item_id", id}, {"output_index", out}, {"delta", piece}});
    }
    event("response.function_call_arguments.done",
          {{"item_id", id}, {"output_index", out},
           {"arguments", call.arguments}});
    item["arguments"] = call.arguments;
    event("response.output_item.done", {{"output_index", out}, {"item", item}});
    ++out;
  }

  const Usage& u = turn.usage;
  Json response = {
      {"id", "resp_test"}, {"object", "response"}, {"model", model},
      {"status", "completed"},
      {"usage",
       {{"input_tokens", u.input_tokens + u.cache_read_tokens},
        {"input_tokens_details", {{"cached_tokens", u.cache_read_tokens}}},
        {"output_tokens", u.output_tokens},
        {"output_tokens_details", {{"reasoning_tokens", 0}}},
        {"total_tokens",
         u.input_tokens + u.cache_read_tokens + u.output_tokens}}}};
  std::string stop = StopReasonOf(turn);
  std::string final_event = "response.completed";
  if (stop == "max_tokens" || stop == "refusal") {
    response["status"] = "incomplete";
    response["incomplete_details"] = {
        {"reason", stop == "refusal" ? "content_filter" : "max_output_tokens"}};
    final_event = "response.incomplete";
  }
  event(final_event, {{"response", response}});
  return events;
}

std::string GeminiEvent(const std::string& data) {
  return "data: " + data + "\r\n\r\n";
}

std::string GeminiChunk(const Json& parts, const std::string& model) {
  return GeminiEvent(
      Json({{"candidates",
             {{{"content", {{"role", "model"}, {"parts", parts}}},
               {"index", 0}}}},
            {"modelVersion", model}})
          .dump());
}

std::vector<std::string> RenderGemini(const ScriptTurn& turn,
                                      const std::string& model) {
  std::vector<std::string> events;
  for (const std::string& piece : Pieces(turn.thinking, turn.delta_chars)) {
    events.push_back(GeminiChunk(
        Json::array({Json{{"text", piece}, {"thought", true}}}), model));
  }
  // The thought signature rides on the first part after the thoughts.
  std::string signature = turn.signature;
  auto sign = [&](Json part) {
    if (!signature.empty()) part["thoughtSignature"] = signature;
    signature.clear();
    return part;
  };
  for (const std::string& piece : Pieces(turn.text, turn.delta_chars)) {
    events.push_back(
        GeminiChunk(Json::array({sign({{"text", piece}})}), model));
  }
  for (const ScriptToolCall& call : turn.tool_calls) {
    Result<Json> args = ParseJson(call.arguments, "arguments");
    if (args.ok()) {
      events.push_back(GeminiChunk(
          Json::array({sign(
              {{"functionCall", {{"name", call.name}, {"args", *args}}}})}),
          model));
    } else {
      // Broken arguments make the whole chunk invalid JSON, as a broken
      // server would send it.
      events.push_back(GeminiEvent(
          R"({"candidates":[{"content":{"role":"model","parts":[)"
          R"({"functionCall":{"name":")" + call.name + R"(","args":)" +
          call.arguments + "}}]}}]}"));
    }
  }
  std::string stop = StopReasonOf(turn);
  std::string finish = stop == "max_tokens" ? "MAX_TOKENS"
                       : stop == "refusal"  ? "SAFETY"
                                            : "STOP";
  const Usage& u = turn.usage;
  Json usage = {{"promptTokenCount", u.input_tokens + u.cache_read_tokens},
                {"candidatesTokenCount", u.output_tokens},
                {"totalTokenCount",
                 u.input_tokens + u.cache_read_tokens + u.output_tokens}};
  if (u.cache_read_tokens > 0) {
    usage["cachedContentTokenCount"] = u.cache_read_tokens;
  }
  Json last_part = sign({{"text", ""}});
  events.push_back(GeminiEvent(
      Json({{"candidates",
             {{{"content",
                {{"role", "model"}, {"parts", Json::array({last_part})}}},
               {"finishReason", finish},
               {"index", 0}}}},
            {"usageMetadata", usage},
            {"modelVersion", model}})
          .dump()));
  return events;
}

}  // namespace

std::vector<std::string> SplitUtf8(const std::string& text, int chars) {
  if (text.empty()) return {};
  if (chars <= 0) return {text};
  std::vector<std::string> pieces;
  std::string current;
  int count = 0;
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    current.append(text, i, std::min(length, text.size() - i));
    i += length;
    if (++count == chars) {
      pieces.push_back(std::move(current));
      current.clear();
      count = 0;
    }
  }
  if (!current.empty()) pieces.push_back(std::move(current));
  return pieces;
}

std::vector<std::string> RenderTurnEvents(const ScriptTurn& turn,
                                          Protocol format,
                                          const std::string& model,
                                          bool include_usage) {
  switch (format) {
    case Protocol::kAnthropic:
      return RenderAnthropic(turn, model);
    case Protocol::kOpenAiChat:
      return RenderOpenAiChat(turn, model, include_usage);
    case Protocol::kOpenAiResponses:
      return RenderOpenAiResponses(turn, model);
    case Protocol::kGemini:
      return RenderGemini(turn, model);
  }
  return {};
}

std::string RenderStreamError(const ScriptTurn& turn, Protocol format) {
  const std::string message = "test server stream error";
  switch (format) {
    case Protocol::kAnthropic:
      return Event("error", {{"type", "error"},
                             {"error", {{"type", turn.error_type},
                                        {"message", message}}}});
    case Protocol::kOpenAiChat:
      return Event("", {{"error", {{"type", turn.error_type},
                                   {"message", message}}}});
    case Protocol::kOpenAiResponses:
      return Event("error", {{"type", "error"}, {"code", turn.error_type},
                             {"message", message}});
    case Protocol::kGemini:
      return GeminiEvent(Json({{"error", {{"code", 503},
                                          {"status", turn.error_type},
                                          {"message", message}}}})
                             .dump());
  }
  return "";
}

std::string RenderMalformedEvent(Protocol format) {
  if (format == Protocol::kAnthropic) {
    return "event: content_block_delta\ndata: {\"type\": \"content_block_"
           "delta\", \"index\": 0, \"delta\": {\"type\": \"text_de\n\n";
  }
  return "data: {\"choices\": [{\"delta\": {\"content\": \"trunc\n\n";
}

std::string RenderErrorBody(int status, const std::string& message,
                            Protocol format) {
  std::string type = status == 429   ? "rate_limit_error"
                     : status == 529 ? "overloaded_error"
                     : status == 401 ? "authentication_error"
                     : status >= 500 ? "api_error"
                                     : "invalid_request_error";
  switch (format) {
    case Protocol::kAnthropic:
      return Json({{"type", "error"},
                   {"error", {{"type", type}, {"message", message}}}})
          .dump();
    case Protocol::kGemini: {
      std::string code = status == 429   ? "RESOURCE_EXHAUSTED"
                         : status == 401 ? "UNAUTHENTICATED"
                         : status >= 500 ? "UNAVAILABLE"
                                         : "INVALID_ARGUMENT";
      return Json({{"error", {{"code", status}, {"message", message},
                              {"status", code}}}})
          .dump();
    }
    default:
      return Json({{"error", {{"message", message}, {"type", type},
                              {"code", nullptr}}}})
          .dump();
  }
}

}  // namespace boxagnts::providers
