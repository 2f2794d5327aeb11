// Context compaction: replaces the older part of a history by a summary
// written by a model, keeping the most recent turns verbatim.
//
// The cut is always placed just before an assistant message, so a
// tool_use and its tool_result (in the next user message)
// stay on the same side. The caller replaces its history only after a
// summary came back; a failed compaction changes nothing.
#ifndef BOXAGNTS_QUERY_COMPACTION_H_
#define BOXAGNTS_QUERY_COMPACTION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "providers/model_catalog.h"
#include "providers/provider.h"
#include "query/budget.h"
#include "query/observer.h"

namespace boxagnts::query {

struct CompactionConfig {
  bool enabled = true;
  // Compact before a call when the previous call used at least this
  // fraction of the model's context window (input, cache and output
  // tokens together).
  double threshold = 0.8;
  // Summarising model; empty means the session's model.
  std::string model_id;
  // Assistant turns kept verbatim after the summary.
  int keep_recent_turns = 2;
  // Automatic compaction stops for the session after this many failures
  // in a row.
  int max_failures = 3;
  int64_t max_summary_tokens = 8'192;
  // Maximum text of one block in the transcript given to the summariser.
  // The middle of a longer block is left out with a marker.
  size_t max_block_chars = 4'000;
};

// Returns the index of the first kept message: the start of the
// `keep_recent_turns`-th assistant message from the end, moved earlier
// never and later as needed so that at least one assistant message is
// summarised. Returns 0 when there is nothing to summarise.
size_t FindCompactionCut(const std::vector<providers::Message>& history,
                         int keep_recent_turns);

// Renders `messages` as a plain-text transcript for the summariser.
std::string RenderTranscript(const std::vector<providers::Message>& messages,
                             size_t max_block_chars);

// The user message that replaces the summarised part: the summary, then
// `reminder` (instructions that must survive, such as active skills).
providers::Message MakeSummaryMessage(const std::string& summary,
                                      const std::string& reminder);

struct CompactionResult {
  providers::Message summary;
  size_t kept_messages = 0;  // messages after the summary, from the end
  ModelCallInfo call;
};

struct CompactionRequest {
  const std::vector<providers::Message>* history = nullptr;
  providers::Provider* provider = nullptr;
  const providers::ModelInfo* model = nullptr;  // null: prices unknown
  BudgetPool* budget = nullptr;
  CompactionConfig config;
  std::string reminder;
  // Called with every summary call that returned usage, including one
  // whose reply was unusable, so its cost is never lost.
  std::function<void(const ModelCallInfo&)> on_call;
};

// Summarises the older part of the history through `provider`, charging
// `budget` (pre-flight applies). Errors: nothing to summarise, budget
// too small, the model call failed or returned no text, cancellation.
Result<CompactionResult> Compact(const CompactionRequest& request,
                                 const CancellationToken& cancel);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_COMPACTION_H_
