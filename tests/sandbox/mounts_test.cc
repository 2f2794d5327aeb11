#include "sandbox/mounts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/process.h"

namespace boxagnts::sandbox {
namespace {

TEST(ParseMapDir, HostOnlyKeepsGuestEmpty) {
  Result<Mount> mount = ParseMapDir("/srv/data");
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(mount->host_path, "/srv/data");
  EXPECT_EQ(mount->guest_path, "");
  EXPECT_FALSE(mount->read_only);
}

TEST(ParseMapDir, HostGuestReadOnly) {
  Result<Mount> mount = ParseMapDir("/srv/data::/data//x/:ro");
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(mount->host_path, "/srv/data");
  EXPECT_EQ(mount->guest_path, "/data/x");
  EXPECT_TRUE(mount->read_only);
}

TEST(ParseMapDir, ExplicitReadWrite) {
  Result<Mount> mount = ParseMapDir("/a::/b:rw");
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(mount->guest_path, "/b");
  EXPECT_FALSE(mount->read_only);
}

TEST(ParseMapDir, RejectsEmptyParts) {
  EXPECT_FALSE(ParseMapDir("").ok());
  EXPECT_FALSE(ParseMapDir("::/guest").ok());
  Result<Mount> no_guest = ParseMapDir("/host::");
  ASSERT_FALSE(no_guest.ok());
  EXPECT_EQ(no_guest.status().message(),
            "invalid directory mapping \"/host::\": expected HOST, "
            "HOST::GUEST, with an optional :ro suffix");
}

TEST(ParseMapDir, RejectsRelativeAndDotDotGuest) {
  Result<Mount> relative = ParseMapDir("/a::data");
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.status().message().find("must be absolute"),
            std::string::npos);
  Result<Mount> dotdot = ParseMapDir("/a::/data/../etc");
  ASSERT_FALSE(dotdot.ok());
  EXPECT_NE(dotdot.status().message().find("must not contain \"..\""),
            std::string::npos);
}

TEST(NormalizeGuestPath, CollapsesSlashesAndDots) {
  EXPECT_EQ(*NormalizeGuestPath("/"), "/");
  EXPECT_EQ(*NormalizeGuestPath("//a/./b//"), "/a/b");
}

TEST(ResolveMounts, WorkDirFirstAtItsHostPath) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "data");
  Result<std::vector<Mount>> mounts =
      ResolveMounts(dir.path(), {*ParseMapDir(dir / "data" + "::/data:ro")});
  ASSERT_TRUE(mounts.ok()) << mounts.status().ToString();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].host_path, dir.path());
  EXPECT_EQ((*mounts)[0].guest_path, dir.path());
  EXPECT_FALSE((*mounts)[0].read_only);
  EXPECT_EQ((*mounts)[1].guest_path, "/data");
  EXPECT_TRUE((*mounts)[1].read_only);
}

TEST(ResolveMounts, ResolvesSymlinkedHostPath) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "real");
  std::filesystem::create_directory_symlink(dir / "real", dir / "link");
  Result<std::vector<Mount>> mounts = ResolveMounts(dir / "link", {});
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ((*mounts)[0].host_path, dir / "real");
}

TEST(ResolveMounts, MissingDirectoryIsNamed) {
  Result<std::vector<Mount>> mounts = ResolveMounts("/no/such/dir", {});
  ASSERT_FALSE(mounts.ok());
  EXPECT_EQ(mounts.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(mounts.status().message(),
            "work dir \"/no/such/dir\": No such file or directory");
}

TEST(ResolveMounts, FileIsNotADirectory) {
  testing::TempDir dir;
  std::ofstream(dir / "file") << "x";
  Result<std::vector<Mount>> mounts =
      ResolveMounts("", {*ParseMapDir(dir / "file")});
  ASSERT_FALSE(mounts.ok());
  EXPECT_NE(mounts.status().message().find("is not a directory"),
            std::string::npos);
}

TEST(ResolveMounts, DuplicateGuestPathIsRejected) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "a");
  std::filesystem::create_directory(dir / "b");
  Result<std::vector<Mount>> mounts = ResolveMounts(
      "", {*ParseMapDir(dir / "a" + "::/x"), *ParseMapDir(dir / "b" + "::/x")});
  ASSERT_FALSE(mounts.ok());
  EXPECT_NE(mounts.status().message().find("\"/x\""), std::string::npos);
}

}  // namespace
}  // namespace boxagnts::sandbox

namespace boxagnts::sandbox {
namespace {

TEST(ParseMapDir, SuffixIgnoresCase) {
  Result<Mount> mount = ParseMapDir("/a::/data:RO");
  ASSERT_TRUE(mount.ok());
  EXPECT_TRUE(mount->read_only);
  EXPECT_EQ(mount->guest_path, "/data");
}

TEST(ParseMapDir, ColonInGuestPathIsRejected) {
  Result<Mount> mount = ParseMapDir("/a::/data:ro:x");
  ASSERT_FALSE(mount.ok());
  EXPECT_NE(mount.status().message().find("must not contain ':'"),
            std::string::npos)
      << mount.status().message();
  EXPECT_FALSE(ParseMapDir("/a::/data: ro").ok());
}

}  // namespace
}  // namespace boxagnts::sandbox
