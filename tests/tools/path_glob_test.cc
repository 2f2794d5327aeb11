#include "tools/path_glob.h"

#include <gtest/gtest.h>

namespace boxagnts::tools {
namespace {

bool GlobMatches(std::string_view pattern, std::string_view path) {
  Result<PathGlob> glob = PathGlob::Compile(pattern);
  EXPECT_TRUE(glob.ok()) << glob.status().ToString();
  return glob.ok() && glob->Matches(SplitPathSegments(path));
}

bool GlobCovers(std::string_view pattern, std::string_view path) {
  Result<PathGlob> glob = PathGlob::Compile(pattern);
  EXPECT_TRUE(glob.ok()) << glob.status().ToString();
  return glob.ok() && glob->MatchesPathOrAncestor(SplitPathSegments(path));
}

TEST(MatchGlobSegment, StarStaysWithinSegment) {
  EXPECT_TRUE(MatchGlobSegment("*.md", "README.md"));
  EXPECT_TRUE(MatchGlobSegment("*.md", ".md"));
  EXPECT_TRUE(MatchGlobSegment("*", ".env"));
  EXPECT_FALSE(MatchGlobSegment("*.md", "README.mdx"));
  EXPECT_TRUE(MatchGlobSegment("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(MatchGlobSegment("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(MatchGlobSegment("**", "anything"));
}

TEST(MatchGlobSegment, QuestionMarkIsOneByte) {
  EXPECT_TRUE(MatchGlobSegment("?.c", "a.c"));
  EXPECT_FALSE(MatchGlobSegment("?.c", "ab.c"));
  EXPECT_FALSE(MatchGlobSegment("?.c", ".c"));
}

TEST(MatchGlobSegment, ClassesAndNegation) {
  EXPECT_TRUE(MatchGlobSegment("file[0-9].txt", "file7.txt"));
  EXPECT_FALSE(MatchGlobSegment("file[0-9].txt", "fileA.txt"));
  EXPECT_TRUE(MatchGlobSegment("file[!0-9].txt", "fileA.txt"));
  EXPECT_TRUE(MatchGlobSegment("file[^0-9].txt", "fileA.txt"));
  EXPECT_FALSE(MatchGlobSegment("file[!0-9].txt", "file7.txt"));
  EXPECT_TRUE(MatchGlobSegment("[]]", "]"));
  EXPECT_TRUE(MatchGlobSegment("[a-]", "-"));
  EXPECT_TRUE(MatchGlobSegment("[abc]x", "bx"));
  EXPECT_FALSE(MatchGlobSegment("[abc]x", "dx"));
}

TEST(MatchGlobSegment, BackslashEscapesMetacharacters) {
  EXPECT_TRUE(MatchGlobSegment("a\\*b", "a*b"));
  EXPECT_FALSE(MatchGlobSegment("a\\*b", "axb"));
  EXPECT_TRUE(MatchGlobSegment("\\[x\\]", "[x]"));
  EXPECT_TRUE(MatchGlobSegment("a\\(1\\)", "a(1)"));
}

TEST(MatchGlobSegment, MalformedPatternNeverMatches) {
  EXPECT_FALSE(MatchGlobSegment("[abc", "a"));
  EXPECT_FALSE(MatchGlobSegment("abc\\", "abc"));
}

TEST(PathGlob, GlobstarMatchesAnyDepth) {
  EXPECT_TRUE(GlobMatches("src/**", "src/a"));
  EXPECT_TRUE(GlobMatches("src/**", "src/a/b/c"));
  EXPECT_TRUE(GlobMatches("src/**", "src"));
  EXPECT_FALSE(GlobMatches("src/**", "lib/a"));
  EXPECT_TRUE(GlobMatches("**/*.md", "README.md"));
  EXPECT_TRUE(GlobMatches("**/*.md", "docs/x/README.md"));
  EXPECT_FALSE(GlobMatches("**/*.md", "docs/x/README.txt"));
  EXPECT_TRUE(GlobMatches("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatches("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatches("a/**/b", "a/x/y/c"));
}

TEST(PathGlob, StarDoesNotCrossSlash) {
  EXPECT_TRUE(GlobMatches("src/*", "src/a.cc"));
  EXPECT_FALSE(GlobMatches("src/*", "src/sub/a.cc"));
  EXPECT_FALSE(GlobMatches("*.md", "docs/a.md"));
}

TEST(PathGlob, AncestorMatchCoversContents) {
  EXPECT_TRUE(GlobCovers("build", "build/out/a.o"));
  EXPECT_TRUE(GlobCovers("src/*", "src/sub/a.cc"));
  EXPECT_FALSE(GlobCovers("src/*.cc", "src"));
  EXPECT_FALSE(GlobCovers("build", "builder/a"));
  EXPECT_TRUE(GlobCovers("", "anything/at/all"));
}

TEST(PathGlob, EmptyAndDotSegmentsAreDropped) {
  Result<PathGlob> glob = PathGlob::Compile("./src//**/./x");
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(glob->ToString(), "src/**/x");
}

TEST(PathGlob, RepeatedGlobstarsCollapse) {
  Result<PathGlob> glob = PathGlob::Compile("**/**/**/a");
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(glob->ToString(), "**/a");
  EXPECT_TRUE(glob->Matches(SplitPathSegments("x/y/a")));
}

TEST(PathGlob, CompileRejectsUnclosedClass) {
  Result<PathGlob> glob = PathGlob::Compile("src/[ab");
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.status().message(),
            "glob \"src/[ab\" has an unclosed '[' (close the class with ']' "
            "or write \\[ for a literal bracket)");
}

TEST(PathGlob, CompileRejectsTrailingBackslash) {
  Result<PathGlob> glob = PathGlob::Compile("a\\");
  ASSERT_FALSE(glob.ok());
  EXPECT_NE(glob.status().message().find("backslash"), std::string::npos);
}

TEST(PathGlob, CompileRejectsDotDotSegment) {
  Result<PathGlob> glob = PathGlob::Compile("src/../etc");
  ASSERT_FALSE(glob.ok());
  EXPECT_NE(glob.status().message().find("\"..\""), std::string::npos);
}

TEST(PathGlob, ManyGlobstarsStayFast) {
  // A backtracking matcher would take exponential time here.
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "**/a*/";
  pattern += "b";
  std::string path;
  for (int i = 0; i < 60; ++i) path += "aaaa/";
  path += "c";
  EXPECT_FALSE(GlobMatches(pattern, path));
}

TEST(EscapeGlob, EscapedLiteralMatchesItselfOnly) {
  std::string name = "a*b?[c](d)\\e";
  std::string escaped = EscapeGlob(name);
  EXPECT_EQ(escaped, "a\\*b\\?\\[c\\]\\(d\\)\\\\e");
  EXPECT_TRUE(MatchGlobSegment(escaped, name));
  EXPECT_FALSE(MatchGlobSegment(escaped, "axb?[c](d)\\e"));
}

TEST(SplitPathSegments, DropsEmptySegments) {
  std::vector<std::string_view> segments = SplitPathSegments("//a///b/");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], "a");
  EXPECT_EQ(segments[1], "b");
  EXPECT_TRUE(SplitPathSegments("").empty());
}

}  // namespace
}  // namespace boxagnts::tools
