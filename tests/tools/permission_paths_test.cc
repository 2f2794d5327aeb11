#include "tools/permission_paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "testing/process.h"

namespace boxagnts::tools {
namespace {

void MakeDir(const std::string& path) {
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0) << path;
}

void MakeFile(const std::string& path) { std::ofstream(path) << "x"; }

void MakeSymlink(const std::string& target, const std::string& link) {
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
}

std::string Resolve(const std::string& path) {
  Result<std::string> resolved = ResolvePath(path);
  EXPECT_TRUE(resolved.ok()) << resolved.status().ToString();
  return resolved.ok() ? *resolved : "";
}

TEST(NormalizePathLexically, RemovesDotsAndRepeatedSlashes) {
  EXPECT_EQ(NormalizePathLexically("/w/./a/../b"), "/w/b");
  EXPECT_EQ(NormalizePathLexically("/w//a///b/"), "/w/a/b");
  EXPECT_EQ(NormalizePathLexically("/../../etc"), "/etc");
  EXPECT_EQ(NormalizePathLexically("/"), "/");
  EXPECT_EQ(NormalizePathLexically("//"), "/");
  EXPECT_EQ(NormalizePathLexically("/w/a/.."), "/w");
}

TEST(MakeAbsolutePath, RelativeToWorkDir) {
  EXPECT_EQ(*MakeAbsolutePath("./a/../b", "/w", "/home/u"), "/w/b");
  EXPECT_EQ(*MakeAbsolutePath("a//b", "/w", "/home/u"), "/w/a/b");
  EXPECT_EQ(*MakeAbsolutePath("", "/w", "/home/u"), "/w");
  EXPECT_EQ(*MakeAbsolutePath("../../x", "/w", "/home/u"), "/x");
}

TEST(MakeAbsolutePath, AbsoluteAndHomePaths) {
  EXPECT_EQ(*MakeAbsolutePath("//etc//passwd", "/w", "/home/u"),
            "/etc/passwd");
  EXPECT_EQ(*MakeAbsolutePath("~", "/w", "/home/u"), "/home/u");
  EXPECT_EQ(*MakeAbsolutePath("~/.ssh/id", "/w", "/home/u"),
            "/home/u/.ssh/id");
  // Only "~" and "~/" expand; "~user" is an ordinary name.
  EXPECT_EQ(*MakeAbsolutePath("~bob/x", "/w", "/home/u"), "/w/~bob/x");
}

TEST(MakeAbsolutePath, ErrorsNameThePath) {
  // Without a home directory "~" is an ordinary name, as tools read it.
  EXPECT_EQ(*MakeAbsolutePath("~/x", "/w", ""), "/w/~/x");
  Result<std::string> relative_home = MakeAbsolutePath("~/x", "/w", "home");
  ASSERT_FALSE(relative_home.ok());
  EXPECT_EQ(relative_home.status().message(),
            "path \"~/x\" starts with ~ but the home directory \"home\" is "
            "not absolute");

  Result<std::string> relative_base = MakeAbsolutePath("a", "w", "/home/u");
  ASSERT_FALSE(relative_base.ok());
  EXPECT_EQ(relative_base.status().message(),
            "path \"a\" is relative but the work dir \"w\" is not an absolute "
            "path");

  Result<std::string> nul =
      MakeAbsolutePath(std::string_view("a\0b", 3), "/w", "/home/u");
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.status().message(), "path \"a...\" contains a NUL byte");
}

TEST(ResolvePath, FollowsLinksInsideAndOut) {
  testing::TempDir root;
  MakeDir(root / "w");
  MakeDir(root / "w/src");
  MakeDir(root / "outside");
  MakeFile(root / "outside/secret");
  MakeSymlink("src", root / "w/inner");
  MakeSymlink(root / "outside", root / "w/escape");

  EXPECT_EQ(Resolve(root / "w/inner/a.cc"), root / "w/src/a.cc");
  EXPECT_EQ(Resolve(root / "w/escape/secret"), root / "outside/secret");
  EXPECT_EQ(Resolve(root / "w/src/new/deeper"), root / "w/src/new/deeper");
}

TEST(ResolvePath, DotDotAfterLinkIsPhysical) {
  testing::TempDir root;
  MakeDir(root / "w");
  MakeDir(root / "outside");
  MakeDir(root / "outside/deep");
  MakeSymlink(root / "outside/deep", root / "w/link");
  // The kernel resolves link/.. to the link target's parent.
  EXPECT_EQ(Resolve(root / "w/link/../x"), root / "outside/x");
  EXPECT_EQ(NormalizePathLexically(root / "w/link/../x"), root / "w/x");
}

TEST(ResolvePath, DanglingLinkFollowsToMissingTarget) {
  testing::TempDir root;
  MakeDir(root / "w");
  MakeSymlink(root / "nowhere/file", root / "w/dangling");
  EXPECT_EQ(Resolve(root / "w/dangling"), root / "nowhere/file");
}

TEST(ResolvePath, RelativeLinkChain) {
  testing::TempDir root;
  MakeDir(root / "w");
  MakeDir(root / "w/a");
  MakeSymlink("../b", root / "w/a/up");
  MakeSymlink("a/up", root / "w/chain");
  EXPECT_EQ(Resolve(root / "w/chain/f"), root / "w/b/f");
}

TEST(ResolvePath, LoopIsAnError) {
  testing::TempDir root;
  MakeSymlink(root / "two", root / "one");
  MakeSymlink(root / "one", root / "two");
  Result<std::string> resolved = ResolvePath(root / "one/x");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), StatusCode::kIoError);
  EXPECT_NE(resolved.status().message().find("more than 40 symbolic links"),
            std::string::npos);
}

TEST(ResolvePath, FileUsedAsDirectoryCountsAsMissing) {
  testing::TempDir root;
  MakeFile(root / "file");
  EXPECT_EQ(Resolve(root / "file/x"), root / "file/x");
}

TEST(SegmentsBelow, InsideOutsideAndPrefixTrap) {
  auto below = SegmentsBelow("/w/a/b", "/w");
  ASSERT_TRUE(below.has_value());
  ASSERT_EQ(below->size(), 2u);
  EXPECT_EQ((*below)[0], "a");
  EXPECT_EQ((*below)[1], "b");
  EXPECT_TRUE(SegmentsBelow("/w", "/w")->empty());
  EXPECT_FALSE(SegmentsBelow("/wx/a", "/w").has_value());
  EXPECT_FALSE(SegmentsBelow("/v/a", "/w").has_value());
  EXPECT_EQ(SegmentsBelow("/etc/x", "/")->size(), 2u);
  EXPECT_TRUE(IsSameOrInside("/w/a", "/w"));
  EXPECT_FALSE(IsSameOrInside("/w2", "/w"));
}

}  // namespace
}  // namespace boxagnts::tools
