// The built-in search tools (Glob, Grep) as WebAssembly modules, run
// through the sandbox in a temporary work dir.

#include <gtest/gtest.h>

#include <string>

#include "tools/guest_test_support.h"

namespace boxagnts::testing {
namespace {

class GuestSearchTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& relative) { return work_ / relative; }
  // Writes `contents` to `relative` with modification time `mtime`.
  void File(const std::string& relative, const std::string& contents,
            long mtime = 1'000'000) {
    WriteTestFile(Path(relative), contents);
    SetMtime(Path(relative), mtime);
  }
  ToolOutput Glob(const Json& input) {
    return RunTool("Glob", input, work_.path(), true);
  }
  ToolOutput Grep(const Json& input) {
    return RunTool("Grep", input, work_.path(), true);
  }

  TempDir work_;
};

TEST_F(GuestSearchTest, GlobReturnsNewestFirst) {
  File("old.txt", "", 1'000);
  File("new.txt", "", 3'000);
  File("mid.txt", "", 2'000);
  File("same-b.txt", "", 500);
  File("same-a.txt", "", 500);
  File("skip.md", "", 9'000);
  ToolOutput out = Glob({{"pattern", "*.txt"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("new.txt") + "\n" + Path("mid.txt") + "\n" +
                             Path("old.txt") + "\n" + Path("same-a.txt") +
                             "\n" + Path("same-b.txt"));
  EXPECT_EQ(out.metadata["count"], 5);
  EXPECT_EQ(out.metadata["truncated"], false);
}

TEST_F(GuestSearchTest, GlobDoubleStarBracesAndGitSkipped) {
  File("main.c", "", 10);
  File("src/a.h", "", 20);
  File("src/deep/er/b.c", "", 30);
  File("src/deep/er/b.o", "", 40);
  File(".git/objects/x.c", "", 50);
  ToolOutput out = Glob({{"pattern", "**/*.{c,h}"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("src/deep/er/b.c") + "\n" + Path("src/a.h") +
                             "\n" + Path("main.c"));

  out = Glob({{"pattern", "src/**/[a-b].?"}, {"path", work_.path()}});
  EXPECT_EQ(out.content, Path("src/deep/er/b.o") + "\n" +
                             Path("src/deep/er/b.c") + "\n" + Path("src/a.h"));
  out = Glob({{"pattern", "*.c"}, {"path", "src/deep/er"}});
  EXPECT_EQ(out.content, Path("src/deep/er/b.c"));
  out = Glob({{"pattern", Path("src") + "/*.h"}});
  EXPECT_EQ(out.content, Path("src/a.h"));
}

TEST_F(GuestSearchTest, GlobCapsResultsAt100) {
  for (int i = 0; i < 105; ++i) {
    char name[32];
    snprintf(name, sizeof(name), "f%03d.txt", i);
    File(name, "", 10'000 + i);
  }
  ToolOutput out = Glob({{"pattern", "*.txt"}});
  EXPECT_FALSE(out.is_error);
  std::string expected;
  for (int i = 104; i >= 5; --i) {
    char name[32];
    snprintf(name, sizeof(name), "f%03d.txt", i);
    expected += Path(name) + "\n";
  }
  expected += "... and 5 more files (results are capped at 100; narrow the "
              "pattern or path)";
  EXPECT_EQ(out.content, expected);
  EXPECT_EQ(out.metadata["count"], 105);
  EXPECT_EQ(out.metadata["truncated"], true);
}

TEST_F(GuestSearchTest, GlobReportsNoMatchesAndBadPath) {
  File("a.txt", "");
  ToolOutput out = Glob({{"pattern", "*.rs"}});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.content, "No files match \"*.rs\" in " + work_.path() + ".");
  EXPECT_EQ(out.metadata["count"], 0);
  out = Glob({{"pattern", "*"}, {"path", "a.txt"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, Path("a.txt") +
                             " is a file, not a directory; give a directory "
                             "in path");
  out = Glob({{"pattern", "*"}, {"path", "gone"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "file not found: " + Path("gone") +
                             "; give an existing directory");
}

TEST_F(GuestSearchTest, GlobRejectsPathologicalPattern) {
  File(std::string(200, 'a'), "");
  ToolOutput out = Glob({{"pattern", "*a*a*a*a*a*a*a*a*a*a*a*b"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "pattern \"*a*a*a*a*a*a*a*a*a*a*a*b\" is too complex to match "
            "(more than 1000000 steps for one path); use fewer '*' "
            "wildcards");
}

// A small tree for the Grep cases.
class GuestGrepTest : public GuestSearchTest {
 protected:
  void SetUp() override {
    File("src/app.c",
         "#include <stdio.h>\n"
         "int main(void) {\n"
         "  printf(\"Hello\");\n"
         "  return 0;\n"
         "}\n",
         2'000);
    File("src/util.h", "// hello helpers\nvoid hello(void);\n", 3'000);
    File("README.md", "Say HELLO to the world.\n", 1'000);
    File(".git/config", "hello = git\n", 4'000);
    File("blob.bin", std::string("hello\0binary", 12), 5'000);
  }
};

TEST_F(GuestGrepTest, FilesWithMatchesIsDefaultNewestFirst) {
  ToolOutput out = Grep({{"pattern", "[Hh]ello"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("src/util.h") + "\n" + Path("src/app.c"));
  EXPECT_EQ(out.metadata["mode"], "files_with_matches");
  EXPECT_EQ(out.metadata["files_matched"], 2);
  EXPECT_EQ(out.metadata["files_searched"], 4);
  EXPECT_EQ(out.metadata["skipped_binary"], 1);
}

TEST_F(GuestGrepTest, CaseInsensitiveFindsAllTextFiles) {
  ToolOutput out = Grep({{"pattern", "hello"}, {"-i", true}});
  EXPECT_EQ(out.content, Path("src/util.h") + "\n" + Path("src/app.c") +
                             "\n" + Path("README.md"));
}

TEST_F(GuestGrepTest, ContentModeShowsPathAndLineNumbers) {
  ToolOutput out = Grep({{"pattern", "hello|Hello"},
                         {"output_mode", "content"},
                         {"path", "src"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("src/app.c") + ":3:  printf(\"Hello\");\n" +
                             Path("src/util.h") + ":1:// hello helpers\n" +
                             Path("src/util.h") + ":2:void hello(void);");
  EXPECT_EQ(out.metadata["matched_lines"], 3);

  out = Grep({{"pattern", "hello"},
              {"output_mode", "content"},
              {"path", "src/util.h"},
              {"-n", false}});
  EXPECT_EQ(out.content, "// hello helpers\nvoid hello(void);");
}

TEST_F(GuestGrepTest, ContextLinesAndSeparators) {
  File("ctx.txt", "a\nmatch 1\nb\nc\nd\ne\nmatch 2\nf\n");
  ToolOutput out = Grep({{"pattern", "^match"},
                         {"output_mode", "content"},
                         {"path", "ctx.txt"},
                         {"-C", 1}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            "1-a\n2:match 1\n3-b\n--\n6-e\n7:match 2\n8-f");

  out = Grep({{"pattern", "^match"},
              {"output_mode", "content"},
              {"path", "ctx.txt"},
              {"-A", 3},
              {"-B", 0}});
  EXPECT_EQ(out.content, "2:match 1\n3-b\n4-c\n5-d\n--\n7:match 2\n8-f");

  out = Grep({{"pattern", "^match"},
              {"output_mode", "content"},
              {"path", "ctx.txt"},
              {"-B", 4}});
  EXPECT_EQ(out.content, "1-a\n2:match 1\n3-b\n4-c\n5-d\n6-e\n7:match 2");
}

TEST_F(GuestGrepTest, CountModeAndGlobFilter) {
  ToolOutput out = Grep({{"pattern", "o"}, {"output_mode", "count"},
                         {"glob", "*.{c,h}"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, Path("src/app.c") + ":3\n" + Path("src/util.h") +
                             ":2");
  EXPECT_EQ(out.metadata["matched_lines"], 5);
  out = Grep({{"pattern", "o"}, {"output_mode", "count"},
              {"glob", "src/*.h"}});
  EXPECT_EQ(out.content, Path("src/util.h") + ":2");
}

TEST_F(GuestGrepTest, HeadLimitKeepsFirstEntries) {
  ToolOutput out = Grep({{"pattern", "."},
                         {"output_mode", "content"},
                         {"path", "src/app.c"},
                         {"head_limit", 2}});
  EXPECT_EQ(out.content,
            "1:#include <stdio.h>\n2:int main(void) {\n... output cut at "
            "head_limit 2; narrow the search with path, glob or a more "
            "specific pattern");
  EXPECT_EQ(out.metadata["truncated"], true);

  out = Grep({{"pattern", "hello"}, {"-i", true}, {"head_limit", 1}});
  EXPECT_EQ(out.content,
            Path("src/util.h") + "\n... output cut at head_limit 1; narrow "
                                 "the search with path, glob or a more "
                                 "specific pattern");
}

TEST_F(GuestGrepTest, SearchesFileLargerThanReadChunk) {
  std::string text;
  for (int i = 1; i <= 20000; ++i) {
    text += i == 15000 ? "the needle\n" : "hay " + std::to_string(i) + "\n";
  }
  File("big.txt", text);
  ToolOutput out = Grep({{"pattern", "needle"},
                         {"output_mode", "content"},
                         {"path", "big.txt"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "15000:the needle");
}

TEST_F(GuestGrepTest, InvalidRegexQuotesReason) {
  ToolOutput out = Grep({{"pattern", "foo("}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "invalid regular expression \"foo(\": Missing ')'; Grep uses "
            "POSIX extended syntax, so escape a literal ( ) [ ] { } . * + ? "
            "| ^ $ or \\ with a backslash");
}

TEST_F(GuestGrepTest, NoMatchesAndMissingPath) {
  ToolOutput out = Grep({{"pattern", "zebra"}});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.content, "No matches for \"zebra\" in " + work_.path() + ".");
  out = Grep({{"pattern", "x"}, {"path", "nowhere"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "file not found: " + Path("nowhere") +
                             "; check the path, or use Glob to find files");
  out = Grep({{"pattern", "x"}, {"output_mode", "lines"}});
  EXPECT_EQ(out.content,
            "output_mode \"lines\" is not supported; use \"content\", "
            "\"files_with_matches\" or \"count\"");
}

}  // namespace
}  // namespace boxagnts::testing
