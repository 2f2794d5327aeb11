#include "sandbox/net_url_prefix.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

bool Matches(std::string_view prefix, std::string_view url) {
  Result<UrlPrefix> parsed_prefix = UrlPrefix::Parse(prefix);
  Result<HttpUrl> parsed_url = ParseHttpUrl(url);
  EXPECT_TRUE(parsed_prefix.ok()) << prefix;
  EXPECT_TRUE(parsed_url.ok()) << url;
  return parsed_prefix.ok() && parsed_url.ok() &&
         parsed_prefix->Matches(*parsed_url);
}

TEST(UrlPrefix, NormalizesPrefixText) {
  EXPECT_EQ(UrlPrefix::Parse("HTTP://LocalHost/a/./b/../c")->text(),
            "http://127.0.0.1:80/a/c");
  EXPECT_EQ(UrlPrefix::Parse("https://Example.com")->text(),
            "https://example.com:443/");
  EXPECT_EQ(UrlPrefix::Parse("http://[::FFFF:7f00:1]:81/x?y=%7e")->text(),
            "http://127.0.0.1:81/x?y=~");
}

TEST(UrlPrefix, MatchesAtSegmentBoundaries) {
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test/admin"));
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test/admin/"));
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test/admin?x"));
  EXPECT_FALSE(Matches("http://h.test/admin", "http://h.test/administrator"));
  EXPECT_FALSE(Matches("http://h.test/admin", "http://h.test/ADMIN"));
  EXPECT_TRUE(Matches("http://h.test/admin/", "http://h.test/admin/x"));
  EXPECT_FALSE(Matches("http://h.test/admin/", "http://h.test/admin"));
  EXPECT_TRUE(Matches("http://h.test/", "http://h.test/anything"));
  EXPECT_FALSE(Matches("http://h.test/", "http://h.test:8080/"));
  EXPECT_FALSE(Matches("http://h.test/", "http://h.test.evil/"));
}

TEST(UrlPrefix, MapsLocalhostNamesToLoopback) {
  EXPECT_TRUE(Matches("http://localhost/", "http://127.0.0.1/"));
  EXPECT_TRUE(Matches("http://127.0.0.1/", "http://a.b.localhost/"));
  EXPECT_TRUE(Matches("http://localhost/", "http://2130706433/"));
  EXPECT_FALSE(Matches("http://localhost/", "http://127.0.0.2/"));
  EXPECT_FALSE(Matches("http://localhost/", "http://[::1]/"));
}

}  // namespace
}  // namespace boxagnts::sandbox

namespace boxagnts::sandbox {
namespace {

TEST(UrlPrefix, RoutingSpellingsOfPathStillMatch) {
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test//admin"));
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test///admin//x"));
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test/admin;jsessionid=1"));
  EXPECT_TRUE(Matches("http://h.test/admin", "http://h.test/public/..;/admin"));
  EXPECT_FALSE(Matches("http://h.test/admin", "http://h.test/public;/x"));
}

}  // namespace
}  // namespace boxagnts::sandbox
