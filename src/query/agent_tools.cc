#include "query/agent_tools.h"

#include <chrono>

namespace boxagnts::query {

namespace {

class PoolTool : public tools::Tool {
 public:
  PoolTool(ExecutorPool* pool, tools::ToolSpec spec)
      : pool_(pool), spec_(std::move(spec)) {}
  const tools::ToolSpec& spec() const override { return spec_; }

 protected:
  ExecutorPool* const pool_;
  tools::ToolSpec spec_;
};

tools::ToolResult ReportResult(const ExecutorReport& report) {
  tools::ToolResult result;
  result.content = report.ToText();
  result.is_error = report.is_error();
  result.metadata = report.ToJson();
  return result;
}

class AgentTool : public PoolTool {
 public:
  using PoolTool::PoolTool;
  tools::ToolResult Execute(const Json& input, const tools::ToolContext&,
                            const CancellationToken& cancel) override {
    ExecutorSpec spec;
    spec.description = input.value("description", "");
    spec.prompt = input.value("prompt", "");
    if (input.contains("tools")) {
      spec.tools = input["tools"].get<std::vector<std::string>>();
    }
    spec.model = input.value("model", "");
    spec.max_turns = input.value("max_turns", 0);
    spec.worktree = input.value("isolation", "none") == "worktree";
    spec.keep_worktree = input.value("keep_worktree", false);
    spec.background = input.value("run_in_background", false);
    bool background = spec.background;
    Result<std::string> id = pool_->Submit(std::move(spec));
    if (!id.ok()) return tools::ToolResult::Error(id.status().message());
    if (background) {
      tools::ToolResult result;
      result.content = "Started executor " + *id +
                       " in the background. Use AgentWait to get its report, "
                       "AgentStatus to see progress, AgentCancel to stop it.";
      result.metadata = {{"executor_id", *id}};
      return result;
    }
    Result<std::optional<ExecutorReport>> report = pool_->Wait(*id, cancel);
    if (report.ok() && !report->has_value()) {
      // The executor is a child of the same cancellation and stops at
      // once; its report (with any worktree commits) still belongs in
      // the manager's history.
      report = pool_->Wait(*id, CancellationToken());
    }
    if (!report.ok()) return tools::ToolResult::Error(report.status().message());
    if (!report->has_value()) {
      return tools::ToolResult::Error("cancelled while executor " + *id +
                                      " was running");
    }
    return ReportResult(**report);
  }
};

class AgentWaitTool : public PoolTool {
 public:
  using PoolTool::PoolTool;
  tools::ToolResult Execute(const Json& input, const tools::ToolContext&,
                            const CancellationToken& cancel) override {
    std::vector<std::string> ids;
    if (input.contains("ids")) {
      ids = input["ids"].get<std::vector<std::string>>();
    } else {
      ids = pool_->Unfinished();
      for (const Json& item : pool_->Snapshot()) {
        std::string id = item["executor_id"];
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
          ids.push_back(id);
        }
      }
    }
    if (ids.empty()) {
      return tools::ToolResult::Error("no executors to wait for");
    }
    tools::ToolResult result;
    bool any_error = false;
    for (const std::string& id : ids) {
      Result<std::optional<ExecutorReport>> report = pool_->Wait(id, cancel);
      if (!report.ok()) return tools::ToolResult::Error(report.status().message());
      if (!report->has_value()) {
        return tools::ToolResult::Error("cancelled while waiting for " + id);
      }
      any_error = any_error || (*report)->is_error();
      result.content += (*report)->ToText() + "\n";
    }
    result.is_error = any_error && ids.size() == 1;
    return result;
  }
};

class AgentStatusTool : public PoolTool {
 public:
  using PoolTool::PoolTool;
  tools::ToolResult Execute(const Json&, const tools::ToolContext&,
                            const CancellationToken&) override {
    tools::ToolResult result;
    Json snapshot = pool_->Snapshot();
    if (snapshot.empty()) {
      result.content = "No executors yet.";
      return result;
    }
    for (const Json& item : snapshot) {
      result.content += item["executor_id"].get<std::string>() + "  " +
                        item["state"].get<std::string>() + "  " +
                        item["description"].get<std::string>();
      if (item.contains("report")) {
        result.content += "  (" + item["report"]["status"].get<std::string>() + ")";
      }
      result.content += "\n";
    }
    result.metadata = {{"executors", snapshot}};
    return result;
  }
};

class AgentCancelTool : public PoolTool {
 public:
  using PoolTool::PoolTool;
  tools::ToolResult Execute(const Json& input, const tools::ToolContext&,
                            const CancellationToken&) override {
    std::string id = input.value("id", "");
    Status cancelled = pool_->Cancel(id);
    if (!cancelled.ok()) return tools::ToolResult::Error(cancelled.message());
    tools::ToolResult result;
    result.content = "Cancelling executor " + id +
                     "; AgentWait returns its report once it stopped.";
    return result;
  }
};

tools::ToolSpec Spec(std::string name, std::string description, Json schema,
                     bool concurrency_safe) {
  tools::ToolSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.input_schema = std::move(schema);
  spec.read_only = true;  // changes nothing itself; executors are governed
  spec.concurrency_safe = concurrency_safe;
  return spec;
}

}  // namespace

bool IsAgentToolName(const std::string& name) {
  return name == "Agent" || name == "AgentWait" || name == "AgentStatus" ||
         name == "AgentCancel";
}

std::vector<std::shared_ptr<tools::Tool>> MakeAgentTools(
    ExecutorPool* pool, const std::vector<std::string>& tool_names) {
  std::string names;
  for (const std::string& n : tool_names) names += (names.empty() ? "" : ", ") + n;
  Json agent_schema = {
      {"type", "object"},
      {"properties",
       {{"description",
         {{"type", "string"}, {"minLength", 1}, {"maxLength", 200},
          {"description", "A few words naming the task"}}},
        {"prompt",
         {{"type", "string"}, {"minLength", 1},
          {"description", "The full task for the executor. It sees nothing "
                          "else: include every fact it needs."}}},
        {"tools",
         {{"type", "array"}, {"items", {{"type", "string"}}},
          {"description", "Tools the executor may use (default all of: " +
                              names + ")"}}},
        {"model", {{"type", "string"}, {"description", "Model id provider/model"}}},
        {"max_turns", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}},
        {"isolation",
         {{"type", "string"}, {"enum", {"none", "worktree"}},
          {"description", "worktree: work on a new git branch in a worktree "
                          "of its own; its commits are reported"}}},
        {"keep_worktree", {{"type", "boolean"}}},
        {"run_in_background",
         {{"type", "boolean"},
          {"description", "Return an id at once instead of the report"}}}}},
      {"required", {"description", "prompt"}},
      {"additionalProperties", false}};
  Json wait_schema = {
      {"type", "object"},
      {"properties",
       {{"ids", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
      {"additionalProperties", false}};
  Json status_schema = {{"type", "object"},
                        {"properties", Json::object()},
                        {"additionalProperties", false}};
  Json cancel_schema = {{"type", "object"},
                        {"properties", {{"id", {{"type", "string"}}}}},
                        {"required", {"id"}},
                        {"additionalProperties", false}};
  return {
      std::make_shared<AgentTool>(
          pool, Spec("Agent",
                     "Starts an executor agent with a fresh context and its "
                     "own sandbox to carry out one task, and returns its "
                     "report. Several Agent calls in one reply run in "
                     "parallel, up to the runtime's cap. Executors cannot "
                     "see your conversation.",
                     agent_schema, true)),
      std::make_shared<AgentWaitTool>(
          pool, Spec("AgentWait",
                     "Waits for background executors (all when ids is "
                     "absent) and returns their reports.",
                     wait_schema, true)),
      std::make_shared<AgentStatusTool>(
          pool, Spec("AgentStatus", "Lists executors and their state.",
                     status_schema, true)),
      std::make_shared<AgentCancelTool>(
          pool, Spec("AgentCancel", "Cancels one executor.", cancel_schema,
                     true)),
  };
}

}  // namespace boxagnts::query
