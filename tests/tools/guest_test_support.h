// Test helpers for the built-in tools' WebAssembly modules: run a tool
// from its folder under BOXAGNTS_TOOLS_DIR the way the host does (input
// JSON on stdin, BOXAGNTS_WORK_DIR, the work dir mounted) and parse the
// one result object it prints.

#ifndef BOXAGNTS_TESTS_TOOLS_GUEST_TEST_SUPPORT_H_
#define BOXAGNTS_TESTS_TOOLS_GUEST_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/files.h"
#include "core/json.h"
#include "sandbox/net_broker.h"
#include "sandbox/sandbox.h"
#include "testing/process.h"

namespace boxagnts::testing {

// The result a tool module prints.
struct ToolOutput {
  std::string content;
  bool is_error = false;
  Json metadata = Json::object();
};

// The sandbox shared by every test, so each module compiles once.
inline sandbox::Sandbox& SharedSandbox() {
  static sandbox::Sandbox* instance = new sandbox::Sandbox("");
  return *instance;
}

// Returns the path of tool `name`'s module, from its tool.json.
inline std::string ToolModulePath(const std::string& name) {
  std::string folder = std::string(BOXAGNTS_TOOLS_DIR) + "/" + name;
  Result<std::string> text = ReadFileToString(folder + "/tool.json");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  if (!text.ok()) return "";
  Result<Json> manifest = ParseJson(*text, name + "/tool.json");
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  if (!manifest.ok()) return "";
  return folder + "/" + manifest->value("module", "");
}

// Runs tool `name` on `input` with `work_dir` mounted (read-only when
// `read_only`), and checks that the module exited 0 with exactly one JSON
// result object on stdout.
inline ToolOutput RunTool(const std::string& name, const Json& input,
                          const std::string& work_dir, bool read_only,
                          std::shared_ptr<sandbox::NetworkBroker> network =
                              nullptr) {
  sandbox::RunRequest request;
  request.program_name = name;
  request.stdin_bytes = input.dump();
  request.env = {{"BOXAGNTS_WORK_DIR", work_dir}};
  Result<std::vector<sandbox::Mount>> mounts =
      sandbox::ResolveMounts(work_dir, {});
  EXPECT_TRUE(mounts.ok()) << mounts.status().ToString();
  if (!mounts.ok()) return {};
  request.mounts = *mounts;
  for (sandbox::Mount& mount : request.mounts) mount.read_only = read_only;
  request.network = std::move(network);

  Result<sandbox::RunOutcome> outcome = SharedSandbox().Run(
      sandbox::ModuleSource::File(ToolModulePath(name)), request);
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  if (!outcome.ok()) return {};
  EXPECT_EQ(outcome->trap, sandbox::TrapKind::kNone) << outcome->message;
  EXPECT_EQ(outcome->exit_code, 0) << outcome->stderr_bytes;
  const std::string& out = outcome->stdout_bytes;
  EXPECT_FALSE(out.empty()) << "no output; stderr: " << outcome->stderr_bytes;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "not one line: " << out;
  Result<Json> result = ParseJson(out, name + " output");
  EXPECT_TRUE(result.ok()) << result.status().ToString() << ": " << out;
  if (!result.ok()) return {};
  EXPECT_TRUE(result->is_object()) << out;
  EXPECT_EQ(result->size(), 3u) << out;
  ToolOutput output;
  output.content = result->value("content", "");
  output.is_error = result->value("is_error", true);
  output.metadata = result->value("metadata", Json::object());
  return output;
}

// Writes `contents` to `path`, creating parent directories.
inline void WriteTestFile(const std::string& path,
                          const std::string& contents) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

// Sets the modification time of `path` to `seconds` after the epoch.
inline void SetMtime(const std::string& path, long seconds) {
  struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0)
      << path;
}

// Returns the contents of `path`, or "<missing>".
inline std::string ReadTestFile(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  return text.ok() ? *text : "<missing>";
}

// Returns the names in directory `path`, sorted.
inline std::vector<std::string> ListNames(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace boxagnts::testing

#endif  // BOXAGNTS_TESTS_TOOLS_GUEST_TEST_SUPPORT_H_
