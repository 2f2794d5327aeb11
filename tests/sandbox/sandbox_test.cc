#include "sandbox/sandbox.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "testing/process.h"

namespace boxagnts::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

std::string TestGuest(const std::string& name) {
  return std::string(BOXAGNTS_TEST_GUEST_DIR) + "/" + name + ".wasm";
}

// A sandbox whose disk cache lives in a temporary folder.
class SandboxTest : public ::testing::Test {
 protected:
  testing::TempDir cache_dir_;
  Sandbox sandbox_{cache_dir_.path()};

  RunOutcome RunWat(const std::string& wat, RunRequest request = {}) {
    Result<RunOutcome> outcome = sandbox_.Run(ModuleSource::Bytes(wat), request);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : RunOutcome{};
  }

  RunOutcome RunGuest(const std::string& name, std::vector<std::string> args,
                      RunRequest request = {}) {
    request.args = std::move(args);
    Result<RunOutcome> outcome =
        sandbox_.Run(ModuleSource::File(TestGuest(name)), request);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : RunOutcome{};
  }
};

constexpr char kInfiniteLoop[] = R"((module
  (memory (export "memory") 1)
  (func (export "_start") (loop br 0))))";

constexpr char kExit42[] = R"((module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start") (call $exit (i32.const 42)))))";

TEST_F(SandboxTest, HelloPrintsArgumentsAndExitsZero) {
  RunRequest request;
  Result<RunOutcome> outcome = sandbox_.Run(
      ModuleSource::File(std::string(BOXAGNTS_GUEST_DIR) + "/hello.wasm"),
      [] {
        RunRequest r;
        r.args = {"one", "two words"};
        return r;
      }());
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->trap, TrapKind::kNone);
  EXPECT_EQ(outcome->stdout_bytes,
            "hello from the boxagnts sandbox\narg 1: one\narg 2: two words\n");
  EXPECT_EQ(outcome->stderr_bytes, "");
  EXPECT_GT(outcome->fuel_consumed, 0u);
}

TEST_F(SandboxTest, ProcExitCodeIsReported) {
  RunOutcome outcome = RunWat(kExit42);
  EXPECT_EQ(outcome.exit_code, 42);
  EXPECT_EQ(outcome.trap, TrapKind::kNone);
  EXPECT_EQ(outcome.peak_memory_bytes, 2u * 65536u);
}

TEST_F(SandboxTest, FuelLimitStopsInfiniteLoop) {
  RunRequest request;
  request.limits.fuel = 1'000'000;
  RunOutcome outcome = RunWat(kInfiniteLoop, request);
  EXPECT_EQ(outcome.trap, TrapKind::kOutOfFuel);
  EXPECT_FALSE(outcome.exit_code.has_value());
  EXPECT_EQ(outcome.fuel_consumed, 1'000'000u);
  EXPECT_EQ(outcome.message,
            "the run used all of its fuel (wasm_fuel = 1000000)");
}

TEST_F(SandboxTest, TimeoutStopsInfiniteLoop) {
  RunRequest request;
  request.limits.fuel = UINT64_MAX / 2;
  request.limits.timeout_ms = 200;
  RunOutcome outcome = RunWat(kInfiniteLoop, request);
  EXPECT_EQ(outcome.trap, TrapKind::kTimeout);
  EXPECT_EQ(outcome.message,
            "the run exceeded its time limit (wasm_timeout = 200 ms)");
  EXPECT_GE(outcome.wall_us, 200'000u);
  EXPECT_LT(outcome.wall_us, 5'000'000u);
}

TEST_F(SandboxTest, TimeoutInterruptsSleepingGuest) {
  RunRequest request;
  request.limits.timeout_ms = 300;
  RunOutcome outcome = RunGuest("sleeper", {"60000"}, request);
  EXPECT_EQ(outcome.trap, TrapKind::kTimeout);
  EXPECT_EQ(outcome.stdout_bytes, "");
  EXPECT_LT(outcome.wall_us, 5'000'000u);
}

TEST_F(SandboxTest, ShortSleepCompletes) {
  RunOutcome outcome = RunGuest("sleeper", {"50"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.stdout_bytes, "awake\n");
  EXPECT_GE(outcome.wall_us, 50'000u);
}

TEST_F(SandboxTest, MemoryLimitStopsGrowingGuest) {
  RunRequest request;
  request.limits.max_memory_bytes = 16 << 20;
  RunOutcome outcome = RunGuest("memory_hog", {"64"}, request);
  EXPECT_EQ(outcome.trap, TrapKind::kMemoryLimit);
  EXPECT_EQ(outcome.message,
            "the guest tried to grow its memory beyond wasm_max_memory_size "
            "= 16777216 bytes");
  EXPECT_LE(outcome.peak_memory_bytes, 16u << 20);
}

TEST_F(SandboxTest, MemoryWithinLimitSucceeds) {
  RunRequest request;
  request.limits.max_memory_bytes = 64 << 20;
  RunOutcome outcome = RunGuest("memory_hog", {"8"}, request);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.stdout_bytes, "allocated 8 MiB\n");
  EXPECT_GE(outcome.peak_memory_bytes, 8u << 20);
}

TEST_F(SandboxTest, InitialMemoryAboveLimitIsMemoryLimit) {
  RunRequest request;
  request.limits.max_memory_bytes = 1 << 20;
  RunOutcome outcome = RunWat(R"((module
    (memory (export "memory") 100)
    (func (export "_start"))))",
                              request);
  EXPECT_EQ(outcome.trap, TrapKind::kMemoryLimit);
}

TEST_F(SandboxTest, DeepRecursionIsStackOverflow) {
  RunRequest request;
  request.limits.max_wasm_stack_bytes = 256 << 10;
  RunOutcome outcome = RunWat(R"((module
    (memory (export "memory") 1)
    (func $f (param i32) (result i32)
      (i32.add (call $f (local.get 0)) (i32.const 1)))
    (func (export "_start") (drop (call $f (i32.const 0))))))",
                              request);
  EXPECT_EQ(outcome.trap, TrapKind::kStackOverflow);
  EXPECT_EQ(outcome.message,
            "the guest overflowed its stack (wasm_max_wasm_stack = 262144 "
            "bytes)");
}

TEST_F(SandboxTest, UnreachableIsTrapWithMessage) {
  RunOutcome outcome = RunWat(R"((module
    (memory (export "memory") 1)
    (func (export "_start") unreachable)))");
  EXPECT_EQ(outcome.trap, TrapKind::kTrap);
  EXPECT_NE(outcome.message.find("unreachable"), std::string::npos)
      << outcome.message;
}

TEST_F(SandboxTest, OversizedRandomRequestTraps) {
  RunRequest request;
  request.limits.max_random_bytes = 1024;
  RunOutcome outcome = RunWat(R"((module
    (import "wasi_snapshot_preview1" "random_get"
      (func $random (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start") (drop (call $random (i32.const 0) (i32.const 4096))))))",
                              request);
  EXPECT_EQ(outcome.trap, TrapKind::kTrap);
  EXPECT_FALSE(outcome.exit_code.has_value());
  EXPECT_EQ(outcome.message,
            "the guest asked random_get for more than max_random_bytes = "
            "1024 bytes");
}

TEST_F(SandboxTest, TableGrowthLimitIsNamed) {
  RunRequest request;
  request.limits.max_table_elements = 10;
  RunOutcome outcome = RunWat(R"((module
    (memory (export "memory") 1)
    (table 1 funcref)
    (func (export "_start")
      (drop (table.grow (ref.null func) (i32.const 100))))))",
                              request);
  EXPECT_EQ(outcome.trap, TrapKind::kTrap);
  EXPECT_EQ(outcome.message,
            "the guest tried to grow a table beyond max_table_elements = 10 "
            "elements");
}

TEST_F(SandboxTest, RandomRequestWithinLimitSucceeds) {
  RunRequest request;
  request.limits.max_random_bytes = 4096;
  RunOutcome outcome = RunWat(R"((module
    (import "wasi_snapshot_preview1" "random_get"
      (func $random (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (call $exit (call $random (i32.const 0) (i32.const 4096))))))",
                              request);
  EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(SandboxTest, OutputCapsTruncateButGuestFinishes) {
  RunRequest request;
  request.limits.max_stdout_bytes = 1000;
  request.limits.max_stderr_bytes = 10;
  RunOutcome outcome = RunGuest("output_flood", {"100000", "50"}, request);
  EXPECT_EQ(outcome.exit_code, 7);
  EXPECT_EQ(outcome.stdout_bytes, std::string(1000, 'x'));
  EXPECT_TRUE(outcome.stdout_truncated);
  EXPECT_EQ(outcome.stderr_bytes, std::string(10, 'y'));
  EXPECT_TRUE(outcome.stderr_truncated);
}

TEST_F(SandboxTest, OutputUnderCapIsNotTruncated) {
  RunOutcome outcome = RunGuest("output_flood", {"10", "0"});
  EXPECT_EQ(outcome.stdout_bytes, "xxxxxxxxxx");
  EXPECT_FALSE(outcome.stdout_truncated);
  EXPECT_FALSE(outcome.stderr_truncated);
}

TEST_F(SandboxTest, SinksReceiveOutputAsWritten) {
  RunRequest request;
  std::string streamed;
  request.limits.max_stdout_bytes = 5;
  request.stdout_sink = [&](std::string_view b) { streamed.append(b); };
  RunOutcome outcome = RunGuest("output_flood", {"12", "0"}, request);
  EXPECT_EQ(streamed, "xxxxx");
  EXPECT_EQ(outcome.stdout_bytes, "xxxxx");
}

TEST_F(SandboxTest, EnvironmentIsOnlyWhatRequestGives) {
  RunRequest request;
  request.env = {{"ALPHA", "1"}};
  // environ_sizes_get reports the count at offset 0; exit with it.
  RunOutcome outcome = RunWat(R"((module
    (import "wasi_snapshot_preview1" "environ_sizes_get"
      (func $sizes (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (drop (call $sizes (i32.const 0) (i32.const 4)))
      (call $exit (i32.load (i32.const 0))))))",
                              request);
  EXPECT_EQ(outcome.exit_code, 1);
}

TEST_F(SandboxTest, CancelStopsRunningLoop) {
  CancellationSource source;
  RunRequest request;
  request.limits.fuel = UINT64_MAX / 2;
  request.cancel = source.token();
  Clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancelled_at = Clock::now();
    source.Cancel();
  });
  RunOutcome outcome = RunWat(kInfiniteLoop, request);
  Clock::time_point returned_at = Clock::now();
  canceller.join();
  EXPECT_EQ(outcome.trap, TrapKind::kCancelled);
  auto latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        returned_at - cancelled_at)
                        .count();
  std::printf("cancel latency: %lld ms\n", static_cast<long long>(latency_ms));
  EXPECT_LT(latency_ms, 200);
}

TEST_F(SandboxTest, CancelWakesSleepingGuest) {
  CancellationSource source;
  RunRequest request;
  request.cancel = source.token();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    source.Cancel();
  });
  RunOutcome outcome = RunGuest("sleeper", {"60000"}, request);
  canceller.join();
  EXPECT_EQ(outcome.trap, TrapKind::kCancelled);
  EXPECT_LT(outcome.wall_us, 5'000'000u);
}

TEST_F(SandboxTest, AlreadyCancelledRunDoesNotStart) {
  CancellationSource source;
  source.Cancel();
  RunRequest request;
  request.cancel = source.token();
  Result<RunOutcome> outcome = sandbox_.Run(
      ModuleSource::File(std::string(BOXAGNTS_GUEST_DIR) + "/hello.wasm"),
      request);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->trap, TrapKind::kCancelled);
  EXPECT_EQ(outcome->stdout_bytes, "");
  EXPECT_EQ(outcome->fuel_consumed, 0u);
}

TEST_F(SandboxTest, UnreachableMessageIsTheRootCause) {
  RunOutcome outcome = RunWat(R"((module
    (memory (export "memory") 1)
    (func (export "_start") unreachable)))");
  EXPECT_EQ(outcome.message,
            "wasm trap: wasm `unreachable` instruction executed");
}


TEST_F(SandboxTest, ParallelRunsKeepTheirOwnLimits) {
  constexpr int kRuns = 8;
  std::vector<RunOutcome> outcomes(kRuns);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; ++i) {
    threads.emplace_back([&, i] {
      RunRequest request;
      request.limits.fuel = 100'000ULL * (i + 1);
      Result<RunOutcome> outcome =
          sandbox_.Run(ModuleSource::Bytes(kInfiniteLoop), request);
      if (outcome.ok()) outcomes[i] = *outcome;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRuns; ++i) {
    EXPECT_EQ(outcomes[i].trap, TrapKind::kOutOfFuel) << "run " << i;
    EXPECT_EQ(outcomes[i].fuel_consumed, 100'000ULL * (i + 1)) << "run " << i;
  }
}

TEST_F(SandboxTest, CancellingOneRunLeavesOthersRunning) {
  CancellationSource first;
  RunRequest cancelled;
  cancelled.limits.fuel = UINT64_MAX / 2;
  cancelled.cancel = first.token();
  RunRequest sleeping;
  RunOutcome a, b;
  std::thread t1([&] { a = RunWat(kInfiniteLoop, cancelled); });
  std::thread t2([&] { b = RunGuest("sleeper", {"400"}, sleeping); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  first.Cancel();
  t1.join();
  t2.join();
  EXPECT_EQ(a.trap, TrapKind::kCancelled);
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_EQ(b.stdout_bytes, "awake\n");
}

TEST_F(SandboxTest, ModuleWithoutStartIsRejected) {
  Result<RunOutcome> outcome = sandbox_.Run(
      ModuleSource::Bytes("(module (memory (export \"memory\") 1))"), {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("no _start function"),
            std::string::npos)
      << outcome.status().message();
}

TEST_F(SandboxTest, UnknownImportIsRejectedByName) {
  Result<RunOutcome> outcome = sandbox_.Run(ModuleSource::Bytes(R"((module
    (import "env" "open_socket" (func))
    (func (export "_start"))))"),
                                            {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outcome.status().message().find("open_socket"), std::string::npos)
      << outcome.status().message();
}

TEST_F(SandboxTest, InvalidModuleBytesAreRejected) {
  Result<RunOutcome> outcome =
      sandbox_.Run(ModuleSource::Bytes("definitely not wasm"), {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("neither a WebAssembly binary"),
            std::string::npos)
      << outcome.status().message();
}

TEST_F(SandboxTest, MissingModuleFileNamesThePath) {
  Result<RunOutcome> outcome =
      sandbox_.Run(ModuleSource::File("/nonexistent/tool.wasm"), {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
  EXPECT_NE(outcome.status().message().find("/nonexistent/tool.wasm"),
            std::string::npos);
}

TEST_F(SandboxTest, ZeroLimitIsRejectedByName) {
  RunRequest request;
  request.limits.timeout_ms = 0;
  Result<RunOutcome> outcome =
      sandbox_.Run(ModuleSource::Bytes(kInfiniteLoop), request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().message(),
            "wasm_timeout must be greater than zero");
}

}  // namespace
}  // namespace boxagnts::sandbox
