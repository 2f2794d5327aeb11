// Helpers for the query loop tests: a scripted model on loopback, a
// catalogue with exact test prices, native test tools and a tool layer
// around them.

#ifndef BOXAGNTS_TESTS_QUERY_LOOP_TEST_SUPPORT_H_
#define BOXAGNTS_TESTS_QUERY_LOOP_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "providers/http_provider.h"
#include "providers/model_catalog.h"
#include "providers/services.h"
#include "providers/test_server.h"
#include "providers/wire_protocol.h"
#include "query/query_loop.h"
#include "tools/approval.h"
#include "tools/audit_log.h"
#include "tools/permission_engine.h"
#include "tools/permission_gate.h"
#include "tools/tool_executor.h"

namespace boxagnts::query::testing {

// The test model: $1/Mtok input (cache read $0.10, write $1.25), $5/Mtok
// output, 200k context, 8k output.
inline constexpr char kModelId[] = "anthropic/test-model";
inline constexpr char kFallbackId[] = "anthropic/test-fallback";

inline providers::ModelCatalog TestCatalog(int64_t context_window = 200'000) {
  Json model = {{"context_window", context_window},
                {"max_output_tokens", 8'000},
                {"price_per_mtok_usd",
                 {{"input", 1}, {"output", 5}, {"cache_read", 0.1},
                  {"cache_write", 1.25}}},
                {"tools", true}};
  Json json = {{"models", {{kModelId, model}, {kFallbackId, model}}}};
  Result<providers::ModelCatalog> catalog =
      providers::ModelCatalog::FromJson(json, "test");
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return std::move(*catalog);
}

inline std::unique_ptr<providers::TestServer> StartModel(const Json& script) {
  Result<std::unique_ptr<providers::TestServer>> server =
      providers::TestServer::Start(script);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

// An Anthropic-format provider for `model_id` aimed at `server`, with
// retries off unless `attempts` says otherwise.
inline std::unique_ptr<providers::Provider> ProviderFor(
    const providers::TestServer& server, const std::string& model_id,
    int attempts = 1, int64_t stall_timeout_ms = 10'000) {
  providers::Endpoint endpoint;
  endpoint.service = "anthropic";
  endpoint.base_url = server.base_url();
  endpoint.api_key = "test-key";
  endpoint.model = model_id.substr(model_id.find('/') + 1);
  providers::HttpProviderOptions options;
  options.retry.max_attempts = attempts;
  options.retry.initial_backoff_ms = 1;
  options.retry.max_backoff_ms = 2;
  options.stall_timeout_ms = stall_timeout_ms;
  return std::make_unique<providers::HttpProvider>(
      model_id, providers::MakeWireProtocol(providers::Protocol::kAnthropic),
      std::move(endpoint), std::move(options));
}

// A native tool whose behaviour is a function, for loop tests that need
// exact control of results, timing and concurrency.
class FunctionTool : public tools::Tool {
 public:
  using Body = std::function<tools::ToolResult(const Json&,
                                               const CancellationToken&)>;
  FunctionTool(std::string name, bool concurrency_safe, Body body)
      : body_(std::move(body)) {
    spec_.name = std::move(name);
    spec_.description = "Test tool " + spec_.name;
    spec_.input_schema = {{"type", "object"}};
    spec_.read_only = true;
    spec_.concurrency_safe = concurrency_safe;
  }
  const tools::ToolSpec& spec() const override { return spec_; }
  tools::ToolResult Execute(const Json& input, const tools::ToolContext&,
                            const CancellationToken& cancel) override {
    return body_(input, cancel);
  }

 private:
  tools::ToolSpec spec_;
  Body body_;
};

// Echo: returns its input's "text". Safe for parallel calls.
inline std::shared_ptr<tools::Tool> EchoTool() {
  return std::make_shared<FunctionTool>(
      "Echo", true, [](const Json& input, const CancellationToken&) {
        tools::ToolResult result;
        result.content = input.value("text", "");
        return result;
      });
}

// Records every event the loop reports.
class RecordingObserver : public QueryObserver {
 public:
  void OnTextDelta(std::string_view text) override { streamed += text; }
  void OnToolStart(const providers::ToolUseBlock& call) override {
    tool_starts.push_back(call.id);
  }
  void OnToolResult(const providers::ToolUseBlock& call,
                    const providers::ToolResultBlock& result,
                    int64_t) override {
    tool_results.push_back(call.id + (result.is_error ? ":error" : ":ok"));
  }
  void OnNotice(std::string_view kind, const Json& data) override {
    notices.push_back(std::string(kind) + ": " + data.value("message", ""));
  }
  std::string streamed;
  std::vector<std::string> tool_starts;
  std::vector<std::string> tool_results;
  std::vector<std::string> notices;
};

// A tool layer around a registry, in bypass mode with no prompts.
struct ToolLayer {
  tools::ToolRegistry registry;
  std::unique_ptr<tools::PermissionEngine> engine;
  tools::HeadlessApprovalHandler approval;
  tools::MemoryAuditLog audit;
  std::unique_ptr<tools::PermissionGate> gate;
  std::unique_ptr<tools::ToolExecutor> executor;

  explicit ToolLayer(std::vector<std::shared_ptr<tools::Tool>> list,
                     tools::PermissionMode mode =
                         tools::PermissionMode::kBypassPermissions,
                     tools::PermissionRules rules = {}) {
    for (auto& tool : list) EXPECT_TRUE(registry.Add(tool).ok());
    engine = std::make_unique<tools::PermissionEngine>(mode, std::move(rules),
                                                       "");
    gate = std::make_unique<tools::PermissionGate>(engine.get(), &approval,
                                                   &audit);
    executor = std::make_unique<tools::ToolExecutor>(&registry, gate.get());
  }
};

// Everything one loop test needs, aimed at a scripted model.
struct LoopFixture {
  std::unique_ptr<providers::TestServer> server;
  std::unique_ptr<providers::Provider> provider;
  providers::ModelCatalog catalog;
  ToolLayer tools;
  RecordingObserver observer;
  std::shared_ptr<BudgetPool> budget;
  QueryConfig config;
  std::string work_dir;

  LoopFixture(const Json& script,
              std::vector<std::shared_ptr<tools::Tool>> list = {EchoTool()},
              int64_t context_window = 200'000)
      : server(StartModel(script)),
        catalog(TestCatalog(context_window)),
        tools(std::move(list)),
        budget(std::make_shared<BudgetPool>(std::nullopt)) {
    provider = ProviderFor(*server, kModelId);
    config.model_id = kModelId;
    config.max_output_tokens = 1000;
    work_dir = std::filesystem::temp_directory_path().string();
  }

  QueryDeps Deps() {
    QueryDeps deps;
    deps.provider = provider.get();
    deps.provider_factory = [this](const std::string& id)
        -> Result<std::unique_ptr<providers::Provider>> {
      return ProviderFor(*server, id);
    };
    deps.catalog = &catalog;
    deps.registry = &tools.registry;
    deps.executor = tools.executor.get();
    deps.tool_context.work_dir = work_dir;
    deps.tool_context.session_id = "test-session";
    deps.budget = budget;
    deps.observer = &observer;
    deps.system_prompt = "You are a test.";
    return deps;
  }

  // The JSON bodies the model received, in order.
  std::vector<Json> Requests() const {
    std::vector<Json> out;
    for (const auto& request : server->requests()) {
      out.push_back(Json::parse(request.body));
    }
    return out;
  }
};

inline Json ToolCall(const std::string& id, const std::string& name,
                     const Json& arguments) {
  return {{"id", id}, {"name", name}, {"arguments", arguments}};
}

}  // namespace boxagnts::query::testing

#endif  // BOXAGNTS_TESTS_QUERY_LOOP_TEST_SUPPORT_H_
