#include "tools/truncate.h"

#include <gtest/gtest.h>

namespace boxagnts::tools {
namespace {

TEST(TruncateHeadTail, ShortTextUnchanged) {
  EXPECT_EQ(TruncateHeadTail("abc", 3), "abc");
  EXPECT_EQ(TruncateHeadTail("", 0), "");
}

TEST(TruncateHeadTail, KeepsHeadAndTailWithMarker) {
  std::string text(1000, 'a');
  text += std::string(1000, 'b');
  std::string out = TruncateHeadTail(text, 300);
  EXPECT_LE(out.size(), 300u);
  EXPECT_EQ(out.front(), 'a');
  EXPECT_EQ(out.back(), 'b');
  size_t marker = out.find("[... ");
  ASSERT_NE(marker, std::string::npos);
  size_t kept = out.size() - (out.find("...]\n") + 5 - marker + 1);
  std::string expected_cut = std::to_string(2000 - kept) + " bytes (0 lines)";
  EXPECT_NE(out.find(expected_cut), std::string::npos) << out;
}

TEST(TruncateHeadTail, CutsOnLineBoundaries) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + "\n";
  std::string out = TruncateHeadTail(text, 400);
  EXPECT_LE(out.size(), 400u);
  EXPECT_EQ(out.rfind("line 0\n", 0), 0u);
  EXPECT_EQ(out.substr(out.size() - 9), "line 199\n");
  size_t marker = out.find("\n[... ");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(out[marker - 1], '\n') << "head ends mid-line";
  EXPECT_NE(out.find(" lines) cut from the middle ...]\nline "),
            std::string::npos)
      << out;
}

TEST(TruncateHeadTail, NeverSplitsUtf8Characters) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "é";  // two bytes each
  std::string out = TruncateHeadTail(text, 201);
  size_t marker = out.find("\n[... ");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(marker % 2, 0u);
  size_t tail = out.find("...]\n") + 5;
  EXPECT_EQ((out.size() - tail) % 2, 0u);
}

TEST(TruncateHeadTail, TinyCapGivesMarkerOnly) {
  std::string out = TruncateHeadTail(std::string(100, 'x'), 5);
  EXPECT_EQ(out, "\n[... 100 bytes (0 lines) cut from the middle ...]\n");
}

}  // namespace
}  // namespace boxagnts::tools
