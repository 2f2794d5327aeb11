// The tools a manager agent uses to delegate: Agent starts an executor,
// AgentWait waits for background executors, AgentStatus lists them and
// AgentCancel stops one. They run in the host (not in the sandbox): they
// only drive the executor pool, whose executors run their own tools in
// sandboxes of their own.
#ifndef BOXAGNTS_QUERY_AGENT_TOOLS_H_
#define BOXAGNTS_QUERY_AGENT_TOOLS_H_

#include <memory>
#include <vector>

#include "query/executor_pool.h"
#include "tools/tool.h"

namespace boxagnts::query {

inline constexpr char kAgentToolName[] = "Agent";

// Returns Agent, AgentWait, AgentStatus and AgentCancel, all driving
// `pool`, which must outlive them. `tool_names` lists the tools an
// executor may be given, for the Agent tool's description.
std::vector<std::shared_ptr<tools::Tool>> MakeAgentTools(
    ExecutorPool* pool, const std::vector<std::string>& tool_names);

// True for the names of the tools above.
bool IsAgentToolName(const std::string& name);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_AGENT_TOOLS_H_
