// Managed mode at scale: a manager starts 32 executors in one reply; each
// executor makes 10 Read calls (each in its own sandbox run) against an
// instant scripted model on loopback, then reports. Everything but the
// model is real: session store, tool layer, sandbox.
//
// Prints the wall time of the whole run and the peak resident memory.

#include <stdlib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "providers/test_server.h"
#include "query/agent_session.h"

namespace boxagnts {
namespace {

Json Usage() { return {{"input_tokens", 1000}, {"output_tokens", 30}}; }

int Main(int executors, int calls, int concurrency) {
  spdlog::set_level(spdlog::level::warn);
  std::string dir = std::filesystem::temp_directory_path() /
                    ("boxagnts-managed-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir + "/work");
  std::filesystem::create_directories(dir + "/workspace");
  std::ofstream(dir + "/work/notes.txt") << "line one\nline two\n";

  Json script = Json::array();
  Json agent_calls = Json::array();
  for (int e = 1; e <= executors; ++e) {
    std::string task = "task-" + std::to_string(e) + " ";
    agent_calls.push_back({{"id", "a" + std::to_string(e)},
                           {"name", "Agent"},
                           {"arguments",
                            {{"description", "read " + std::to_string(e)},
                             {"prompt", "Do " + task + "now."}}}});
    for (int c = 0; c < calls; ++c) {
      script.push_back({{"match", task},
                        {"usage", Usage()},
                        {"delta_chars", 0},
                        {"tool_calls",
                         {{{"id", "r" + std::to_string(c)},
                           {"name", "Read"},
                           {"arguments", {{"file_path", "notes.txt"}}}}}}});
    }
    script.push_back({{"match", task}, {"text", "done"}, {"delta_chars", 0}});
  }
  Json manager_turn = {{"match", "GOAL"},
                       {"usage", Usage()},
                       {"tool_calls", agent_calls}};
  script.insert(script.begin(), manager_turn);
  script.push_back({{"match", "GOAL"}, {"text", "all done"}});
  auto server = providers::TestServer::Start(script);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  setenv("ANTHROPIC_BASE_URL", (*server)->base_url().c_str(), 1);
  setenv("ANTHROPIC_API_KEY", "bench", 1);

  query::SessionOptions options;
  options.workspace_dir = dir + "/workspace";
  options.work_dir = dir + "/work";
  options.model = "anthropic/claude-sonnet-4-5";
  options.managed = true;
  options.max_concurrent_executors = concurrency;
  options.permission_mode = "default";
  auto session = query::AgentSession::Open(std::move(options));
  if (!session.ok()) {
    std::fprintf(stderr, "%s\n", session.status().ToString().c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  query::QueryResult result = (*session)->Run(
      "GOAL: read the notes many times", nullptr, CancellationSource().token());
  double wall_ms = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  if (result.stop != query::StopKind::kEndTurn) {
    std::fprintf(stderr, "run failed: %s\n", result.result.c_str());
    return 1;
  }
  size_t requests = (*server)->requests().size();
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("managed run: %d executors x %d Read calls, %d at once\n",
              executors, calls, concurrency);
  std::printf("  model calls               %10zu\n", requests);
  std::printf("  wall time                 %10.1f ms\n", wall_ms);
  std::printf("  per executor tool call    %10.1f us (wall / calls)\n",
              wall_ms * 1000 / (executors * calls));
  std::printf("  peak resident memory      %10.1f MiB\n",
              usage.ru_maxrss / 1024.0);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace boxagnts

int main(int argc, char** argv) {
  int executors = argc > 1 ? std::atoi(argv[1]) : 32;
  int calls = argc > 2 ? std::atoi(argv[2]) : 10;
  int concurrency = argc > 3 ? std::atoi(argv[3]) : 4;
  return boxagnts::Main(executors, calls, concurrency);
}
