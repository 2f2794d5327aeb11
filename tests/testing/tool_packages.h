// Test tool packages installed into a workspace's tools/ folder.

#ifndef BOXAGNTS_TESTS_TESTING_TOOL_PACKAGES_H_
#define BOXAGNTS_TESTS_TESTING_TOOL_PACKAGES_H_

#include <filesystem>
#include <fstream>
#include <string>

namespace boxagnts::testing {

// Installs "Sleep": the sleeper test guest, which sleeps one second.
inline void InstallSleepTool(const std::string& workspace) {
  std::string dir = workspace + "/tools/Sleep";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(
      std::string(BOXAGNTS_TEST_GUEST_DIR) + "/sleeper.wasm",
      dir + "/sleeper.wasm");
  std::ofstream(dir + "/tool.json") << R"({"name": "Sleep",
    "description": "Sleeps a second.", "input_schema": {"type": "object"},
    "read_only": true, "concurrency_safe": true, "capabilities": []})";
}

}  // namespace boxagnts::testing

#endif  // BOXAGNTS_TESTS_TESTING_TOOL_PACKAGES_H_
