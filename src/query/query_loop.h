// The agent loop: one provider-agnostic loop that calls a model, runs the
// tools it requests through the tool layer, and keeps every limit.
//
// Each turn sends the history and the tool definitions, streams the
// reply, appends it, runs the requested tools and appends their results,
// until the model ends its turn or a limit stops the run:
// - max_turns counts every model call of the conversation (recovery and
//   stall retries included; compaction summaries are not turns);
// - the budget pool rejects any call whose worst case could cross its cap,
//   so the cap is never overshot;
// - cancellation reaches the stream, the running tools and compaction;
// - recoveries are bounded: output cut by the token limit (at most
//   max_recovery_attempts in a row, reset by a successful tool round), a
//   stalled stream (max_stall_retries), a context overflow (compact and
//   retry once), an overloaded model (switch once to the fallback).
#ifndef BOXAGNTS_QUERY_QUERY_LOOP_H_
#define BOXAGNTS_QUERY_QUERY_LOOP_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "providers/model_catalog.h"
#include "providers/provider.h"
#include "query/budget.h"
#include "query/compaction.h"
#include "query/observer.h"
#include "query/session_writer.h"
#include "tools/registry.h"
#include "tools/tool_executor.h"

namespace boxagnts::query {

class HookRunner;
class PathLocks;

// The reason a run ended. The names are part of the JSON output.
enum class StopKind { kEndTurn, kMaxTurns, kBudget, kCancelled, kError };
// "end_turn", "max_turns", "budget", "cancelled", "error".
std::string_view StopKindName(StopKind kind);

struct QueryConfig {
  std::string model_id;           // "provider/model"
  std::string fallback_model_id;  // used once when the model is overloaded
  int max_turns = 100;
  // Output tokens per call; 0 means the model's own maximum, capped at
  // kDefaultMaxOutputTokens.
  int64_t max_output_tokens = 0;
  int max_recovery_attempts = 3;
  int max_stall_retries = 2;
  int max_parallel_tools = 8;
  std::optional<double> temperature;
  CompactionConfig compaction;
};

inline constexpr int64_t kDefaultMaxOutputTokens = 32'000;

// Creates a provider for a model id; the loop calls it for the fallback
// and compaction models.
using ProviderFactory =
    std::function<Result<std::unique_ptr<providers::Provider>>(
        const std::string& model_id)>;

// The parts the loop works with. Pointers are borrowed and must outlive the
// loop; only `provider`, `catalog`, `registry`, `executor` and `budget`
// are required.
struct QueryDeps {
  providers::Provider* provider = nullptr;
  ProviderFactory provider_factory;  // for fallback and compaction models
  const providers::ModelCatalog* catalog = nullptr;
  const tools::ToolRegistry* registry = nullptr;
  tools::ToolExecutor* executor = nullptr;
  tools::ToolContext tool_context;  // call_id is set per call
  // Tools offered to the model; empty offers every tool of the registry.
  std::vector<std::string> tool_names;
  std::shared_ptr<BudgetPool> budget;
  HookRunner* hooks = nullptr;
  // Orders writes to one file by agents sharing the work dir; may be null.
  PathLocks* path_locks = nullptr;
  SessionWriter* writer = nullptr;
  QueryObserver* observer = nullptr;
  std::string system_prompt;
  // Text re-added after a compaction (active skill instructions are
  // tracked by the loop itself).
  std::string compaction_reminder;
};

struct QueryResult {
  StopKind stop = StopKind::kEndTurn;
  bool is_error = false;
  std::string result;   // the last assistant text, or the error message
  int num_turns = 0;    // model calls made by this run
  providers::Usage usage;
  int64_t cost_pico_usd = 0;  // of this run, compaction included
  bool cost_known = true;     // false when a model's prices are unknown
};

class QueryLoop {
 public:
  // `history` is a session's active history, possibly from a resumed
  // session; a trailing tool_use without results (a run killed while its
  // tools ran) gets error results before the next call.
  QueryLoop(QueryDeps deps, QueryConfig config,
            std::vector<providers::Message> history = {});
  ~QueryLoop();

  // Adds `prompt` as a user message and runs until the model ends its
  // turn or a limit stops it. May be called again for a follow-up.
  QueryResult Run(const std::string& prompt, const CancellationToken& cancel);

  const std::vector<providers::Message>& history() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_QUERY_LOOP_H_
