// Hooks inside the query loop: a PreToolUse hook blocks or edits a call,
// a Stop hook sends the model back to work.

#include <gtest/gtest.h>

#include "loop_test_support.h"
#include "query/hooks.h"

namespace boxagnts::query {
namespace {

using testing::LoopFixture;
using testing::ToolCall;

HookRunner Hooks(const std::string& toml, const std::string& work_dir) {
  Result<HookConfig> config = ParseHooksToml(toml, "test.toml");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return HookRunner(*config, work_dir);
}

TEST(LoopHooks, PreToolUseBlocksAndEditsCalls) {
  LoopFixture f(Json::array(
      {{{"tool_calls", {ToolCall("c1", "Echo", {{"text", "secret"}}),
                        ToolCall("c2", "Echo", {{"text", "plain"}})}}},
       {{"text", "ok"}}}));
  // Blocks inputs that mention "secret"; rewrites the others.
  HookRunner hooks = Hooks(R"(
[[hooks.PreToolUse]]
matcher = "Echo"
command = "if grep -q secret; then echo 'no secrets' >&2; exit 2; fi; printf '{\"updated_input\": {\"text\": \"edited\"}}'"
)", f.work_dir);
  QueryDeps deps = f.Deps();
  deps.hooks = &hooks;
  QueryLoop loop(std::move(deps), f.config);
  ASSERT_EQ(loop.Run("go", CancellationSource().token()).stop,
            StopKind::kEndTurn);
  Json results = f.Requests()[1]["messages"][2]["content"];
  EXPECT_TRUE(results[0]["is_error"].get<bool>());
  EXPECT_EQ(results[0]["content"][0]["text"],
            "A PreToolUse hook blocked this call: no secrets");
  EXPECT_EQ(results[1]["content"][0]["text"], "edited");
}

TEST(LoopHooks, StopHookContinuesOnceThenAllowsTheEnd) {
  LoopFixture f(Json::array({{{"text", "first answer"}},
                             {{"text", "second answer"}}}));
  // Blocks the first stop only (stop_hook_active is false then).
  HookRunner hooks = Hooks(R"(
[[hooks.Stop]]
command = "if grep -q '\"stop_hook_active\":false'; then echo 'run the tests' >&2; exit 2; fi"
)", f.work_dir);
  QueryDeps deps = f.Deps();
  deps.hooks = &hooks;
  QueryLoop loop(std::move(deps), f.config);
  QueryResult result = loop.Run("go", CancellationSource().token());
  EXPECT_EQ(result.stop, StopKind::kEndTurn);
  EXPECT_EQ(result.result, "second answer");
  EXPECT_EQ(result.num_turns, 2);
  Json last = f.Requests()[1]["messages"].back();
  EXPECT_EQ(last["content"][0]["text"],
            "A Stop hook asks you to continue: run the tests");
}

}  // namespace
}  // namespace boxagnts::query
