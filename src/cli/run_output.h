// The output of `boxagnts run`: text, one JSON object, or a stream of
// JSON events.
#ifndef BOXAGNTS_CLI_RUN_OUTPUT_H_
#define BOXAGNTS_CLI_RUN_OUTPUT_H_

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "query/observer.h"
#include "query/query_loop.h"

namespace boxagnts::cli {

enum class OutputFormat { kText, kJson, kStreamJson };

// Parses "text", "json" or "stream-json"; the error names the value.
Result<OutputFormat> ParseOutputFormat(std::string_view text);

// Exit codes of `boxagnts run`, by stop reason.
inline constexpr int kExitError = 1;
inline constexpr int kExitMaxTurns = 3;
inline constexpr int kExitBudget = 4;
inline constexpr int kExitCancelled = 130;
int ExitCodeFor(const query::QueryResult& result);

// The JSON object printed at the end: result, session_id, num_turns,
// total_cost_usd (null when a price is unknown), usage, stop_reason,
// is_error, duration_ms.
Json ResultJson(const query::QueryResult& result, const std::string& session_id,
                int64_t duration_ms);

// Shows the events of a run in `format`. Text mode writes the model's
// text to `out` and tool activity and notices to `err`; stream-json
// writes one JSON object per line to `out`; json writes nothing until
// PrintResult.
class RunPrinter : public query::QueryObserver {
 public:
  RunPrinter(OutputFormat format, std::FILE* out, std::FILE* err)
      : format_(format), out_(out), err_(err) {}

  void OnTextDelta(std::string_view text) override;
  void OnAssistantMessage(const providers::Message& message,
                          const query::ModelCallInfo& call) override;
  void OnToolStart(const providers::ToolUseBlock& call) override;
  void OnToolResult(const providers::ToolUseBlock& call,
                    const providers::ToolResultBlock& result,
                    int64_t duration_ms) override;
  void OnUserMessage(const providers::Message& message) override;
  void OnNotice(std::string_view kind, const Json& data) override;

  // Prints the end of the run: the result object (json, stream-json) or
  // a summary line on `err` (text).
  void PrintResult(const query::QueryResult& result,
                   const std::string& session_id, int64_t duration_ms);

 private:
  void Line(const Json& event);
  void EndTextLine();

  const OutputFormat format_;
  std::FILE* const out_;
  std::FILE* const err_;
  std::string session_id_;
  bool text_open_ = false;  // text printed without a final newline
};

}  // namespace boxagnts::cli

#endif  // BOXAGNTS_CLI_RUN_OUTPUT_H_
