// Settings of managed mode, where a manager agent delegates tasks to
// executor agents that run in parallel. From the `[managed_agents]` table
// of a config file and the `boxagnts run --managed` flags:
//
//   [managed_agents]
//   executor_model = "anthropic/claude-haiku-4-5"  # "" = the session's
//   max_concurrent_executors = 4   # running at once; the rest queue
//   max_executors = 32             # created per session in all (fan-out)
//   max_depth = 1                  # executors cannot start executors;
//                                  # only 1 is supported
//   executor_max_turns = 50        # default for an executor's run
//   total_budget_usd = 10.0        # manager and executors together
//   budget_split = "shared"        # "shared", "manager_reserve",
//                                  # or "per_executor"
//   manager_reserve_percent = 20   # for "manager_reserve"
//   per_executor_budget_usd = 1.0  # for "per_executor"
#ifndef BOXAGNTS_QUERY_MANAGED_CONFIG_H_
#define BOXAGNTS_QUERY_MANAGED_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxagnts::query {

enum class BudgetSplit {
  kShared,          // one pool for the manager and every executor
  kManagerReserve,  // executors together may spend all but a reserve
  kPerExecutor,     // each executor has a fixed cap inside the total
};

std::string_view BudgetSplitName(BudgetSplit split);

struct ManagedConfig {
  std::string executor_model;  // "" = the session's model
  int max_concurrent_executors = 4;
  int max_executors = 32;
  int max_depth = 1;
  int executor_max_turns = 50;
  std::optional<double> total_budget_usd;
  BudgetSplit budget_split = BudgetSplit::kShared;
  double manager_reserve_percent = 20;
  std::optional<double> per_executor_budget_usd;
};

// Reads the `[managed_agents]` table of TOML `text` on top of `*config`.
// Unknown keys, wrong types and out-of-range values are errors naming the
// source and key; "per_executor" without per_executor_budget_usd is one.
Status ParseManagedToml(std::string_view text, const std::string& source,
                        ManagedConfig* config);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_MANAGED_CONFIG_H_
