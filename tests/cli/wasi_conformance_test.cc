// Runs the WASI test suite (wasm32-wasip1) through `boxagnts sandbox run`.
//
// The suite is looked up in $BOXAGNTS_WASI_TESTSUITE, else beside the
// source tree in ../shared/conformance/wasi-testsuite; the tests are skipped
// with a message when neither exists. Each test case is a .wasm file with
// an optional .json specification of arguments, environment, root
// directory and the expected exit code, stdout and stderr.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/files.h"
#include "core/json.h"
#include "testing/process.h"

namespace boxagnts {
namespace {

namespace fs = std::filesystem;

// Tests that cannot pass, with the reason. Empty while every test passes.
const std::map<std::string, std::string>& KnownFailures() {
  static const auto* failures = new std::map<std::string, std::string>{};
  return *failures;
}

std::string SuiteDir() {
  if (const char* dir = std::getenv("BOXAGNTS_WASI_TESTSUITE"); dir && *dir) {
    return dir;
  }
  return std::string(BOXAGNTS_SOURCE_DIR) +
         "/../shared/conformance/wasi-testsuite";
}

std::vector<std::string> TestCases() {
  std::vector<std::string> cases;
  std::error_code ec;
  fs::path tests = fs::path(SuiteDir()) / "tests";
  if (!fs::is_directory(tests, ec)) return cases;
  for (const auto& entry : fs::recursive_directory_iterator(tests, ec)) {
    if (entry.path().extension() == ".wasm" &&
        entry.path().parent_path().filename() == "wasm32-wasip1") {
      cases.push_back(fs::relative(entry.path(), tests).string());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// Expectations of one test case, with the specification's defaults.
struct Spec {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string root;  // relative to the test's folder; empty for none
  int exit_code = 0;
  std::string stdout_text, stderr_text;
  bool check_stdout = true, check_stderr = true;
  std::vector<std::string> proposals;
};

Spec ReadSpec(const fs::path& wasm) {
  Spec spec;
  fs::path json_path = wasm;
  json_path.replace_extension(".json");
  Result<std::string> text = ReadFileToString(json_path.string());
  if (!text.ok()) return spec;
  Result<Json> parsed = ParseJson(*text, json_path.string());
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.status().ToString();
    return spec;
  }
  const Json& json = *parsed;
  auto read_run = [&](const Json& run) {
    for (const auto& arg : run.value("args", Json::array())) {
      spec.args.push_back(arg.get<std::string>());
    }
    const Json env = run.value("env", Json::object());
    for (const auto& [key, value] : env.items()) {
      spec.env.emplace_back(key, value.get<std::string>());
    }
    if (run.contains("root") && run["root"].is_string()) {
      spec.root = run["root"].get<std::string>();
    }
  };
  if (json.contains("operations")) {
    spec.check_stdout = spec.check_stderr = false;
    for (const auto& p : json.value("proposals", Json::array())) {
      spec.proposals.push_back(p.get<std::string>());
    }
    for (const auto& op : json["operations"]) {
      std::string type = op.value("type", "");
      if (type == "run") read_run(op);
      if (type == "wait") spec.exit_code = op.value("exit_code", 0);
      if (type == "read") {
        bool is_stdout = op.value("id", "stdout") == "stdout";
        (is_stdout ? spec.stdout_text : spec.stderr_text) =
            op.value("payload", "");
        (is_stdout ? spec.check_stdout : spec.check_stderr) = true;
      }
    }
    return spec;
  }
  read_run(json);
  spec.exit_code = json.value("exit_code", 0);
  spec.stdout_text = json.value("stdout", "");
  spec.stderr_text = json.value("stderr", "");
  return spec;
}

class WasiConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(WasiConformance, Passes) {
  const std::string& name = GetParam();
  if (auto known = KnownFailures().find(name); known != KnownFailures().end()) {
    GTEST_SKIP() << "known failure: " << known->second;
  }
  fs::path wasm = fs::path(SuiteDir()) / "tests" / name;
  Spec spec = ReadSpec(wasm);
  if (!spec.proposals.empty()) {
    GTEST_SKIP() << "needs WASI proposals the sandbox does not offer to "
                    "guests (guests get no sockets): "
                 << spec.proposals.front();
  }

  std::vector<std::string> argv = {BOXAGNTS_BINARY, "sandbox", "run",
                                   "--timeout", "60"};
  testing::TempDir scratch;
  if (!spec.root.empty()) {
    // The suite may be read-only, and tests write into their root, so
    // each run gets a fresh copy.
    fs::path source = wasm.parent_path() / spec.root;
    fs::copy(source, scratch.path(),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (auto& entry : fs::recursive_directory_iterator(scratch.path())) {
      if (!entry.is_symlink()) {
        fs::permissions(entry.path(), fs::perms::owner_write,
                        fs::perm_options::add);
      }
    }
    argv.push_back("--dir");
    argv.push_back(scratch.path() + "::/");
  }
  for (const auto& [key, value] : spec.env) {
    argv.push_back("--env");
    argv.push_back(key + "=" + value);
  }
  argv.push_back(wasm.string());
  argv.push_back("--");
  for (const std::string& arg : spec.args) argv.push_back(arg);

  testing::CommandResult result = testing::RunCommand(argv);
  EXPECT_EQ(result.exit_code, spec.exit_code) << result.err;
  if (spec.check_stdout) EXPECT_EQ(result.out, spec.stdout_text);
  if (spec.check_stderr) EXPECT_EQ(result.err, spec.stderr_text);
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(WasiTestsuite, WasiConformance,
                         ::testing::ValuesIn(TestCases()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(WasiConformance);

TEST(WasiConformanceSuite, IsPresentOrSkipped) {
  if (TestCases().empty()) {
    GTEST_SKIP() << "WASI test suite not found at " << SuiteDir()
                 << "; set BOXAGNTS_WASI_TESTSUITE to run it";
  }
  SUCCEED() << TestCases().size() << " test cases";
}

}  // namespace
}  // namespace boxagnts
