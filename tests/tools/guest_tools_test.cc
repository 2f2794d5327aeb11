// The built-in file tools (Read, Write, Edit, LS) as WebAssembly modules,
// run through the sandbox in a temporary work dir.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tools/guest_test_support.h"
#include "tools/package.h"

namespace boxagnts::testing {
namespace {

namespace fs = std::filesystem;

class GuestToolsTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& relative) { return work_ / relative; }
  ToolOutput Read(const Json& input) {
    return RunTool("Read", input, work_.path(), true);
  }
  ToolOutput Write(const Json& input, bool read_only = false) {
    return RunTool("Write", input, work_.path(), read_only);
  }
  ToolOutput Edit(const Json& input) {
    return RunTool("Edit", input, work_.path(), false);
  }
  ToolOutput Ls(const Json& input) {
    return RunTool("LS", input, work_.path(), true);
  }

  TempDir work_;
};

// Returns lines "     N\tline N" for N in [first, last], joined by '\n'.
std::string NumberedLines(int first, int last) {
  std::string out;
  for (int n = first; n <= last; ++n) {
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "%6d\t", n);
    if (n > first) out += "\n";
    out += prefix + std::string("line ") + std::to_string(n);
  }
  return out;
}

std::string LinesFile(int count) {
  std::string text;
  for (int n = 1; n <= count; ++n) text += "line " + std::to_string(n) + "\n";
  return text;
}

TEST(ToolFolders, EachHasCompleteManifest) {
  const std::vector<std::string> names = {"Read", "Write", "Edit", "LS",
                                          "Glob", "Grep",  "WebFetch"};
  for (const std::string& name : names) {
    std::string folder = std::string(BOXAGNTS_TOOLS_DIR) + "/" + name;
    Result<Json> manifest =
        ParseJson(ReadTestFile(folder + "/tool.json"), name);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    EXPECT_EQ((*manifest)["name"], name);
    EXPECT_FALSE((*manifest)["description"].get<std::string>().empty());
    const Json& schema = (*manifest)["input_schema"];
    EXPECT_EQ(schema["type"], "object") << name;
    EXPECT_EQ(schema["additionalProperties"], false) << name;
    EXPECT_TRUE(schema["required"].is_array()) << name;
    for (const Json& field : schema["required"]) {
      EXPECT_TRUE(schema["properties"].contains(field)) << name << field;
    }
    for (const Json& field : (*manifest)["path_fields"]) {
      EXPECT_TRUE(schema["properties"].contains(field)) << name << field;
    }
    EXPECT_TRUE(fs::is_regular_file(ToolModulePath(name))) << name;
  }
}

TEST(ToolFolders, LoadAsToolPackages) {
  tools::PackageScan scan = tools::ScanToolPackages(BOXAGNTS_TOOLS_DIR);
  EXPECT_TRUE(scan.errors.empty()) << scan.errors.front();
  std::vector<std::string> names;
  for (const auto& tool : scan.tools) names.push_back(tool->spec().name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Edit", "Glob", "Grep", "LS",
                                             "Read", "WebFetch", "Write"}));
}

TEST_F(GuestToolsTest, ReadNumbersLinesLikeCatN) {
  WriteTestFile(Path("notes.txt"), "alpha\n\tbeta\n\ngamma\n");
  ToolOutput out = Read({{"file_path", Path("notes.txt")}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            "     1\talpha\n     2\t\tbeta\n     3\t\n     4\tgamma");
  EXPECT_EQ(out.metadata["total_lines"], 4);
  EXPECT_EQ(out.metadata["lines_returned"], 4);
  EXPECT_EQ(out.metadata["truncated"], false);
}

TEST_F(GuestToolsTest, ReadRelativePathAndLastLineWithoutNewline) {
  WriteTestFile(Path("sub/x.txt"), "one\ntwo");
  ToolOutput out = Read({{"file_path", "sub/x.txt"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "     1\tone\n     2\ttwo");
  EXPECT_EQ(out.metadata["total_lines"], 2);
}

TEST_F(GuestToolsTest, ReadOffsetAndLimitSelectLines) {
  WriteTestFile(Path("ten.txt"), LinesFile(10));
  ToolOutput out =
      Read({{"file_path", "ten.txt"}, {"offset", 4}, {"limit", 3}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, NumberedLines(4, 6) +
                             "\n\n(Showing lines 4-6 of 10. Read more with "
                             "offset 7.)");
  EXPECT_EQ(out.metadata["lines_returned"], 3);
  EXPECT_EQ(out.metadata["total_lines"], 10);
  EXPECT_EQ(out.metadata["truncated"], true);

  out = Read({{"file_path", "ten.txt"}, {"offset", 9}});
  EXPECT_EQ(out.content, NumberedLines(9, 10));
  EXPECT_EQ(out.metadata["truncated"], false);
}

TEST_F(GuestToolsTest, ReadDefaultLimitIs2000Lines) {
  WriteTestFile(Path("long.txt"), LinesFile(2005));
  ToolOutput out = Read({{"file_path", "long.txt"}});
  EXPECT_FALSE(out.is_error) << out.content.substr(0, 200);
  EXPECT_EQ(out.content, NumberedLines(1, 2000) +
                             "\n\n(Showing lines 1-2000 of 2005. Read more "
                             "with offset 2001.)");
  EXPECT_EQ(out.metadata["lines_returned"], 2000);
}

TEST_F(GuestToolsTest, ReadOffsetPastEndIsError) {
  WriteTestFile(Path("ten.txt"), LinesFile(10));
  ToolOutput out = Read({{"file_path", "ten.txt"}, {"offset", 11}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "offset 11 is past the end of " + Path("ten.txt") +
                             ", which has 10 lines; use an offset from 1 "
                             "to 10");
}

TEST_F(GuestToolsTest, ReadCutsLongLinesWithMarker) {
  // 2500 characters, each two bytes in UTF-8.
  std::string line;
  for (int i = 0; i < 2500; ++i) line += "\xC3\xA9";
  WriteTestFile(Path("wide.txt"), "short\n" + line + "\n");
  ToolOutput out = Read({{"file_path", "wide.txt"}});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.content,
            "     1\tshort\n     2\t" + line.substr(0, 4000) +
                " [... line truncated: 2500 characters, first 2000 shown]");
}

TEST_F(GuestToolsTest, ReadRejectsBinaryFile) {
  WriteTestFile(Path("image.bin"), std::string("PNG\0\x01\x02text", 10));
  ToolOutput out = Read({{"file_path", "image.bin"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, Path("image.bin") +
                             " looks like a binary file (it contains NUL "
                             "bytes); Read returns text files only");
}

TEST_F(GuestToolsTest, ReadRejectsHugeFileWithoutRange) {
  std::string big(300 * 1024, 'a');
  for (size_t i = 99; i < big.size(); i += 100) big[i] = '\n';
  WriteTestFile(Path("big.txt"), big);
  ToolOutput out = Read({{"file_path", "big.txt"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            Path("big.txt") +
                " is 307200 bytes, more than the 262144 bytes Read returns "
                "at once; read it in parts with offset and limit (for "
                "example offset 1, limit 2000), or use Grep to find the "
                "lines you need");

  out = Read({{"file_path", "big.txt"}, {"offset", 3000}, {"limit", 2}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.metadata["total_lines"], 3072);
  EXPECT_EQ(out.content.substr(0, 12), "  3000\taaaaa");
}

TEST_F(GuestToolsTest, ReadDirectoryPointsToLs) {
  fs::create_directory(Path("src"));
  ToolOutput out = Read({{"file_path", "src"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            Path("src") + " is a directory, not a file; use LS to list it");
}

TEST_F(GuestToolsTest, ReadEmptyFileSaysSo) {
  WriteTestFile(Path("empty.txt"), "");
  ToolOutput out = Read({{"file_path", "empty.txt"}});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.content, Path("empty.txt") + " is empty (0 bytes).");
  EXPECT_EQ(out.metadata["total_lines"], 0);
}

TEST_F(GuestToolsTest, ReadMissingFileNamesPath) {
  ToolOutput out = Read({{"file_path", "nope.txt"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "file not found: " + Path("nope.txt") +
                             "; check the path, or use Glob to find the "
                             "file");
}

TEST_F(GuestToolsTest, ReadOutsideMountsIsNotFound) {
  TempDir outside;
  WriteTestFile(outside / "secret.txt", "TOP-SECRET");
  std::string outside_name = fs::path(outside.path()).filename().string();
  for (const std::string& path :
       {outside / "secret.txt",
        work_.path() + "/../" + outside_name + "/secret.txt"}) {
    ToolOutput out = Read({{"file_path", path}});
    EXPECT_TRUE(out.is_error) << path;
    EXPECT_EQ(out.content.rfind("file not found: ", 0), 0u) << out.content;
    EXPECT_EQ(out.content.find("TOP-SECRET"), std::string::npos);
  }
}

TEST_F(GuestToolsTest, WrongFieldTypeIsErrorResult) {
  ToolOutput out = Read({{"file_path", 42}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "field \"file_path\" must be a string, not number");
  out = Read({{"file_path", "a"}, {"offset", 1.5}});
  EXPECT_EQ(out.content,
            "field \"offset\" is 1.5; use a whole number from 1 to "
            "1099511627776");
  out = Read(Json::array({1, 2}));
  EXPECT_EQ(out.content, "the tool input must be a JSON object, not array");
}

TEST_F(GuestToolsTest, WriteCreatesParentsAndLeavesNoTempFiles) {
  ToolOutput out = Write({{"file_path", "a/b/c.txt"}, {"content", "hello"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "Created " + Path("a/b/c.txt") + " (5 bytes).");
  EXPECT_EQ(out.metadata["bytes_written"], 5);
  EXPECT_EQ(out.metadata["created"], true);
  EXPECT_EQ(ReadTestFile(Path("a/b/c.txt")), "hello");
  EXPECT_EQ(ListNames(Path("a/b")), std::vector<std::string>{"c.txt"});
}

TEST_F(GuestToolsTest, WriteReplacesExistingFile) {
  WriteTestFile(Path("f.txt"), "old contents that are longer");
  ToolOutput out = Write({{"file_path", Path("f.txt")}, {"content", "new\n"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "Replaced " + Path("f.txt") + " (4 bytes).");
  EXPECT_EQ(out.metadata["created"], false);
  EXPECT_EQ(ReadTestFile(Path("f.txt")), "new\n");
  EXPECT_EQ(ListNames(work_.path()), std::vector<std::string>{"f.txt"});
}

TEST_F(GuestToolsTest, WriteKeepsSymlinkAndChangesTarget) {
  WriteTestFile(Path("real.txt"), "before");
  fs::create_symlink("real.txt", Path("link.txt"));
  ToolOutput out = Write({{"file_path", "link.txt"}, {"content", "after"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_TRUE(fs::is_symlink(Path("link.txt")));
  EXPECT_EQ(ReadTestFile(Path("real.txt")), "after");
}

TEST_F(GuestToolsTest, WriteOnReadOnlyMountFailsCleanly) {
  WriteTestFile(Path("f.txt"), "original");
  ToolOutput out = Write({{"file_path", "f.txt"}, {"content", "x"}}, true);
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "writing " + Path("f.txt") +
                             " failed: permission denied (the path may be "
                             "in a read-only directory)");
  EXPECT_EQ(ReadTestFile(Path("f.txt")), "original");
  EXPECT_EQ(ListNames(work_.path()), std::vector<std::string>{"f.txt"});
}

TEST_F(GuestToolsTest, WriteOutsideMountsIsRejected) {
  ToolOutput out =
      Write({{"file_path", "/no-such-mount/f.txt"}, {"content", "x"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "cannot create directory /no-such-mount: it is outside the work "
            "dir and mapped directories, the only places this tool can "
            "write");
}

TEST_F(GuestToolsTest, WriteBelowFileIsError) {
  WriteTestFile(Path("f.txt"), "x");
  ToolOutput out = Write({{"file_path", "f.txt/sub/g.txt"}, {"content", "y"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, Path("f.txt") +
                             " is a file, so it cannot be a directory above " +
                             Path("f.txt/sub/g.txt") + "; choose another path");
  EXPECT_EQ(ReadTestFile(Path("f.txt")), "x");
}

TEST_F(GuestToolsTest, WriteToDirectoryIsError) {
  fs::create_directory(Path("dir"));
  ToolOutput out = Write({{"file_path", "dir"}, {"content", "x"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            Path("dir") + " is a directory; give the path of a file to write");
}

TEST_F(GuestToolsTest, EditReplacesUniqueString) {
  WriteTestFile(Path("code.c"), "int x = 1;\nint y = 2;\n");
  ToolOutput out = Edit({{"file_path", "code.c"},
                         {"old_string", "y = 2"},
                         {"new_string", "y = 3"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "Replaced 1 occurrence in " + Path("code.c") + ".");
  EXPECT_EQ(out.metadata["replacements"], 1);
  EXPECT_EQ(ReadTestFile(Path("code.c")), "int x = 1;\nint y = 3;\n");
  EXPECT_EQ(ListNames(work_.path()), std::vector<std::string>{"code.c"});
}

TEST_F(GuestToolsTest, EditRejectsAmbiguousStringUnlessReplaceAll) {
  WriteTestFile(Path("a.txt"), "foo bar foo baz foo");
  ToolOutput out = Edit(
      {{"file_path", "a.txt"}, {"old_string", "foo"}, {"new_string", "qux"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "old_string appears 3 times in " + Path("a.txt") +
                             "; include more surrounding lines to make it "
                             "unique, or set replace_all to true to replace "
                             "every occurrence");
  EXPECT_EQ(ReadTestFile(Path("a.txt")), "foo bar foo baz foo");

  out = Edit({{"file_path", "a.txt"},
              {"old_string", "foo"},
              {"new_string", "qux"},
              {"replace_all", true}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "Replaced 3 occurrences in " + Path("a.txt") + ".");
  EXPECT_EQ(out.metadata["replacements"], 3);
  EXPECT_EQ(ReadTestFile(Path("a.txt")), "qux bar qux baz qux");
}

TEST_F(GuestToolsTest, EditCountsNonOverlappingMatches) {
  WriteTestFile(Path("a.txt"), "aaaa");
  ToolOutput out = Edit({{"file_path", "a.txt"},
                         {"old_string", "aa"},
                         {"new_string", "b"},
                         {"replace_all", true}});
  EXPECT_EQ(out.metadata["replacements"], 2);
  EXPECT_EQ(ReadTestFile(Path("a.txt")), "bb");
}

TEST_F(GuestToolsTest, EditLargeFileKeepsEveryByte) {
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "row " + std::to_string(i) + "\n";
  WriteTestFile(Path("big.txt"), text);
  ToolOutput out = Edit({{"file_path", "big.txt"},
                         {"old_string", "row 29999\n"},
                         {"new_string", "last row\n"}});
  EXPECT_FALSE(out.is_error) << out.content;
  std::string expected = text.substr(0, text.size() - 10) + "last row\n";
  EXPECT_EQ(ReadTestFile(Path("big.txt")), expected);
}

TEST_F(GuestToolsTest, EditRejectsBadStrings) {
  WriteTestFile(Path("a.txt"), "hello world");
  ToolOutput out = Edit(
      {{"file_path", "a.txt"}, {"old_string", "absent"}, {"new_string", "x"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "old_string was not found in " + Path("a.txt") +
                             "; Read the file and copy the text exactly, "
                             "including whitespace and indentation");
  out = Edit({{"file_path", "a.txt"}, {"old_string", ""}, {"new_string", "x"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "old_string is empty; give the exact text to replace (to create "
            "a file or replace all of it, use Write)");
  out = Edit({{"file_path", "a.txt"},
              {"old_string", "hello"},
              {"new_string", "hello"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "old_string and new_string are identical, so the edit would "
            "change nothing; give the new text in new_string");
  out = Edit(
      {{"file_path", "none.txt"}, {"old_string", "a"}, {"new_string", "b"}});
  EXPECT_EQ(out.content, "file not found: " + Path("none.txt") +
                             "; check the path; to create a file, use Write");
  EXPECT_EQ(ReadTestFile(Path("a.txt")), "hello world");
}

TEST_F(GuestToolsTest, LsListsSortedEntriesWithTypes) {
  WriteTestFile(Path("proj/b.txt"), "abc");
  WriteTestFile(Path("proj/a/inner.txt"), "x");
  WriteTestFile(Path("proj/.hidden"), "");
  fs::create_symlink("b.txt", Path("proj/c-link"));
  ToolOutput out = Ls({{"path", "proj"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("proj") +
                             "/ (4 entries):\n"
                             "- .hidden (file, 0 bytes)\n"
                             "- a/ (dir)\n"
                             "- b.txt (file, 3 bytes)\n"
                             "- c-link (symlink to b.txt)");
  EXPECT_EQ(out.metadata["count"], 4);
  EXPECT_EQ(out.metadata["truncated"], false);
}

TEST_F(GuestToolsTest, LsIgnoreDropsMatchingNames) {
  WriteTestFile(Path("keep.c"), "");
  WriteTestFile(Path("drop.log"), "");
  WriteTestFile(Path("node_modules/x.js"), "");
  ToolOutput out =
      Ls({{"path", "."}, {"ignore", Json::array({"*.log", "node_modules"})}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            work_.path() + "/ (1 entry):\n- keep.c (file, 0 bytes)");
  EXPECT_EQ(out.metadata["count"], 1);
}

TEST_F(GuestToolsTest, LsRejectsFilesAndMissingPaths) {
  WriteTestFile(Path("f.txt"), "x");
  ToolOutput out = Ls({{"path", "f.txt"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            Path("f.txt") + " is a file, not a directory; use Read to read it");
  out = Ls({{"path", "missing"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "file not found: " + Path("missing") +
                             "; check the path, or use Glob to find files");
  out = Ls({{"path", "."}, {"ignore", Json::array({1})}});
  EXPECT_EQ(out.content, "ignore[0] must be a string glob pattern, not number");
}

TEST_F(GuestToolsTest, LsEmptyDirectory) {
  fs::create_directory(Path("empty"));
  ToolOutput out = Ls({{"path", "empty"}});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.content, Path("empty") + " is an empty directory.");
  EXPECT_EQ(out.metadata["count"], 0);
}

}  // namespace
}  // namespace boxagnts::testing
