// `boxagnts sandbox run` as a user runs it.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "core/json.h"
#include "testing/process.h"

namespace boxagnts {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::TempDir;

const std::string kBinary = BOXAGNTS_BINARY;
const std::string kHello = std::string(BOXAGNTS_GUEST_DIR) + "/hello.wasm";
const std::string kProbe = std::string(BOXAGNTS_TEST_GUEST_DIR) + "/fs_probe.wasm";
const std::string kHog = std::string(BOXAGNTS_TEST_GUEST_DIR) + "/memory_hog.wasm";

constexpr char kLoopWat[] = R"((module
  (memory (export "memory") 1)
  (func (export "_start") (loop br 0))))";

constexpr char kExit42Wat[] = R"((module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 42)))))";

class SandboxCommandTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  CommandResult Run(std::vector<std::string> args,
                    const std::string& input = "") {
    args.insert(args.begin(), {kBinary, "sandbox", "run"});
    return RunCommand(args, input);
  }

  TempDir dir_;
};

TEST_F(SandboxCommandTest, PassesOutputAndExitCodeThrough) {
  CommandResult r = Run({kHello, "--", "x", "--not-a-flag"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "hello from the boxagnts sandbox\narg 1: x\narg 2: --not-a-flag\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(SandboxCommandTest, GuestExitCodeBecomesProcessExitCode) {
  CommandResult r = Run({WriteFile("exit.wat", kExit42Wat)});
  EXPECT_EQ(r.exit_code, 42);
}

TEST_F(SandboxCommandTest, LimitPrintsOneLineAndExits125) {
  CommandResult r = Run({"--fuel", "1000", WriteFile("loop.wat", kLoopWat)});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err,
            "boxagnts: out_of_fuel: the run used all of its fuel "
            "(wasm_fuel = 1000)\n");
}

TEST_F(SandboxCommandTest, TimeoutFlagAcceptsSeconds) {
  CommandResult r = Run({"--timeout", "0.2", "--fuel", "100000000000000",
                         WriteFile("loop.wat", kLoopWat)});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err,
            "boxagnts: timeout: the run exceeded its time limit "
            "(wasm_timeout = 200 ms)\n");
}

TEST_F(SandboxCommandTest, MaxMemoryAcceptsSuffix) {
  CommandResult r = Run({"--max-memory", "4M", kHog, "--", "64"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err,
            "boxagnts: memory_limit: the guest tried to grow its memory "
            "beyond wasm_max_memory_size = 4194304 bytes\n");
}

TEST_F(SandboxCommandTest, JsonPrintsOneObject) {
  CommandResult r = Run({"--json", kHello});
  EXPECT_EQ(r.exit_code, 0);
  Result<Json> json = ParseJson(r.out, "output");
  ASSERT_TRUE(json.ok()) << r.out;
  EXPECT_EQ((*json)["exit_code"], 0);
  EXPECT_TRUE((*json)["trap"].is_null());
  EXPECT_EQ((*json)["message"], "");
  EXPECT_EQ((*json)["stdout"], "hello from the boxagnts sandbox\n");
  EXPECT_EQ((*json)["stderr"], "");
  EXPECT_EQ((*json)["stdout_truncated"], false);
  EXPECT_EQ((*json)["stderr_truncated"], false);
  EXPECT_GT((*json)["fuel_consumed"].get<uint64_t>(), 0u);
  EXPECT_GE((*json)["wall_ms"].get<double>(), 0.0);
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "more than one line";
}

TEST_F(SandboxCommandTest, JsonReportsTrap) {
  CommandResult r =
      Run({"--json", "--fuel", "5000", WriteFile("loop.wat", kLoopWat)});
  EXPECT_EQ(r.exit_code, 125);
  Result<Json> json = ParseJson(r.out, "output");
  ASSERT_TRUE(json.ok()) << r.out;
  EXPECT_TRUE((*json)["exit_code"].is_null());
  EXPECT_EQ((*json)["trap"], "out_of_fuel");
  EXPECT_EQ((*json)["fuel_consumed"], 5000);
}

TEST_F(SandboxCommandTest, StdinEnvAndDirReachTheGuest) {
  std::string input = WriteFile("input.txt", "from a file");
  CommandResult r = Run({"--stdin", input, kProbe, "--", "stdin", "-"});
  EXPECT_EQ(r.out, "ok from a file\n");
  r = Run({"--env", "GREETING=hi there", kProbe, "--", "env", "GREETING"});
  EXPECT_EQ(r.out, "ok hi there\n");
  r = Run({"--dir", dir_.path() + "::/mnt:ro", kProbe, "--", "read",
           "/mnt/input.txt"});
  EXPECT_EQ(r.out, "ok from a file\n");
  r = Run({"--dir", dir_.path() + "::/mnt:ro", kProbe, "--", "write",
           "/mnt/input.txt", "changed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("error ", 0), 0u);
}

TEST_F(SandboxCommandTest, WorkDirAppearsAtItsPath) {
  WriteFile("notes.txt", "work");
  CommandResult r =
      Run({"--work-dir", dir_.path(), kProbe, "--", "read",
           dir_.path() + "/notes.txt"});
  EXPECT_EQ(r.out, "ok work\n");
}

TEST_F(SandboxCommandTest, ConfigFileSetsLimitsAndFlagsWin) {
  std::string config = WriteFile("box.toml", "[sandbox]\nwasm_fuel = 2000\n");
  std::string loop = WriteFile("loop.wat", kLoopWat);
  CommandResult r = Run({"--json", "--config", config, loop});
  EXPECT_EQ(ParseJson(r.out, "output")->at("fuel_consumed"), 2000);
  r = Run({"--json", "--config", config, "--fuel", "3000", loop});
  EXPECT_EQ(ParseJson(r.out, "output")->at("fuel_consumed"), 3000);
}

TEST_F(SandboxCommandTest, TruncatedOutputIsReported) {
  std::string config =
      WriteFile("caps.toml", "[sandbox]\nmax_stdout_bytes = 10\n");
  CommandResult r =
      Run({"--config", config,
           std::string(BOXAGNTS_TEST_GUEST_DIR) + "/output_flood.wasm", "--",
           "100", "0"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, "xxxxxxxxxx");
  EXPECT_EQ(r.err, "boxagnts: stdout truncated at 10 bytes (max_stdout_bytes)\n");
}

TEST_F(SandboxCommandTest, BadValuesAreUsageErrors) {
  CommandResult r = Run({"--timeout", "soon", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "boxagnts sandbox run: --timeout: invalid duration \"soon\": "
            "expected seconds such as 2 or 0.5, or a value with ms, s, m or "
            "h\n");
  r = Run({"--max-memory", "0", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "boxagnts sandbox run: --max-memory: size \"0\" must be greater "
            "than zero\n");
  r = Run({"--dir", "/no/such/dir", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "boxagnts sandbox run: mapped directory \"/no/such/dir\": No "
            "such file or directory\n");
  r = Run({"--env", "NOEQUALS", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "boxagnts sandbox run: --env \"NOEQUALS\": expected NAME=VALUE\n");
  r = Run({"--config", dir_ / "missing.toml", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.toml"), std::string::npos);
}

TEST_F(SandboxCommandTest, InvalidAllowHostIsConfigurationError) {
  CommandResult r = Run({"--allow-host", "ftp://files.example.com", kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ftp://files.example.com"), std::string::npos) << r.err;
}

TEST_F(SandboxCommandTest, MissingModuleExits126) {
  CommandResult r = Run({dir_ / "none.wasm"});
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_NE(r.err.find("none.wasm"), std::string::npos);
}

TEST_F(SandboxCommandTest, UnknownFlagIsUsageError) {
  CommandResult r = Run({"--fuell", "1", kHello});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace boxagnts

namespace boxagnts {
namespace {

// A loopback HTTP server on 127.0.0.1 that counts requests.
class CountingServer {
 public:
  CountingServer() {
    server_.Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      res.set_content("pong", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~CountingServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

const std::string kHttpProbe =
    std::string(BOXAGNTS_TEST_GUEST_DIR) + "/http_probe.wasm";

TEST(SandboxCommandNetwork, LiteralLoopbackAllowReachesServer) {
  CountingServer server;
  std::string origin = server.Url("");
  CommandResult r = RunCommand({kBinary, "sandbox", "run", "--allow-host",
                                origin, kHttpProbe, "--", server.Url("/ping")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("body pong"), std::string::npos) << r.out;
  EXPECT_EQ(server.requests(), 1);
}

TEST(SandboxCommandNetwork, WildcardDoesNotOptInLoopback) {
  CountingServer server;
  CommandResult r = RunCommand({kBinary, "sandbox", "run", "--allow-host",
                                "http://*:*", kHttpProbe, "--",
                                server.Url("/ping")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("error -2 ", 0), 0u) << r.out;
  EXPECT_EQ(server.requests(), 0);
}

TEST(SandboxCommandNetwork, BlockUrlAndBlockNetworkFlagsApply) {
  CountingServer server;
  std::string origin = server.Url("");
  CommandResult r = RunCommand({kBinary, "sandbox", "run", "--allow-host",
                                origin, "--block-url", server.Url("/admin"),
                                kHttpProbe, "--", server.Url("//admin/x")});
  EXPECT_EQ(r.out.rfind("error -2 ", 0), 0u) << r.out;
  r = RunCommand({kBinary, "sandbox", "run", "--allow-host",
                  "http://127.0.0.0/8:*", "--block-network", "127.0.0.1/32",
                  kHttpProbe, "--", server.Url("/ping")});
  EXPECT_EQ(r.out.rfind("error -2 ", 0), 0u) << r.out;
  EXPECT_EQ(server.requests(), 0);
}

}  // namespace
}  // namespace boxagnts

namespace boxagnts {
namespace {

const std::string kFlood =
    std::string(BOXAGNTS_TEST_GUEST_DIR) + "/output_flood.wasm";

TEST(SandboxCommandLimits, StackAboveMaximumIsUsageError) {
  CommandResult r = RunCommand({kBinary, "sandbox", "run", "--max-stack", "4M",
                                kHello});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "boxagnts sandbox run: wasm_max_wasm_stack is 4194304 bytes, "
            "above the maximum of 2097152 bytes\n");
}

TEST(SandboxCommandPipes, ClosedReaderKeepsGuestExitCode) {
  CommandResult r = RunCommand(
      {"/bin/bash", "-c",
       "'" + kBinary + "' sandbox run '" + kFlood +
           "' -- 1000000 0 | head -c 5 >/dev/null; echo ${PIPESTATUS[0]}"});
  EXPECT_EQ(r.out, "7\n") << r.err;
}

TEST(SandboxCommandPipes, SlowReaderDoesNotHoldGuest) {
  // The guest writes 5 MB and exits at once; the reader waits 2 s. With a
  // 1 s timeout the run must still end by exit, not by timeout.
  CommandResult r = RunCommand(
      {"/bin/bash", "-c",
       "'" + kBinary + "' sandbox run --timeout 1 '" + kFlood +
           "' -- 5000000 0 | (sleep 2; wc -c)"});
  EXPECT_EQ(r.out, "5000000\n");
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace boxagnts
