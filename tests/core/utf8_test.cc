#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace boxagnts {
namespace {

constexpr size_t kNpos = std::string_view::npos;

TEST(FindInvalidUtf8, AcceptsValidText) {
  EXPECT_EQ(FindInvalidUtf8(""), kNpos);
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), kNpos);
  // 2-, 3- and 4-byte characters: é, €, 𝄞, and the highest code point.
  EXPECT_EQ(FindInvalidUtf8("\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E"), kNpos);
  EXPECT_EQ(FindInvalidUtf8("\xF4\x8F\xBF\xBF"), kNpos);
}

TEST(FindInvalidUtf8, ReportsOffsetOfBadSequence) {
  EXPECT_EQ(FindInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FindInvalidUtf8("a\x80"), 1u);             // stray continuation
  EXPECT_EQ(FindInvalidUtf8("abc\xE2\x82"), 3u);       // cut short
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);     // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(ReplaceInvalidUtf8, ReplacesEachBadByte) {
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF" "b\xC3\xA9"),
            "a\xEF\xBF\xBD" "b\xC3\xA9");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8PrefixBytes, NeverSplitsCharacter) {
  std::string text = "a\xE2\x82\xAC" "b";  // a € b
  EXPECT_EQ(Utf8PrefixBytes(text, 0), 0u);
  EXPECT_EQ(Utf8PrefixBytes(text, 1), 1u);
  EXPECT_EQ(Utf8PrefixBytes(text, 2), 1u);
  EXPECT_EQ(Utf8PrefixBytes(text, 3), 1u);
  EXPECT_EQ(Utf8PrefixBytes(text, 4), 4u);
  EXPECT_EQ(Utf8PrefixBytes(text, 99), 5u);
}

TEST(CountUtf8CodePoints, CountsCharactersNotBytes) {
  EXPECT_EQ(CountUtf8CodePoints(""), 0u);
  EXPECT_EQ(CountUtf8CodePoints("a\xE2\x82\xAC\xF0\x9D\x84\x9E"), 3u);
}

}  // namespace
}  // namespace boxagnts
