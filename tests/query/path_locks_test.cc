// Path locks: writes to one file are ordered, other files run freely.

#include "query/path_locks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace boxagnts::query {
namespace {

tools::ToolSpec Writer() {
  tools::ToolSpec spec;
  spec.name = "Edit";
  spec.path_fields = {"file_path"};
  return spec;
}

// Runs `threads` holders of `paths[i]` at once and returns the most that
// were inside at the same time.
int PeakInside(const std::vector<std::string>& paths, const tools::ToolSpec& spec) {
  PathLocks locks;
  std::atomic<int> inside{0}, peak{0};
  std::vector<std::thread> threads;
  for (const std::string& path : paths) {
    threads.emplace_back([&, path] {
      PathLocks::Hold hold = locks.LockFor(spec, {{"file_path", path}}, "/w");
      int now = ++inside;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
      --inside;
    });
  }
  for (auto& thread : threads) thread.join();
  return peak.load();
}

TEST(PathLocks, SameFileIsSerialisedUnderAnySpelling) {
  EXPECT_EQ(PeakInside({"a.txt", "/w/a.txt", "./sub/../a.txt"}, Writer()), 1);
}

TEST(PathLocks, DifferentFilesAndReadsRunTogether) {
  EXPECT_EQ(PeakInside({"a.txt", "b.txt", "c.txt"}, Writer()), 3);
  tools::ToolSpec reader = Writer();
  reader.read_only = true;
  EXPECT_EQ(PeakInside({"a.txt", "a.txt", "a.txt"}, reader), 3);
}

}  // namespace
}  // namespace boxagnts::query
