#include "sandbox/net_allow_list.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

std::string Normalized(std::string_view entry) {
  Result<AllowedHost> allowed = AllowedHost::Parse(entry);
  if (!allowed.ok()) return "error: " + allowed.status().message();
  return allowed->ToString();
}

bool Matches(std::string_view entry, std::string_view url) {
  Result<AllowedHost> allowed = AllowedHost::Parse(entry);
  Result<HttpUrl> parsed = ParseHttpUrl(url);
  EXPECT_TRUE(allowed.ok()) << entry;
  EXPECT_TRUE(parsed.ok()) << url;
  return allowed.ok() && parsed.ok() && allowed->Matches(*parsed);
}

TEST(AllowedHost, NormalizesEntries) {
  EXPECT_EQ(Normalized("HTTPS://Example.COM."), "https://example.com:443");
  EXPECT_EQ(Normalized("https://example.com/"), "https://example.com:443");
  EXPECT_EQ(Normalized("http://b\xc3\xbc" "cher.example"),
            "http://xn--bcher-kva.example:80");
  EXPECT_EQ(Normalized("*://*.Example.com"), "*://*.example.com");
  EXPECT_EQ(Normalized("https://*:*"), "https://*:*");
  EXPECT_EQ(Normalized("http://0x7f.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(Normalized("http://[::ffff:127.0.0.1]:8080"),
            "http://127.0.0.1:8080");
  EXPECT_EQ(Normalized("http://10.0.0.0/8:8080"), "http://10.0.0.0/8:8080");
  EXPECT_EQ(Normalized("http://[FD00::]/8"), "http://[fd00::]/8:80");
  EXPECT_EQ(Normalized("http://[::1]/128"), "http://[::1]:80");
}

TEST(AllowedHost, NetworkEntriesMatchOnlyIpHosts) {
  EXPECT_TRUE(Matches("http://10.0.0.0/8:*", "http://10.9.8.7:1234/"));
  EXPECT_TRUE(Matches("http://10.0.0.0/8:*", "http://0xa.1/"));
  EXPECT_FALSE(Matches("http://10.0.0.0/8:*", "http://ten.test/"));
  EXPECT_FALSE(Matches("http://example.com", "http://93.184.216.34/"));
  EXPECT_TRUE(Matches("http://*", "http://93.184.216.34/"));
  EXPECT_TRUE(Matches("http://*", "http://[2001:db8::1]/"));
}

TEST(AllowedHost, SubdomainsExcludeApex) {
  EXPECT_TRUE(Matches("https://*.example.com", "https://a.example.com/"));
  EXPECT_TRUE(Matches("https://*.example.com", "https://x.y.example.com/"));
  EXPECT_FALSE(Matches("https://*.example.com", "https://example.com/"));
  EXPECT_FALSE(Matches("https://*.example.com", "https://aexample.com/"));
}

TEST(AllowedHost, OptsInOnlyLiteralEntries) {
  IpAddress loopback = *IpAddress::Parse("127.0.0.1");
  EXPECT_TRUE(AllowedHost::Parse("http://127.0.0.1:8080")
                  ->OptsIn(loopback, "http", 8080));
  EXPECT_FALSE(AllowedHost::Parse("http://127.0.0.1:8080")
                   ->OptsIn(loopback, "http", 80));
  EXPECT_FALSE(AllowedHost::Parse("http://127.0.0.1:8080")
                   ->OptsIn(loopback, "https", 8080));
  EXPECT_TRUE(AllowedHost::Parse("*://127.0.0.0/8:*")
                  ->OptsIn(loopback, "https", 1));
  EXPECT_FALSE(AllowedHost::Parse("*://*:*")->OptsIn(loopback, "http", 80));
  EXPECT_FALSE(
      AllowedHost::Parse("http://localhost")->OptsIn(loopback, "http", 80));
}

}  // namespace
}  // namespace boxagnts::sandbox
