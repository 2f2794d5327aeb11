// The [agent] and [managed_agents] config tables.

#include <gtest/gtest.h>

#include "query/agent_config.h"
#include "query/managed_config.h"

namespace boxagnts::query {
namespace {

TEST(AgentConfig, ReadsEveryKey) {
  AgentConfig config;
  ASSERT_TRUE(ParseAgentToml(R"(
[agent]
model = "anthropic/claude-sonnet-4-5"
fallback_model = "anthropic/claude-haiku-4-5"
max_turns = 7
max_budget_usd = 1.25
max_output_tokens = 2000
output_style = "concise"
[agent.compaction]
threshold = 0.5
keep_recent_turns = 3
)", "c.toml", &config).ok());
  EXPECT_EQ(config.query.model_id, "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(config.query.fallback_model_id, "anthropic/claude-haiku-4-5");
  EXPECT_EQ(config.query.max_turns, 7);
  EXPECT_EQ(*config.max_budget_usd, 1.25);
  EXPECT_EQ(config.query.max_output_tokens, 2000);
  EXPECT_EQ(config.output_style, "concise");
  EXPECT_EQ(config.query.compaction.threshold, 0.5);
  EXPECT_EQ(config.query.compaction.keep_recent_turns, 3);
}

TEST(AgentConfig, ErrorsNameFileAndKey) {
  AgentConfig config;
  Status typo = ParseAgentToml("[agent]\nmax_turn = 3\n", "c.toml", &config);
  EXPECT_NE(typo.message().find("c.toml: unknown key agent.max_turn"),
            std::string::npos);
  Status range = ParseAgentToml("[agent]\nmax_turns = 0\n", "c.toml", &config);
  EXPECT_EQ(range.message(), "c.toml: agent.max_turns: expected 1 to 100000, got 0");
  Status threshold = ParseAgentToml("[agent.compaction]\nthreshold = 1.5\n",
                                    "c.toml", &config);
  EXPECT_NE(threshold.message().find("agent.compaction.threshold"),
            std::string::npos);
  EXPECT_EQ(config.query.max_turns, 100);  // nothing applied on error
}

TEST(ManagedConfig, ReadsSplitsAndRejectsBadOnes) {
  ManagedConfig config;
  ASSERT_TRUE(ParseManagedToml(R"(
[managed_agents]
max_concurrent_executors = 3
total_budget_usd = 5
budget_split = "per_executor"
per_executor_budget_usd = 0.5
)", "m.toml", &config).ok());
  EXPECT_EQ(config.max_concurrent_executors, 3);
  EXPECT_EQ(config.budget_split, BudgetSplit::kPerExecutor);
  EXPECT_EQ(*config.per_executor_budget_usd, 0.5);
  ManagedConfig other;
  Status missing = ParseManagedToml(
      "[managed_agents]\nbudget_split = \"per_executor\"\n", "m.toml", &other);
  EXPECT_NE(missing.message().find("needs per_executor_budget_usd"),
            std::string::npos);
  Status depth =
      ParseManagedToml("[managed_agents]\nmax_depth = 2\n", "m.toml", &other);
  EXPECT_NE(depth.message().find("only 1 is supported"), std::string::npos);
  Status split = ParseManagedToml(
      "[managed_agents]\nbudget_split = \"even\"\n", "m.toml", &other);
  EXPECT_NE(split.message().find("managed_agents.budget_split"),
            std::string::npos);
}

}  // namespace
}  // namespace boxagnts::query
