// What a guest can and cannot reach through its mounts.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "sandbox/sandbox.h"
#include "testing/process.h"

namespace boxagnts::sandbox {
namespace {

namespace fs = std::filesystem;

// Lays out a work dir with a file, a secret outside it, and a read-only
// data dir, then runs fs_probe against them.
class FilesystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(root_ / "work");
    fs::create_directory(root_ / "data");
    std::ofstream(root_ / "work/notes.txt") << "notes";
    std::ofstream(root_ / "secret.txt") << "TOP-SECRET";
    std::ofstream(root_ / "data/input.txt") << "input";
    work_ = root_ / "work";
    data_ = root_ / "data";
  }

  // Runs `fs_probe args...` with the work dir read-write and the data dir
  // read-only at /data. Returns stdout.
  std::string Probe(std::vector<std::string> args, int* exit_code = nullptr) {
    RunRequest request;
    request.args = std::move(args);
    Result<std::vector<Mount>> mounts =
        ResolveMounts(work_, {*ParseMapDir(data_ + "::/data:ro")});
    EXPECT_TRUE(mounts.ok()) << mounts.status().ToString();
    request.mounts = *mounts;
    Result<RunOutcome> outcome = sandbox_.Run(
        ModuleSource::File(std::string(BOXAGNTS_TEST_GUEST_DIR) +
                           "/fs_probe.wasm"),
        request);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    if (!outcome.ok()) return "";
    EXPECT_EQ(outcome->trap, TrapKind::kNone) << outcome->message;
    if (exit_code != nullptr) *exit_code = outcome->exit_code.value_or(-1);
    return outcome->stdout_bytes;
  }

  std::string HostFile(const std::string& path) {
    Result<std::string> text = ReadFileToString(path);
    return text.ok() ? *text : "<missing>";
  }

  testing::TempDir root_;
  std::string work_, data_;
  Sandbox sandbox_{""};
};

TEST_F(FilesystemTest, ReadsAndWritesInsideWorkDir) {
  EXPECT_EQ(Probe({"read", work_ + "/notes.txt"}), "ok notes\n");
  EXPECT_EQ(Probe({"write", work_ + "/new.txt", "hello"}), "ok\n");
  EXPECT_EQ(HostFile(work_ + "/new.txt"), "hello");
}

TEST_F(FilesystemTest, MappedDirectoryAppearsAtGuestPath) {
  EXPECT_EQ(Probe({"read", "/data/input.txt"}), "ok input\n");
  EXPECT_EQ(Probe({"list", "/data"}), "ok input.txt\n");
}

TEST_F(FilesystemTest, RelativePathsWorkAfterChdir) {
  EXPECT_EQ(Probe({"chdir_read", work_, "notes.txt"}), "ok notes\n");
}

TEST_F(FilesystemTest, PathsOutsideMountsAreInvisible) {
  int code = 0;
  std::string out = Probe({"read", root_ / "secret.txt"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(out.rfind("error ", 0), 0u) << out;
  EXPECT_EQ(Probe({"read", "/etc/passwd"}).rfind("error ", 0), 0u);
  EXPECT_EQ(Probe({"list", "/"}).rfind("error ", 0), 0u);
}

TEST_F(FilesystemTest, DotDotCannotLeaveMount) {
  std::string out = Probe({"read", work_ + "/../secret.txt"});
  EXPECT_EQ(out.rfind("error ", 0), 0u) << out;
  out = Probe({"read", work_ + "/sub/../../secret.txt"});
  EXPECT_EQ(out.rfind("error ", 0), 0u) << out;
  out = Probe({"read", "/data/../secret.txt"});
  EXPECT_EQ(out.rfind("error ", 0), 0u) << out;
}

TEST_F(FilesystemTest, ExistingSymlinkOutIsNotFollowed) {
  fs::create_symlink(root_ / "secret.txt", work_ + "/abs-link");
  fs::create_symlink("../secret.txt", work_ + "/rel-link");
  fs::create_directory_symlink(root_.path(), work_ + "/dir-link");
  for (const std::string path :
       {work_ + "/abs-link", work_ + "/rel-link", work_ + "/dir-link/secret.txt"}) {
    std::string out = Probe({"read", path});
    EXPECT_EQ(out.rfind("error ", 0), 0u) << path << ": " << out;
    EXPECT_EQ(out.find("TOP-SECRET"), std::string::npos);
  }
}

TEST_F(FilesystemTest, SymlinkInsideMountIsFollowed) {
  fs::create_symlink("notes.txt", work_ + "/inside-link");
  EXPECT_EQ(Probe({"read", work_ + "/inside-link"}), "ok notes\n");
}

TEST_F(FilesystemTest, GuestMadeSymlinksCannotEscape) {
  // Creating a link that points out may fail or succeed; following it
  // must fail either way.
  Probe({"symlink", root_ / "secret.txt", work_ + "/made-abs"});
  Probe({"symlink", "../secret.txt", work_ + "/made-rel"});
  Probe({"symlink", "/etc/passwd", work_ + "/made-etc"});
  for (const std::string path :
       {work_ + "/made-abs", work_ + "/made-rel", work_ + "/made-etc"}) {
    std::string out = Probe({"read", path});
    EXPECT_EQ(out.rfind("error ", 0), 0u) << path << ": " << out;
    EXPECT_EQ(out.find("TOP-SECRET"), std::string::npos);
  }
  // Writing through an outward link must not reach the host file.
  Probe({"write", work_ + "/made-rel", "overwritten"});
  EXPECT_EQ(HostFile(root_ / "secret.txt"), "TOP-SECRET");
}

TEST_F(FilesystemTest, ReadOnlyMountRejectsEveryChange) {
  int code = 0;
  EXPECT_EQ(Probe({"read", "/data/input.txt"}, &code), "ok input\n");
  struct Case {
    std::vector<std::string> args;
  };
  const std::vector<std::vector<std::string>> changes = {
      {"write", "/data/input.txt", "changed"},
      {"append", "/data/input.txt", "more"},
      {"write", "/data/new.txt", "new"},
      {"unlink", "/data/input.txt"},
      {"rename", "/data/input.txt", "/data/moved.txt"},
      {"truncate", "/data/input.txt"},
      {"ftruncate", "/data/input.txt"},
      {"mkdir", "/data/sub"},
      {"symlink", "input.txt", "/data/link"},
  };
  for (const auto& args : changes) {
    std::string out = Probe(args, &code);
    EXPECT_EQ(code, 1) << args[0] << ": " << out;
    EXPECT_EQ(out.rfind("error ", 0), 0u) << args[0] << ": " << out;
  }
  EXPECT_EQ(HostFile(data_ + "/input.txt"), "input");
  EXPECT_FALSE(fs::exists(data_ + "/new.txt"));
  EXPECT_FALSE(fs::exists(data_ + "/moved.txt"));
  EXPECT_FALSE(fs::exists(data_ + "/sub"));
  EXPECT_FALSE(fs::is_symlink(data_ + "/link"));
}

TEST_F(FilesystemTest, RenameFromWritableIntoReadOnlyFails) {
  std::string out = Probe({"rename", work_ + "/notes.txt", "/data/notes.txt"});
  EXPECT_EQ(out.rfind("error ", 0), 0u) << out;
  EXPECT_EQ(HostFile(work_ + "/notes.txt"), "notes");
  EXPECT_FALSE(fs::exists(data_ + "/notes.txt"));
}

}  // namespace
}  // namespace boxagnts::sandbox
