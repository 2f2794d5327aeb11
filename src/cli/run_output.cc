#include "cli/run_output.h"

#include "providers/model_catalog.h"

namespace boxagnts::cli {

namespace {

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string FirstLine(const std::string& text, size_t max_chars) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max_chars) line = line.substr(0, max_chars - 3) + "...";
  return line;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "text") return OutputFormat::kText;
  if (text == "json") return OutputFormat::kJson;
  if (text == "stream-json") return OutputFormat::kStreamJson;
  return Status::InvalidArgument("--output-format \"" + std::string(text) +
                                 "\" is not one of text, json, stream-json");
}

int ExitCodeFor(const query::QueryResult& result) {
  switch (result.stop) {
    case query::StopKind::kEndTurn: return 0;
    case query::StopKind::kMaxTurns: return kExitMaxTurns;
    case query::StopKind::kBudget: return kExitBudget;
    case query::StopKind::kCancelled: return kExitCancelled;
    case query::StopKind::kError: return kExitError;
  }
  return kExitError;
}

Json ResultJson(const query::QueryResult& result, const std::string& session_id,
                int64_t duration_ms) {
  Json cost = nullptr;
  if (result.cost_known) cost = double(result.cost_pico_usd) / 1e12;
  return {{"type", "result"},
          {"result", result.result},
          {"session_id", session_id},
          {"num_turns", result.num_turns},
          {"total_cost_usd", cost},
          {"usage", providers::UsageToJson(result.usage)},
          {"stop_reason", query::StopKindName(result.stop)},
          {"is_error", result.is_error},
          {"duration_ms", duration_ms}};
}

void RunPrinter::Line(const Json& event) {
  std::fprintf(out_, "%s\n", Dump(event).c_str());
  std::fflush(out_);
}

void RunPrinter::EndTextLine() {
  if (text_open_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    text_open_ = false;
  }
}

void RunPrinter::OnTextDelta(std::string_view text) {
  if (format_ != OutputFormat::kText || text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
  text_open_ = text.back() != '\n';
}

void RunPrinter::OnAssistantMessage(const providers::Message& message,
                                    const query::ModelCallInfo& call) {
  if (format_ == OutputFormat::kText) {
    EndTextLine();
    return;
  }
  if (format_ != OutputFormat::kStreamJson) return;
  Json cost = nullptr;
  if (call.cost_pico_usd >= 0) cost = double(call.cost_pico_usd) / 1e12;
  Line({{"type", "assistant"},
        {"session_id", session_id_},
        {"message", providers::MessageToJson(message)},
        {"model", call.model_id},
        {"usage", providers::UsageToJson(call.usage)},
        {"cost_usd", cost},
        {"stop_reason", call.stop_reason},
        {"duration_ms", call.duration_ms}});
}

void RunPrinter::OnToolStart(const providers::ToolUseBlock& call) {
  if (format_ == OutputFormat::kStreamJson) {
    Line({{"type", "tool_start"},
          {"session_id", session_id_},
          {"tool_use_id", call.id},
          {"name", call.name},
          {"input", call.input}});
  } else if (format_ == OutputFormat::kText) {
    EndTextLine();
    std::fprintf(err_, "[tool] %s %s\n", call.name.c_str(),
                 FirstLine(Dump(call.input), 160).c_str());
  }
}

void RunPrinter::OnToolResult(const providers::ToolUseBlock& call,
                              const providers::ToolResultBlock& result,
                              int64_t duration_ms) {
  if (format_ == OutputFormat::kStreamJson) {
    Line({{"type", "tool_result"},
          {"session_id", session_id_},
          {"tool_use_id", call.id},
          {"name", call.name},
          {"is_error", result.is_error},
          {"duration_ms", duration_ms}});
  } else if (format_ == OutputFormat::kText) {
    std::string text = result.Text();
    if (result.is_error) {
      std::fprintf(err_, "[tool] %s error: %s\n", call.name.c_str(),
                   FirstLine(text, 200).c_str());
    } else {
      std::fprintf(err_, "[tool] %s ok: %zu bytes, %lld ms\n",
                   call.name.c_str(), text.size(),
                   static_cast<long long>(duration_ms));
    }
  }
}

void RunPrinter::OnUserMessage(const providers::Message& message) {
  if (format_ != OutputFormat::kStreamJson) return;
  Line({{"type", "user"},
        {"session_id", session_id_},
        {"message", providers::MessageToJson(message)}});
}

void RunPrinter::OnNotice(std::string_view kind, const Json& data) {
  if (kind == "init") session_id_ = data.value("session_id", "");
  if (format_ == OutputFormat::kStreamJson) {
    Json event = data;
    event["type"] = "system";
    event["subtype"] = kind;
    event["session_id"] = session_id_;
    Line(event);
  } else if (format_ == OutputFormat::kText && kind != "init") {
    EndTextLine();
    std::fprintf(err_, "[%.*s] %s\n", int(kind.size()), kind.data(),
                 data.value("message", "").c_str());
  }
}

void RunPrinter::PrintResult(const query::QueryResult& result,
                             const std::string& session_id,
                             int64_t duration_ms) {
  if (format_ != OutputFormat::kText) {
    Line(ResultJson(result, session_id, duration_ms));
    return;
  }
  EndTextLine();
  std::string cost = result.cost_known
                         ? providers::FormatUsd(result.cost_pico_usd)
                         : "unknown (model prices not in the catalogue)";
  if (result.is_error) {
    std::fprintf(err_, "boxagnts run: %s\n", result.result.c_str());
  }
  std::fprintf(err_, "[done] %s, %d model call(s), cost %s, session %s\n",
               std::string(query::StopKindName(result.stop)).c_str(),
               result.num_turns, cost.c_str(), session_id.c_str());
}

}  // namespace boxagnts::cli
