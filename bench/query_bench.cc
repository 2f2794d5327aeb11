// The query loop's own cost per turn: a 100-turn session against an
// instant scripted model on loopback, one real tool call (Read, in the
// sandbox) per turn, with the session kept in a real SQLite store.
//
// Per turn it splits the wall time into the model call (the HTTP exchange
// with the test server and stream decoding), the sandbox run, the tool
// layer around it (lookup, schema, permissions, audit, truncation) and the
// loop (everything else: hooks, budget, history, persistence).
//
// Prints medians and the peak resident memory of the process.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "providers/http_provider.h"
#include "providers/model_catalog.h"
#include "providers/test_server.h"
#include "providers/wire_protocol.h"
#include "query/query_loop.h"
#include "query/store_writer.h"
#include "tools/approval.h"
#include "tools/audit_log.h"
#include "tools/permission_engine.h"
#include "tools/permission_gate.h"
#include "tools/registry.h"
#include "tools/tool_executor.h"
#include "workspace/session_store.h"

namespace boxagnts {
namespace {

using Clock = std::chrono::steady_clock;

int64_t Micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// Times every Complete() call of the provider it wraps.
class TimedProvider : public providers::Provider {
 public:
  explicit TimedProvider(std::unique_ptr<providers::Provider> inner)
      : inner_(std::move(inner)) {}
  std::string id() const override { return inner_->id(); }
  providers::CompletionResult Complete(const providers::Request& request,
                                       providers::StreamCallbacks& callbacks,
                                       const CancellationToken& cancel) override {
    Clock::time_point start = Clock::now();
    providers::CompletionResult result =
        inner_->Complete(request, callbacks, cancel);
    model_us.push_back(Micros(Clock::now() - start));
    return result;
  }
  std::vector<int64_t> model_us;

 private:
  std::unique_ptr<providers::Provider> inner_;
};

// Collects tool timings on their way to the real store.
class TimedWriter : public query::SessionWriter {
 public:
  explicit TimedWriter(query::SessionWriter* inner) : inner_(inner) {}
  Status WriteStep(const query::StepWrite& step) override {
    for (const query::ToolCallRecord& call : step.tool_calls) {
      tool_us.push_back(call.duration_us);
      sandbox_us.push_back(call.sandbox_us);
      if (call.is_error) ++tool_errors;
    }
    return inner_->WriteStep(step);
  }
  Status WriteCompaction(const providers::Message& summary, size_t kept,
                         int64_t tokens, const query::ModelCallInfo& call) override {
    return inner_->WriteCompaction(summary, kept, tokens, call);
  }
  Status WriteStop(const std::string& stop, const std::string& status) override {
    return inner_->WriteStop(stop, status);
  }
  std::vector<int64_t> tool_us;
  std::vector<int64_t> sandbox_us;
  int tool_errors = 0;

 private:
  query::SessionWriter* inner_;
};

// Marks the end of each model call, for per-turn wall times.
class TurnClock : public query::QueryObserver {
 public:
  void OnAssistantMessage(const providers::Message&,
                          const query::ModelCallInfo&) override {
    marks.push_back(Clock::now());
  }
  std::vector<Clock::time_point> marks;
};

double Median(std::vector<int64_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? double(v[n / 2]) : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int Main(int turns) {
  spdlog::set_level(spdlog::level::warn);
  std::string dir = std::filesystem::temp_directory_path() /
                    ("boxagnts-query-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir + "/work");
  std::ofstream(dir + "/work/notes.txt") << "line one\nline two\nline three\n";

  Json script = Json::array();
  for (int i = 0; i < turns; ++i) {
    script.push_back(
        {{"tool_calls",
          {{{"id", "t" + std::to_string(i)},
            {"name", "Read"},
            {"arguments", {{"file_path", "notes.txt"}}}}}},
         {"usage", {{"input_tokens", 1000 + 40 * i}, {"output_tokens", 30}}},
         {"delta_chars", 0}});
  }
  script.push_back({{"text", "done"}, {"delta_chars", 0}});
  auto server = providers::TestServer::Start(script);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  providers::Endpoint endpoint;
  endpoint.service = "anthropic";
  endpoint.base_url = (*server)->base_url();
  endpoint.api_key = "bench";
  endpoint.model = "claude-sonnet-4-5";
  TimedProvider provider(std::make_unique<providers::HttpProvider>(
      "anthropic/claude-sonnet-4-5",
      providers::MakeWireProtocol(providers::Protocol::kAnthropic), endpoint,
      providers::HttpProviderOptions{}));
  Result<providers::ModelCatalog> catalog = providers::ModelCatalog::LoadDefault();
  if (!catalog.ok()) return 1;

  tools::ToolRegistry registry =
      tools::LoadToolRegistry({tools::ApplicationDir(), dir + "/none"});
  if (registry.Find("Read") == nullptr) {
    std::fprintf(stderr, "the Read tool package was not found under %s\n",
                 tools::ApplicationDir().c_str());
    return 1;
  }
  tools::PermissionEngine engine(tools::PermissionMode::kDefault, {}, "");
  tools::HeadlessApprovalHandler approval;
  auto audit = tools::JsonlAuditLog::Open(dir + "/audit.jsonl");
  if (!audit.ok()) return 1;
  tools::PermissionGate gate(&engine, &approval, audit->get());
  tools::ToolExecutor executor(&registry, &gate);

  auto store = workspace::SessionStore::Open(dir + "/sessions.db");
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto session = (*store)->CreateSession({"anthropic/claude-sonnet-4-5",
                                          dir + "/work", "bench"});
  if (!session.ok()) return 1;
  query::StoreWriter store_writer(store->get(), session->id);
  TimedWriter writer(&store_writer);
  TurnClock clock;

  query::QueryDeps deps;
  deps.provider = &provider;
  deps.catalog = &*catalog;
  deps.registry = &registry;
  deps.executor = &executor;
  deps.tool_context.work_dir = std::filesystem::canonical(dir + "/work");
  deps.tool_context.session_id = session->id;
  deps.budget = std::make_shared<query::BudgetPool>(int64_t{100} * 1'000'000'000'000);
  deps.writer = &writer;
  deps.observer = &clock;
  deps.system_prompt = "You are a benchmark.";
  query::QueryConfig config;
  config.model_id = "anthropic/claude-sonnet-4-5";
  config.max_turns = turns + 1;
  query::QueryLoop loop(std::move(deps), config);
  Clock::time_point start = Clock::now();
  query::QueryResult result = loop.Run("read the notes", CancellationSource().token());
  int64_t total_us = Micros(Clock::now() - start);
  if (result.stop != query::StopKind::kEndTurn || writer.tool_errors > 0) {
    std::fprintf(stderr, "run failed: %s (tool errors %d)\n",
                 result.result.c_str(), writer.tool_errors);
    return 1;
  }

  // Turn i runs from the end of model call i to the end of call i + 1.
  std::vector<int64_t> wall, model, sandbox, tool_layer, loop_own, overhead;
  for (int i = 0; i < turns; ++i) {
    int64_t w = Micros(clock.marks[i + 1] - clock.marks[i]);
    int64_t m = provider.model_us[i + 1];
    int64_t t = writer.tool_us[i];
    int64_t s = writer.sandbox_us[i];
    wall.push_back(w);
    model.push_back(m);
    sandbox.push_back(s);
    tool_layer.push_back(t - s);
    loop_own.push_back(w - m - t);
    overhead.push_back(w - m - s);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("query loop, %d turns, one Read call per turn, instant model\n",
              turns);
  std::printf("  total run                 %10.1f ms\n", total_us / 1000.0);
  std::printf("  per turn, median:\n");
  std::printf("    wall                    %10.1f us\n", Median(wall));
  std::printf("    model call (loopback)   %10.1f us\n", Median(model));
  std::printf("    sandbox run             %10.1f us\n", Median(sandbox));
  std::printf("    tool layer              %10.1f us\n", Median(tool_layer));
  std::printf("    loop (incl. SQLite)     %10.1f us\n", Median(loop_own));
  std::printf("    loop + tool layer       %10.1f us   (target < 1000)\n",
              Median(overhead));
  std::printf("  peak resident memory      %10.1f MiB\n",
              usage.ru_maxrss / 1024.0);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace boxagnts

int main(int argc, char** argv) {
  int turns = argc > 1 ? std::atoi(argv[1]) : 100;
  return boxagnts::Main(turns);
}
