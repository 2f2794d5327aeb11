#include "sandbox/config.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

TEST(SandboxConfig, ReadsEveryKey) {
  SandboxConfig config;
  Status status = LoadSandboxConfigText(R"(
[sandbox]
wasm_fuel = 5_000
wasm_timeout = 1.5
wasm_max_memory_size = "64M"
wasm_max_wasm_stack = 262144
max_stdout_bytes = "2K"
max_stderr_bytes = 100
work_dir = "/tmp"
map_dirs = ["/srv::/srv:ro", "/opt"]
allowed_outbound_hosts = ["https://*.example.com"]
block_networks = ["10.0.0.0/8"]
block_url = ["https://example.com/admin"]
)",
                                        "test.toml", &config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config.limits.fuel, 5000u);
  EXPECT_EQ(config.limits.timeout_ms, 1500u);
  EXPECT_EQ(config.limits.max_memory_bytes, 64u << 20);
  EXPECT_EQ(config.limits.max_wasm_stack_bytes, 262144u);
  EXPECT_EQ(config.limits.max_stdout_bytes, 2048u);
  EXPECT_EQ(config.limits.max_stderr_bytes, 100u);
  EXPECT_EQ(config.work_dir, "/tmp");
  ASSERT_EQ(config.map_dirs.size(), 2u);
  EXPECT_EQ(config.map_dirs[0].guest_path, "/srv");
  EXPECT_TRUE(config.map_dirs[0].read_only);
  EXPECT_EQ(config.map_dirs[1].host_path, "/opt");
  EXPECT_EQ(config.network.allowed_outbound_hosts,
            std::vector<std::string>{"https://*.example.com"});
  ASSERT_TRUE(config.network.block_networks.has_value());
  EXPECT_EQ(*config.network.block_networks,
            std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(config.network.block_url,
            std::vector<std::string>{"https://example.com/admin"});
}

TEST(SandboxConfig, DurationStrings) {
  SandboxConfig config;
  ASSERT_TRUE(LoadSandboxConfigText("[sandbox]\nwasm_timeout = \"250ms\"\n",
                                    "t.toml", &config)
                  .ok());
  EXPECT_EQ(config.limits.timeout_ms, 250u);
}

TEST(SandboxConfig, MissingTableKeepsDefaults) {
  SandboxConfig config;
  ASSERT_TRUE(LoadSandboxConfigText("[other]\nx = 1\n", "t.toml", &config).ok());
  EXPECT_EQ(config.limits.fuel, SandboxLimits{}.fuel);
  EXPECT_FALSE(config.network.block_networks.has_value());
}

TEST(SandboxConfig, UnknownKeyIsNamed) {
  SandboxConfig config;
  Status status =
      LoadSandboxConfigText("[sandbox]\nwasm_fule = 10\n", "t.toml", &config);
  EXPECT_EQ(status.message(),
            "t.toml: unknown key sandbox.wasm_fule (see the sandbox "
            "configuration keys in the README)");
}

TEST(SandboxConfig, WrongTypeIsNamed) {
  SandboxConfig config;
  Status status = LoadSandboxConfigText(
      "[sandbox]\nallowed_outbound_hosts = \"https://*\"\n", "t.toml", &config);
  EXPECT_EQ(status.message(),
            "t.toml: sandbox.allowed_outbound_hosts: expected an array of "
            "strings");
  status = LoadSandboxConfigText("[sandbox]\nwasm_fuel = -1\n", "t.toml",
                                 &config);
  EXPECT_EQ(status.message(),
            "t.toml: sandbox.wasm_fuel: expected a positive integer");
  status = LoadSandboxConfigText("[sandbox]\nwasm_max_memory_size = \"12Q\"\n",
                                 "t.toml", &config);
  EXPECT_EQ(status.message(),
            "t.toml: sandbox.wasm_max_memory_size: invalid size \"12Q\": "
            "expected bytes with an optional K, M or G suffix, such as 64M");
}

TEST(SandboxConfig, FailedLoadLeavesConfigUnchanged) {
  SandboxConfig config;
  Status status = LoadSandboxConfigText(
      "[sandbox]\nwasm_fuel = 7\nbogus = 1\n", "t.toml", &config);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(config.limits.fuel, SandboxLimits{}.fuel);
}

TEST(SandboxConfig, InvalidTomlReportsPosition) {
  SandboxConfig config;
  Status status =
      LoadSandboxConfigText("[sandbox\nwasm_fuel = 1\n", "t.toml", &config);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("invalid TOML in t.toml at line 1"),
            std::string::npos)
      << status.message();
}

TEST(SandboxConfig, InvalidMapDirIsNamed) {
  SandboxConfig config;
  Status status =
      LoadSandboxConfigText("[sandbox]\nmap_dirs = [\"/a::rel\"]\n", "t.toml",
                            &config);
  EXPECT_NE(status.message().find("sandbox.map_dirs"), std::string::npos);
  EXPECT_NE(status.message().find("must be absolute"), std::string::npos);
}

}  // namespace
}  // namespace boxagnts::sandbox
