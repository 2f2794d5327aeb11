#include "sandbox/module_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "sandbox/sandbox.h"
#include "testing/process.h"

namespace boxagnts::sandbox {
namespace {

namespace fs = std::filesystem;

constexpr char kExit3[] = R"((module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 3)))))";

constexpr uint64_t kStack = SandboxLimits{}.max_wasm_stack_bytes;

std::vector<fs::path> CacheFiles(const std::string& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    files.push_back(entry.path());
  }
  return files;
}

TEST(ModuleCache, SecondLoadHitsMemory) {
  testing::TempDir dir;
  Sandbox sandbox(dir.path());
  ASSERT_TRUE(sandbox.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  ASSERT_TRUE(sandbox.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  ModuleCacheStats stats = (*sandbox.CacheFor(kStack))->stats();
  EXPECT_EQ(stats.compiles, 1u);
  EXPECT_EQ(stats.memory_hits, 1u);
  EXPECT_EQ(stats.disk_hits, 0u);
}

TEST(ModuleCache, FreshProcessLoadsFromDisk) {
  testing::TempDir dir;
  {
    Sandbox first(dir.path());
    ASSERT_TRUE(first.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  }
  ASSERT_EQ(CacheFiles(dir.path()).size(), 1u);
  EXPECT_EQ(fs::status(dir.path()).permissions() & fs::perms::all,
            fs::perms::owner_all);
  Sandbox second(dir.path());
  Result<RunOutcome> outcome = second.Run(ModuleSource::Bytes(kExit3), {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->exit_code, 3);
  ModuleCacheStats stats = (*second.CacheFor(kStack))->stats();
  EXPECT_EQ(stats.compiles, 0u);
  EXPECT_EQ(stats.disk_hits, 1u);
}

TEST(ModuleCache, CorruptEntryIsRecompiled) {
  testing::TempDir dir;
  {
    Sandbox first(dir.path());
    ASSERT_TRUE(first.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  }
  fs::path entry = CacheFiles(dir.path()).at(0);
  std::string bytes = *ReadFileToString(entry.string());
  bytes[bytes.size() / 2] ^= 0x5a;
  ASSERT_TRUE(WriteFileAtomic(entry.string(), bytes).ok());

  Sandbox second(dir.path());
  Result<RunOutcome> outcome = second.Run(ModuleSource::Bytes(kExit3), {});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->exit_code, 3);
  ModuleCacheStats stats = (*second.CacheFor(kStack))->stats();
  EXPECT_EQ(stats.disk_rejects, 1u);
  EXPECT_EQ(stats.compiles, 1u);
  // The rewritten entry is good again.
  Sandbox third(dir.path());
  ASSERT_TRUE(third.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  EXPECT_EQ((*third.CacheFor(kStack))->stats().disk_hits, 1u);
}

TEST(ModuleCache, TruncatedAndForeignEntriesAreRecompiled) {
  testing::TempDir dir;
  {
    Sandbox first(dir.path());
    ASSERT_TRUE(first.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  }
  fs::path entry = CacheFiles(dir.path()).at(0);
  for (std::string contents : {std::string("BXAG"), std::string(),
                               std::string("not a cache entry at all")}) {
    ASSERT_TRUE(WriteFileAtomic(entry.string(), contents).ok());
    Sandbox sandbox(dir.path());
    Result<RunOutcome> outcome = sandbox.Run(ModuleSource::Bytes(kExit3), {});
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(outcome->exit_code, 3);
    EXPECT_EQ((*sandbox.CacheFor(kStack))->stats().compiles, 1u);
  }
}

TEST(ModuleCache, KeyCoversEngineSettings) {
  testing::TempDir dir;
  Sandbox sandbox(dir.path());
  auto a = sandbox.Load(ModuleSource::Bytes(kExit3), 512 << 10);
  auto b = sandbox.Load(ModuleSource::Bytes(kExit3), 2 << 20);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE((*a)->key, (*b)->key);
  EXPECT_EQ(CacheFiles(dir.path()).size(), 2u);
}

TEST(ModuleCache, KeyCoversModuleBytes) {
  Sandbox sandbox("");
  auto a = sandbox.Load(ModuleSource::Bytes(kExit3), kStack);
  std::string other = kExit3;
  other.replace(other.find("i32.const 3"), 11, "i32.const 4");
  auto b = sandbox.Load(ModuleSource::Bytes(other), kStack);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE((*a)->key, (*b)->key);
}

TEST(ModuleCache, ChangedFileIsReloaded) {
  testing::TempDir dir;
  std::string path = dir / "tool.wat";
  std::ofstream(path) << kExit3;
  Sandbox sandbox("");
  Result<RunOutcome> first = sandbox.Run(ModuleSource::File(path), {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->exit_code, 3);
  std::string changed = kExit3;
  changed.replace(changed.find("i32.const 3"), 11, "i32.const 9");
  // Different size, so the file identity changes even within one second.
  changed += "\n;; changed\n";
  std::ofstream(path, std::ios::trunc) << changed;
  Result<RunOutcome> second = sandbox.Run(ModuleSource::File(path), {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->exit_code, 9);
}

TEST(ModuleCache, UnwritableCacheDirStillRuns) {
  testing::TempDir dir;
  std::ofstream(dir / "blocker") << "a file where the cache dir should be";
  Sandbox sandbox(dir / "blocker");
  Result<RunOutcome> outcome = sandbox.Run(ModuleSource::Bytes(kExit3), {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->exit_code, 3);
}

}  // namespace
}  // namespace boxagnts::sandbox

namespace boxagnts::sandbox {
namespace {

TEST(ModuleCache, WritableMountOverCacheIsRejected) {
  testing::TempDir home;
  std::string cache = home / ".cache/boxagnts/modules";
  Sandbox sandbox(cache);
  RunRequest request;
  request.mounts = {Mount{home.path(), home.path(), false}};
  Result<RunOutcome> outcome = sandbox.Run(ModuleSource::Bytes(kExit3), request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outcome.status().message().find("contains the compiled-module cache"),
            std::string::npos)
      << outcome.status().message();
  // Read-only is fine: the guest cannot change the cache.
  request.mounts[0].read_only = true;
  outcome = sandbox.Run(ModuleSource::Bytes(kExit3), request);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->exit_code, 3);
}

TEST(ModuleCache, EntryWritableByOthersIsNotTrusted) {
  testing::TempDir dir;
  {
    Sandbox first(dir.path());
    ASSERT_TRUE(first.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  }
  fs::path entry = CacheFiles(dir.path()).at(0);
  fs::permissions(entry, fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::add);
  Sandbox second(dir.path());
  ASSERT_TRUE(second.Load(ModuleSource::Bytes(kExit3), kStack).ok());
  ModuleCacheStats stats = (*second.CacheFor(kStack))->stats();
  EXPECT_EQ(stats.disk_hits, 0u);
  EXPECT_EQ(stats.disk_rejects, 1u);
  EXPECT_EQ(stats.compiles, 1u);
}

TEST(ModuleCache, FifoEntryDoesNotBlock) {
  testing::TempDir dir;
  std::string key;
  {
    Sandbox first(dir.path());
    auto compiled = first.Load(ModuleSource::Bytes(kExit3), kStack);
    ASSERT_TRUE(compiled.ok());
    key = (*compiled)->key;
  }
  fs::path entry = CacheFiles(dir.path()).at(0);
  fs::remove(entry);
  ASSERT_EQ(mkfifo(entry.c_str(), 0600), 0);
  Sandbox second(dir.path());
  Result<RunOutcome> outcome = second.Run(ModuleSource::Bytes(kExit3), {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->exit_code, 3);
}

}  // namespace
}  // namespace boxagnts::sandbox
