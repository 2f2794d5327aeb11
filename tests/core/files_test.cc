#include "core/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "testing/process.h"

namespace boxagnts {
namespace {

TEST(WriteFileAtomic, WritesContentAndMode) {
  testing::TempDir dir;
  std::string path = dir / "out.txt";
  ASSERT_TRUE(WriteFileAtomic(path, "first", 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second", 0600).ok());
  EXPECT_EQ(*ReadFileToString(path), "second");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(WriteFileAtomic, MissingDirectoryFailsWithPath) {
  Status status = WriteFileAtomic("/nonexistent/dir/file", "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("/nonexistent/dir/file"), std::string::npos);
}

TEST(ReadFileToString, MissingFileNamesPath) {
  Result<std::string> text = ReadFileToString("/nonexistent/file");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "open \"/nonexistent/file\": No such file or directory");
}

TEST(Sha256Hex, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace boxagnts
