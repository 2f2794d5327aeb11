#include "core/units.h"

#include <gtest/gtest.h>

namespace boxagnts {
namespace {

TEST(ParseByteSize, AcceptsSuffixes) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("512k"), 512u * 1024);
  EXPECT_EQ(*ParseByteSize("64M"), 64u << 20);
  EXPECT_EQ(*ParseByteSize("64MB"), 64u << 20);
  EXPECT_EQ(*ParseByteSize("2G"), 2ULL << 30);
}

TEST(ParseByteSize, RejectsBadInput) {
  for (const char* text : {"", "M", "-1", "1.5M", "12Q", "64MiB", " 1"}) {
    EXPECT_FALSE(ParseByteSize(text).ok()) << text;
  }
  EXPECT_EQ(ParseByteSize("12Q").status().message(),
            "invalid size \"12Q\": expected bytes with an optional K, M or G "
            "suffix, such as 64M");
  EXPECT_EQ(ParseByteSize("0").status().message(),
            "size \"0\" must be greater than zero");
  EXPECT_EQ(*ParseByteSize("0", /*allow_zero=*/true), 0u);
  EXPECT_FALSE(ParseByteSize("99999999999999999999G").ok());
  EXPECT_EQ(ParseByteSize("17179869184G").status().message(),
            "size \"17179869184G\" is too large");
}

TEST(ParseDurationMs, SecondsAndUnits) {
  EXPECT_EQ(*ParseDurationMs("2"), 2000u);
  EXPECT_EQ(*ParseDurationMs("0.5"), 500u);
  EXPECT_EQ(*ParseDurationMs("250ms"), 250u);
  EXPECT_EQ(*ParseDurationMs("3s"), 3000u);
  EXPECT_EQ(*ParseDurationMs("2m"), 120000u);
  EXPECT_EQ(*ParseDurationMs("1h"), 3600000u);
}

TEST(ParseDurationMs, RejectsZeroNegativeAndJunk) {
  EXPECT_EQ(ParseDurationMs("0").status().message(),
            "duration \"0\" must be at least 1 ms");
  EXPECT_FALSE(ParseDurationMs("-1").ok());
  EXPECT_FALSE(ParseDurationMs("soon").ok());
  EXPECT_FALSE(ParseDurationMs("").ok());
  EXPECT_FALSE(ParseDurationMs("nan").ok());
  EXPECT_FALSE(ParseDurationMs("inf").ok());
}

}  // namespace
}  // namespace boxagnts
