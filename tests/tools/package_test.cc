#include "tools/package.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tools/registry.h"
#include "testing/process.h"

namespace boxagnts::tools {
namespace {

namespace fs = std::filesystem;

// A WASM tool package whose module echoes a fixed result.
constexpr char kEchoWat[] = R"((module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"content\":\"echo ok\",\"is_error\":false,\"metadata\":{\"n\":1}}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 57))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))))";

Json EchoManifest() {
  return {{"name", "Echo"},
          {"description", "Echoes"},
          {"input_schema", {{"type", "object"}}},
          {"read_only", true},
          {"concurrency_safe", true},
          {"capabilities", {"file_read"}},
          {"module", "echo.wat"}};
}

void WritePackage(const std::string& dir, const Json& manifest,
                  const std::string& module_name = "echo.wat") {
  fs::create_directories(dir);
  std::ofstream(dir + "/tool.json") << manifest.dump(2);
  std::ofstream(dir + "/" + module_name) << kEchoWat;
}

TEST(ToolPackage, LoadsManifestAndRuns) {
  testing::TempDir dir;
  WritePackage(dir / "echo", EchoManifest());
  Result<std::unique_ptr<WasmTool>> tool = LoadToolPackage(dir / "echo");
  ASSERT_TRUE(tool.ok()) << tool.status().ToString();
  EXPECT_EQ((*tool)->spec().name, "Echo");
  EXPECT_TRUE((*tool)->spec().read_only);
  EXPECT_EQ((*tool)->spec().capabilities, kCapabilityFileRead);
  ToolContext context;
  context.work_dir = dir.path();
  ToolResult result = (*tool)->Execute(Json::object(), context, {});
  EXPECT_FALSE(result.is_error) << result.content;
  EXPECT_EQ(result.content, "echo ok");
  // The guest's metadata, plus what the sandbox run cost.
  EXPECT_EQ(result.metadata["n"], 1);
  EXPECT_EQ(result.metadata["sandbox"]["fuel_consumed"], 12);
  EXPECT_EQ(result.metadata["sandbox"]["peak_memory_bytes"], 65536);
  EXPECT_GT(result.metadata["sandbox"]["run_us"].get<int64_t>(), 0);
}

TEST(ToolPackage, ManifestErrorsNameTheField) {
  struct Case {
    Json patch;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"name", ""}}, "\"name\" must be a non-empty string"},
      {{{"name", "has space"}}, "\"name\" \"has space\" is invalid"},
      {{{"description", 3}}, "\"description\" must be a non-empty string"},
      {{{"input_schema", {{"type", "string"}}}},
       "\"input_schema\" must be a JSON Schema object"},
      {{{"read_only", "yes"}}, "\"read_only\" must be true or false"},
      {{{"capabilities", {"sockets"}}}, "unknown capability \"sockets\""},
      {{{"capabilities", {"file_write"}}},
       "a read_only tool cannot declare the file_write capability"},
  };
  for (const Case& c : cases) {
    Json manifest = EchoManifest();
    manifest.update(c.patch);
    Result<ToolSpec> spec = ParseToolManifest(manifest);
    ASSERT_FALSE(spec.ok()) << c.patch.dump();
    EXPECT_NE(spec.status().message().find(c.expected), std::string::npos)
        << spec.status().message();
  }
}

TEST(ToolPackage, MissingModuleIsReported) {
  testing::TempDir dir;
  WritePackage(dir / "echo", EchoManifest(), "other.wat");
  Result<std::unique_ptr<WasmTool>> tool = LoadToolPackage(dir / "echo");
  ASSERT_FALSE(tool.ok());
  EXPECT_NE(tool.status().message().find("module \"echo.wat\" is missing"),
            std::string::npos);
}

TEST(ToolPackage, BrokenPackageBesideGoodOneIsSkipped) {
  testing::TempDir app;
  WritePackage(app / "tools/good", EchoManifest());
  fs::create_directories(app / "tools/broken");
  std::ofstream(app / "tools/broken/tool.json") << "{ not json";
  ToolRegistry registry = LoadToolRegistry({app.path(), ""});
  ASSERT_NE(registry.Find("Echo"), nullptr);
  ASSERT_EQ(registry.load_errors().size(), 1u);
  EXPECT_NE(registry.load_errors()[0].find("broken/tool.json"), std::string::npos)
      << registry.load_errors()[0];
}

TEST(ToolPackage, WorkspacePackageReplacesApplicationOne) {
  testing::TempDir app, workspace;
  WritePackage(app / "tools/echo", EchoManifest());
  Json manifest = EchoManifest();
  manifest["description"] = "workspace echo";
  WritePackage(workspace / "tools/echo", manifest);
  ToolRegistry registry = LoadToolRegistry({app.path(), workspace.path()});
  ASSERT_NE(registry.Find("Echo"), nullptr);
  EXPECT_EQ(registry.Find("Echo")->spec().description, "workspace echo");
}

TEST(ResultFromOutcome, CrashesBecomeErrors) {
  sandbox::RunOutcome outcome;
  outcome.exit_code = 3;
  outcome.stderr_bytes = "panic: oops";
  ToolResult result = ResultFromOutcome("Echo", outcome);
  EXPECT_TRUE(result.is_error);
  EXPECT_EQ(result.content, "tool Echo crashed with exit code 3: panic: oops");

  outcome.exit_code = 0;
  outcome.stdout_bytes = "not json";
  result = ResultFromOutcome("Echo", outcome);
  EXPECT_EQ(result.content,
            "tool Echo returned malformed output: expected one JSON object "
            "with content, is_error and metadata");

  outcome.stdout_bytes = R"({"content": 5})";
  result = ResultFromOutcome("Echo", outcome);
  EXPECT_EQ(result.content,
            "tool Echo returned malformed output: \"content\" must be a string");

  outcome.exit_code.reset();
  outcome.trap = sandbox::TrapKind::kOutOfFuel;
  outcome.message = "the run used all of its fuel (wasm_fuel = 5)";
  result = ResultFromOutcome("Echo", outcome);
  EXPECT_EQ(result.content,
            "tool Echo stopped: out_of_fuel: the run used all of its fuel "
            "(wasm_fuel = 5)");
  EXPECT_EQ(result.metadata["trap"], "out_of_fuel");
}

TEST(WasmTool, ReadOnlyToolGetsReadOnlyMounts) {
  testing::TempDir dir;
  ToolSpec spec;
  spec.name = "Reader";
  spec.read_only = true;
  WasmTool tool(spec, "/unused.wasm");
  ToolContext context;
  context.work_dir = dir.path();
  auto request = tool.BuildRunRequest(Json::object(), context, {});
  ASSERT_TRUE(request.ok());
  ASSERT_EQ(request->mounts.size(), 1u);
  EXPECT_TRUE(request->mounts[0].read_only);
  EXPECT_EQ(request->network, nullptr);
  EXPECT_EQ(request->env,
            (std::vector<std::pair<std::string, std::string>>{
                {"BOXAGNTS_WORK_DIR", dir.path()}}));

  spec.read_only = false;
  spec.capabilities = kCapabilityNetwork;
  WasmTool writer(spec, "/unused.wasm");
  request = writer.BuildRunRequest(Json::object(), context, {});
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->mounts[0].read_only);
  EXPECT_NE(request->network, nullptr);
  context.network.allowed_outbound_hosts.clear();
  request = writer.BuildRunRequest(Json::object(), context, {});
  EXPECT_EQ(request->network, nullptr) << "empty allow-list means no network";
}

}  // namespace
}  // namespace boxagnts::tools
