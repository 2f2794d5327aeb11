// The `[agent]` table of a TOML config file: which model runs a session
// and the limits of its query loop.
//
//   [agent]
//   model = "anthropic/claude-sonnet-4-5"
//   fallback_model = "anthropic/claude-haiku-4-5"  # once, when overloaded
//   max_turns = 100              # model calls per run
//   max_budget_usd = 2.50        # per session; unset: no cap
//   max_output_tokens = 16000    # per call; unset: the model's, <= 32000
//   max_parallel_tools = 8
//   max_recovery_attempts = 3
//   max_stall_retries = 2
//   output_style = "concise"     # default, concise, explanatory or text
//
//   [agent.compaction]
//   enabled = true
//   threshold = 0.8              # fraction of the model's context window
//   model = ""                   # summarising model; "" = the session's
//   keep_recent_turns = 2
//   max_failures = 3
//
// Unknown keys and values of the wrong type or out of range are errors
// naming the source and the key.
#ifndef BOXAGNTS_QUERY_AGENT_CONFIG_H_
#define BOXAGNTS_QUERY_AGENT_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "query/query_loop.h"

namespace boxagnts::query {

struct AgentConfig {
  QueryConfig query;  // model_id empty until a source sets it
  std::optional<double> max_budget_usd;
  std::string output_style;
};

// Reads the `[agent]` table of TOML `text` on top of `*config`. A text
// without the table leaves it unchanged.
Status ParseAgentToml(std::string_view text, const std::string& source,
                      AgentConfig* config);

// Reads the file at `path` as ParseAgentToml does; errors name the path.
Status LoadAgentConfigFile(const std::string& path, AgentConfig* config);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_AGENT_CONFIG_H_
