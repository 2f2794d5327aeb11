// What a running query loop reports as it goes: streamed text, finished
// messages, tool activity and notices (retries, recoveries, compactions).
//
// The loop calls an observer from the thread that runs it, in order; tool
// results arrive in the order of the calls even when the tools ran in
// parallel. Methods must not throw. The default methods do nothing.
#ifndef BOXAGNTS_QUERY_OBSERVER_H_
#define BOXAGNTS_QUERY_OBSERVER_H_

#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "providers/message.h"

namespace boxagnts::query {

// Cost and timing of one model call.
struct ModelCallInfo {
  std::string model_id;  // "provider/model"
  std::string purpose;   // "turn" or "compaction"
  providers::Usage usage;
  // Picodollars; -1 when the model's prices are unknown.
  int64_t cost_pico_usd = -1;
  int64_t duration_ms = 0;
  std::string stop_reason;  // providers::StopReasonName
};

class QueryObserver {
 public:
  virtual ~QueryObserver() = default;
  virtual void OnTextDelta(std::string_view text) {}
  virtual void OnThinkingDelta(std::string_view text) {}
  // A model call finished and its reply joined the history.
  virtual void OnAssistantMessage(const providers::Message& message,
                                  const ModelCallInfo& call) {}
  // A tool call is about to run (after hooks, before permissions).
  virtual void OnToolStart(const providers::ToolUseBlock& call) {}
  virtual void OnToolResult(const providers::ToolUseBlock& call,
                            const providers::ToolResultBlock& result,
                            int64_t duration_ms) {}
  // A user-role message the loop added: the prompt, tool results, or a
  // recovery or hook message.
  virtual void OnUserMessage(const providers::Message& message) {}
  // Everything else worth showing or storing: `kind` is one of
  // "recovery", "retry", "fallback", "compaction", "compaction_failed",
  // "hook", "warning"; `data` contains the details, including "message".
  virtual void OnNotice(std::string_view kind, const Json& data) {}
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_OBSERVER_H_
