// One tool round: the tool calls of one assistant reply, run through the
// hooks and the tool layer, with results in the order of the calls.
//
// Consecutive calls of concurrency-safe tools run in parallel, at most
// `max_parallel` at once; any other call runs alone, after the calls
// before it finished. Every call gets exactly one result: malformed
// arguments, unknown tools, hook blocks, permission denials and
// cancellation all become error results the model can read.
#ifndef BOXAGNTS_QUERY_TOOL_ROUND_H_
#define BOXAGNTS_QUERY_TOOL_ROUND_H_

#include <string>
#include <vector>

#include "core/cancellation.h"
#include "providers/message.h"
#include "query/observer.h"
#include "query/session_writer.h"
#include "tools/registry.h"
#include "tools/tool_executor.h"

namespace boxagnts::query {

class HookRunner;
class PathLocks;

struct ToolRoundRequest {
  std::vector<const providers::ToolUseBlock*> calls;
  const tools::ToolRegistry* registry = nullptr;
  tools::ToolExecutor* executor = nullptr;
  const tools::ToolContext* context = nullptr;  // call_id set per call
  HookRunner* hooks = nullptr;                  // may be null
  QueryObserver* observer = nullptr;            // may be null
  int max_parallel = 8;
  // Shared by agents that write in one work dir; may be null.
  PathLocks* path_locks = nullptr;
  // When set, every call gets this error as its result and nothing runs
  // (a reply cut by the token limit).
  std::string reject_all_reason;
};

struct ToolRoundResult {
  // The user message with one tool_result per call, in call order,
  // followed by any text hooks added.
  providers::Message message;
  std::vector<ToolCallRecord> records;  // one per call, in call order
  int executed = 0;                     // calls that ran
};

ToolRoundResult RunToolRound(const ToolRoundRequest& request,
                             const CancellationToken& cancel);

// Error text for a call whose arguments were not a JSON object.
std::string MalformedArgumentsMessage(const providers::ToolUseBlock& call);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_TOOL_ROUND_H_
