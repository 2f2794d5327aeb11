#include "workspace/agents_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testing/process.h"

namespace boxagnts::workspace {
namespace {

namespace fs = std::filesystem;

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// A temporary tree: <root>/ws is the workspace folder and
// <root>/repo/sub/dir the work dir.
class Tree {
 public:
  Tree() {
    fs::create_directories(work_dir());
    fs::create_directories(workspace());
  }
  std::string root() const { return dir_.path(); }
  std::string workspace() const { return dir_ / "ws"; }
  std::string work_dir() const { return dir_ / "repo/sub/dir"; }
  std::string operator/(const std::string& name) const { return dir_ / name; }

 private:
  testing::TempDir dir_;
};

// Returns the files found inside the tree; files above it (such as a
// /AGENTS.md on the test machine) are not the test's business.
std::vector<InstructionFile> FindInTree(const Tree& tree,
                                        const std::string& work_dir,
                                        const std::string& workspace,
                                        uint64_t max_bytes = 64 * 1024) {
  Result<std::vector<InstructionFile>> files =
      FindAgentsFiles(work_dir, workspace, max_bytes);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  std::vector<InstructionFile> inside;
  if (!files.ok()) return inside;
  for (InstructionFile& file : *files) {
    if (file.path.rfind(tree.root() + "/", 0) == 0) {
      inside.push_back(std::move(file));
    }
  }
  return inside;
}

std::vector<std::string> PathsOf(const std::vector<InstructionFile>& files) {
  std::vector<std::string> paths;
  for (const InstructionFile& file : files) paths.push_back(file.path);
  return paths;
}

TEST(FindAgentsFiles, WorkspaceFirstThenRootDown) {
  Tree tree;
  WriteFile(tree / "ws/AGENTS.md", "user rules");
  WriteFile(tree / "repo/AGENTS.md", "repo rules");
  WriteFile(tree / "repo/sub/dir/AGENTS.md", "dir rules");
  std::vector<InstructionFile> files =
      FindInTree(tree, tree.work_dir(), tree.workspace());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, tree / "ws/AGENTS.md");
  EXPECT_EQ(files[0].content, "user rules");
  EXPECT_EQ(files[1].path, tree / "repo/AGENTS.md");
  EXPECT_EQ(files[1].content, "repo rules");
  EXPECT_EQ(files[2].path, tree / "repo/sub/dir/AGENTS.md");
  EXPECT_EQ(files[2].content, "dir rules");

  // Without a workspace folder only the path is searched.
  EXPECT_EQ(PathsOf(FindInTree(tree, tree.work_dir(), "")),
            (std::vector<std::string>{tree / "repo/AGENTS.md",
                                      tree / "repo/sub/dir/AGENTS.md"}));
}

TEST(FindAgentsFiles, NormalisesWorkDirLexically) {
  Tree tree;
  WriteFile(tree / "repo/AGENTS.md", "repo");
  WriteFile(tree / "repo/sub/AGENTS.md", "sub");
  std::vector<InstructionFile> files =
      FindInTree(tree, tree / "repo/sub/dir/../", "");
  EXPECT_EQ(PathsOf(files), (std::vector<std::string>{
                                tree / "repo/AGENTS.md",
                                tree / "repo/sub/AGENTS.md"}));
}

TEST(FindAgentsFiles, SameFileListedOnce) {
  Tree tree;
  WriteFile(tree / "repo/AGENTS.md", "repo");
  // The workspace is on the path, and a symlink points at the same file.
  fs::create_symlink(tree / "repo/AGENTS.md", tree / "repo/sub/AGENTS.md");
  std::vector<InstructionFile> files =
      FindInTree(tree, tree.work_dir(), tree / "repo");
  EXPECT_EQ(PathsOf(files),
            std::vector<std::string>{tree / "repo/AGENTS.md"});
}

TEST(FindAgentsFiles, FollowsSymlinkToRegularFile) {
  Tree tree;
  WriteFile(tree / "shared-rules.md", "shared");
  fs::create_symlink(tree / "shared-rules.md", tree / "repo/AGENTS.md");
  std::vector<InstructionFile> files = FindInTree(tree, tree.work_dir(), "");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, tree / "repo/AGENTS.md");
  EXPECT_EQ(files[0].content, "shared");
}

TEST(FindAgentsFiles, SkipsNonRegularFilesWithoutBlocking) {
  Tree tree;
  // A FIFO: opening it for reading would block until a writer comes, so
  // a regression hangs here and ctest's timeout fails the test.
  ASSERT_EQ(mkfifo((tree / "ws/AGENTS.md").c_str(), 0644), 0);
  ASSERT_EQ(mkfifo((tree / "fifo").c_str(), 0644), 0);
  fs::create_symlink(tree / "fifo", tree / "repo/AGENTS.md");
  fs::create_directories(tree / "repo/sub/AGENTS.md");  // a directory
  fs::create_symlink(tree / "missing", tree / "repo/sub/dir/AGENTS.md");
  EXPECT_TRUE(FindInTree(tree, tree.work_dir(), tree.workspace()).empty());

  // A symlink loop is skipped too.
  fs::remove(tree / "repo/sub/dir/AGENTS.md");
  fs::create_symlink(tree / "repo/sub/dir/AGENTS.md",
                     tree / "repo/sub/dir/AGENTS.md");
  EXPECT_TRUE(FindInTree(tree, tree.work_dir(), tree.workspace()).empty());
}

TEST(FindAgentsFiles, CutsLargeFileWithMarker) {
  Tree tree;
  WriteFile(tree / "repo/AGENTS.md", std::string(100, 'x'));
  std::vector<InstructionFile> files =
      FindInTree(tree, tree.work_dir(), "", 40);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].content,
            std::string(40, 'x') +
                "\n[truncated: 60 bytes left out; the limit is 40 bytes per "
                "file]\n");

  // A file of exactly the limit is whole.
  WriteFile(tree / "repo/AGENTS.md", std::string(40, 'y'));
  files = FindInTree(tree, tree.work_dir(), "", 40);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].content, std::string(40, 'y'));
}

TEST(FindAgentsFiles, CutNeverSplitsCharacter) {
  Tree tree;
  // "abc€d": the euro sign takes bytes 3 to 5, so a 4-byte cap keeps
  // "abc" and leaves out 4 bytes.
  WriteFile(tree / "repo/AGENTS.md", "abc\xE2\x82\xAC" "d");
  std::vector<InstructionFile> files =
      FindInTree(tree, tree.work_dir(), "", 4);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].content,
            "abc\n[truncated: 4 bytes left out; the limit is 4 bytes per "
            "file]\n");
}

TEST(FindAgentsFiles, UnreadableFileNamesPath) {
  Tree tree;
  // Reading /proc/self/mem at offset 0 fails with EIO even for root, who
  // can read any file that only lacks permissions.
  fs::create_symlink("/proc/self/mem", tree / "repo/AGENTS.md");
  Result<std::vector<InstructionFile>> files =
      FindAgentsFiles(tree.work_dir(), "");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kIoError);
  EXPECT_EQ(files.status().message(),
            "read \"" + (tree / "repo/AGENTS.md") + "\": Input/output error");
}

// Returns true when FindAgentsFiles fails with PermissionDenied naming
// `path`.
bool DeniedNamingPath(const std::string& work_dir, const std::string& path) {
  Result<std::vector<InstructionFile>> files = FindAgentsFiles(work_dir, "");
  return !files.ok() &&
         files.status().code() == StatusCode::kPermissionDenied &&
         files.status().message() ==
             "open \"" + path + "\": Permission denied";
}

TEST(FindAgentsFiles, PermissionDeniedNamesPath) {
  Tree tree;
  std::string path = tree / "repo/AGENTS.md";
  WriteFile(path, "secret");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  if (geteuid() != 0) {
    EXPECT_TRUE(DeniedNamingPath(tree.work_dir(), path));
    return;
  }
  // Root reads files regardless of their mode, so the check runs in a
  // child process that drops to the unprivileged user 65534.
  for (const char* dir : {"", "/repo", "/repo/sub", "/repo/sub/dir"}) {
    ASSERT_EQ(chmod((tree.root() + dir).c_str(), 0755), 0);
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    _exit(DeniedNamingPath(tree.work_dir(), path) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: no PermissionDenied naming the path; 2: setuid failed";
}

TEST(FindAgentsFiles, InvalidUtf8NamesPathAndOffset) {
  Tree tree;
  WriteFile(tree / "repo/AGENTS.md", "ok\xFF");
  Result<std::vector<InstructionFile>> files =
      FindAgentsFiles(tree.work_dir(), "");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(files.status().message(),
            "instruction file \"" + (tree / "repo/AGENTS.md") +
                "\" is not valid UTF-8 (byte 2); save it as UTF-8");
}

TEST(FindAgentsFiles, RejectsBadArguments) {
  Result<std::vector<InstructionFile>> relative =
      FindAgentsFiles("repo/sub", "");
  EXPECT_EQ(relative.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(relative.status().message().find("\"repo/sub\""),
            std::string::npos);
  EXPECT_EQ(FindAgentsFiles("", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FindAgentsFiles("/tmp", "", 0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace boxagnts::workspace
