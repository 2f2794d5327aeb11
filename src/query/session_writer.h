// Where the query loop keeps its history as it grows. The loop writes
// after each model call and after each tool round, so a process killed at
// any moment loses at most the step in progress.
#ifndef BOXAGNTS_QUERY_SESSION_WRITER_H_
#define BOXAGNTS_QUERY_SESSION_WRITER_H_

#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "providers/message.h"
#include "query/observer.h"
#include "tools/permission_gate.h"

namespace boxagnts::query {

struct ToolCallRecord {
  std::string call_id;  // the model's tool_use id
  std::string tool;
  Json input;
  bool is_error = false;
  int64_t result_bytes = 0;
  int64_t duration_ms = 0;
  // The whole call through the tool layer, and the sandbox run inside it
  // (0 for tools that do not use the sandbox), in microseconds.
  int64_t duration_us = 0;
  int64_t sandbox_us = 0;
  // Set when the call reached the permission step.
  std::optional<tools::PermissionOutcome> permission;
};

// One step of the loop, written as a whole or not at all.
struct StepWrite {
  std::vector<providers::Message> messages;  // appended to the history
  std::vector<ModelCallInfo> model_calls;
  std::vector<ToolCallRecord> tool_calls;
  std::vector<std::pair<std::string, Json>> events;  // (type, data)
};

class SessionWriter {
 public:
  virtual ~SessionWriter() = default;
  virtual Status WriteStep(const StepWrite& step) = 0;
  // The active history became `summary` followed by the last
  // `kept_messages` messages of the previous active history. Older
  // messages stay stored.
  virtual Status WriteCompaction(const providers::Message& summary,
                                 size_t kept_messages,
                                 int64_t tokens_before,
                                 const ModelCallInfo& call) = 0;
  // The loop ended; `stop_reason` as in QueryResult.
  virtual Status WriteStop(const std::string& stop_reason,
                           const std::string& status) = 0;
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_SESSION_WRITER_H_
