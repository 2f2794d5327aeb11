// Measures the cost of one trivial sandbox run (instantiate, run, tear
// down) with a warm in-memory cache and cold from the disk cache, beside
// fork and exec of a native /bin/true, all in one process and one run.
// Also measures how long a cancelled run takes to stop.
//
// Usage: sandbox_bench [--iterations N]

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/cancellation.h"
#include "core/log.h"
#include "sandbox/sandbox.h"

namespace {

using Clock = std::chrono::steady_clock;
using boxagnts::sandbox::ModuleSource;
using boxagnts::sandbox::RunRequest;
using boxagnts::sandbox::Sandbox;

struct Summary {
  double median_us = 0;
  double p99_us = 0;
};

Summary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  Summary s;
  s.median_us = samples[samples.size() / 2];
  s.p99_us = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  return s;
}

std::vector<double> Measure(int iterations, const std::function<void()>& fn) {
  std::vector<double> samples;
  samples.reserve(iterations);
  for (int i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    fn();
    samples.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return samples;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sandbox_bench: %s failed\n", what);
    std::exit(1);
  }
}

void SpawnTrue() {
  pid_t pid = fork();
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "/bin/true");
}

void PosixSpawnTrue() {
  pid_t pid = 0;
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  char* envp[] = {nullptr};
  Check(posix_spawn(&pid, argv[0], nullptr, nullptr, argv, envp) == 0,
        "posix_spawn");
  int status = 0;
  waitpid(pid, &status, 0);
  Check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "/bin/true");
}

void PrintRow(const char* name, int n, const Summary& s) {
  std::printf("| %-36s | %6d | %10.1f | %10.1f |\n", name, n, s.median_us,
              s.p99_us);
}

}  // namespace

int main(int argc, char** argv) {
  // Cancelled runs log at info level; keep the table readable.
  Check(boxagnts::InitLogging("warn").ok(), "logging setup");
  int iterations = 2000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::atoi(argv[i + 1]);
  }
  // fork copies the parent's memory map, which grows once the engine
  // reserves its pooling slots, so also time it before any engine exists.
  for (int i = 0; i < 20; ++i) SpawnTrue();
  std::vector<double> native_before = Measure(iterations / 4, SpawnTrue);

  char cache_template[] = "/tmp/boxagnts-bench-XXXXXX";
  Check(mkdtemp(cache_template) != nullptr, "mkdtemp");
  std::string cache_dir = cache_template;
  Sandbox sandbox(cache_dir);
  ModuleSource noop = ModuleSource::File(std::string(BOXAGNTS_BENCH_DIR) + "/noop.wasm");
  RunRequest request;

  auto run_once = [&] {
    auto outcome = sandbox.Run(noop, request);
    Check(outcome.ok() && outcome->exit_code == 0, "sandbox run");
  };

  // Compile once and warm up both paths.
  auto compile_start = Clock::now();
  run_once();
  double compile_us =
      std::chrono::duration<double, std::micro>(Clock::now() - compile_start).count();
  for (int i = 0; i < 50; ++i) run_once();
  for (int i = 0; i < 20; ++i) SpawnTrue();

  // Interleave the measurements in rounds so that machine noise hits both.
  std::vector<double> warm, native, cold, spawned;
  const int rounds = 10;
  for (int round = 0; round < rounds; ++round) {
    auto w = Measure(iterations / rounds, run_once);
    warm.insert(warm.end(), w.begin(), w.end());
    auto n = Measure(iterations / rounds / 2, SpawnTrue);
    native.insert(native.end(), n.begin(), n.end());
    auto p = Measure(iterations / rounds / 2, PosixSpawnTrue);
    spawned.insert(spawned.end(), p.begin(), p.end());
    auto c = Measure(iterations / rounds / 10, [&] {
      sandbox.ClearMemoryCache();
      run_once();
    });
    cold.insert(cold.end(), c.begin(), c.end());
  }

  // Cancellation latency: cancel a busy loop and time until Run returns.
  std::vector<double> cancel_latency;
  const std::string loop =
      "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop br 0)))";
  for (int i = 0; i < 50; ++i) {
    boxagnts::CancellationSource source;
    RunRequest busy;
    busy.limits.fuel = UINT64_MAX / 2;
    busy.cancel = source.token();
    Clock::time_point cancelled_at;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      cancelled_at = Clock::now();
      source.Cancel();
    });
    auto outcome = sandbox.Run(ModuleSource::Bytes(loop), busy);
    auto returned_at = Clock::now();
    canceller.join();
    Check(outcome.ok(), "cancelled run");
    cancel_latency.push_back(
        std::chrono::duration<double, std::micro>(returned_at - cancelled_at).count());
  }

  Summary warm_s = Summarize(warm), native_s = Summarize(native),
          cold_s = Summarize(cold), cancel_s = Summarize(cancel_latency);
  std::printf("first run (compile and write disk cache): %.1f us\n\n", compile_us);
  std::printf("| %-36s | %6s | %10s | %10s |\n", "case", "n", "median us", "p99 us");
  std::printf("|%s|%s|%s|%s|\n", std::string(38, '-').c_str(),
              std::string(8, '-').c_str(), std::string(12, '-').c_str(),
              std::string(12, '-').c_str());
  PrintRow("sandbox run, warm (in memory)", static_cast<int>(warm.size()), warm_s);
  PrintRow("sandbox run, cold (from disk cache)", static_cast<int>(cold.size()), cold_s);
  PrintRow("fork + exec /bin/true", static_cast<int>(native.size()), native_s);
  PrintRow("fork + exec, before engine start",
           static_cast<int>(native_before.size()), Summarize(native_before));
  PrintRow("posix_spawn /bin/true", static_cast<int>(spawned.size()),
           Summarize(spawned));
  PrintRow("cancel to return (busy loop)", static_cast<int>(cancel_latency.size()),
           cancel_s);
  Summary before_s = Summarize(native_before);
  Summary spawn_s = Summarize(spawned);
  double fastest_native = std::min({native_s.median_us, before_s.median_us,
                                    spawn_s.median_us});
  std::printf("\nwarm median / fastest native median = %.4f (target <= 0.100)\n",
              warm_s.median_us / fastest_native);
  std::string cleanup = "rm -rf '" + cache_dir + "'";
  return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
