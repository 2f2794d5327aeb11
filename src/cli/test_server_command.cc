// `boxagnts test-server --script FILE`: serves a scripted model on
// loopback until interrupted, for scripts and end-to-end tests.

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "cli/commands.h"
#include "cli/signals.h"
#include "core/files.h"
#include "core/json.h"
#include "providers/test_server.h"

namespace boxagnts::cli {
namespace {

struct TestServerFlags {
  std::string script;
  int port = 0;
};

int RunTestServer(const TestServerFlags& flags) {
  static CancellationSource stop;
  CancelOnInterrupt(&stop);

  Result<std::string> text = ReadFileToString(flags.script);
  if (!text.ok()) {
    std::fprintf(stderr, "boxagnts test-server: %s\n",
                 text.status().message().c_str());
    return kExitUsage;
  }
  Result<Json> script = ParseJson(*text, "\"" + flags.script + "\"");
  Result<std::unique_ptr<providers::TestServer>> server =
      script.ok() ? providers::TestServer::Start(*script, flags.port)
                  : Result<std::unique_ptr<providers::TestServer>>(
                        script.status());
  if (!server.ok()) {
    std::fprintf(stderr, "boxagnts test-server: %s\n",
                 server.status().message().c_str());
    return kExitUsage;
  }
  std::printf("%s\n", (*server)->base_url().c_str());
  std::fflush(stdout);

  // Serve until SIGINT or SIGTERM.
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  CancellationRegistration registration = stop.token().OnCancel([&] {
    std::lock_guard<std::mutex> lock(mu);
    stopped = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return stopped; });
  (*server)->Stop();
  return 0;
}

}  // namespace

void AddTestServerCommand(CLI::App& app, int* exit_code) {
  CLI::App* command = app.add_subcommand(
      "test-server",
      "Serve a scripted model (Anthropic, OpenAI and Gemini formats) on "
      "127.0.0.1 and print its base URL");
  auto flags = std::make_shared<TestServerFlags>();
  command->add_option("--script", flags->script,
                      "JSON file with the list of turns to serve")
      ->required();
  command->add_option("--port", flags->port,
                      "Port to listen on (default 0: any free port)")
      ->check(CLI::Range(0, 65535));
  command->callback(
      [flags, exit_code] { *exit_code = RunTestServer(*flags); });
}

}  // namespace boxagnts::cli
