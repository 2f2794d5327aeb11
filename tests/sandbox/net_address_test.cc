#include "sandbox/net_address.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

std::string Format(std::string_view text) {
  std::optional<IpAddress> address = IpAddress::Parse(text);
  if (!address) return "<invalid>";
  return address->ToString();
}

std::string UrlIpv4(std::string_view host) {
  Result<std::optional<IpAddress>> parsed = ParseUrlIpv4Host(host);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  if (!parsed->has_value()) return "domain";
  return (*parsed)->ToString();
}

std::vector<std::string> Embedded(std::string_view text) {
  std::vector<std::string> out;
  for (const IpAddress& v4 : IpAddress::Parse(text)->EmbeddedV4()) {
    out.push_back(v4.ToString());
  }
  return out;
}

TEST(IpAddress, FormatsIpv6AsRfc5952) {
  EXPECT_EQ(Format("2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(Format("2001:0db8:0000:0000:0000:0000:0002:0001"),
            "2001:db8::2:1");
  EXPECT_EQ(Format("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(Format("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
  EXPECT_EQ(Format("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
  EXPECT_EQ(Format("::"), "::");
  EXPECT_EQ(Format("::1"), "::1");
  EXPECT_EQ(Format("1::"), "1::");
  EXPECT_EQ(Format("::ffff:127.0.0.1"), "::ffff:7f00:1");
  EXPECT_EQ(Format("fd00:EC2::254"), "fd00:ec2::254");
}

TEST(IpAddress, ParsesOnlyStrictDottedQuads) {
  EXPECT_EQ(Format("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(Format("255.255.255.255"), "255.255.255.255");
  EXPECT_EQ(Format("01.2.3.4"), "<invalid>");
  EXPECT_EQ(Format("1.2.3"), "<invalid>");
  EXPECT_EQ(Format("1.2.3.4."), "<invalid>");
  EXPECT_EQ(Format("256.1.1.1"), "<invalid>");
  EXPECT_EQ(Format("1.2.3.4.5"), "<invalid>");
  EXPECT_EQ(Format("0x7f.0.0.1"), "<invalid>");
  EXPECT_EQ(Format("[::1]"), "<invalid>");
  EXPECT_EQ(Format("fe80::1%eth0"), "<invalid>");
  EXPECT_EQ(Format(""), "<invalid>");
}

TEST(IpAddress, UnmapsOnlyMappedIpv4) {
  EXPECT_EQ(IpAddress::Parse("::ffff:7f00:1")->UnmapV4()->ToString(),
            "127.0.0.1");
  EXPECT_FALSE(IpAddress::Parse("::7f00:1")->UnmapV4().has_value());
  EXPECT_FALSE(IpAddress::Parse("127.0.0.1")->UnmapV4().has_value());
}

TEST(IpAddress, ExtractsEmbeddedIpv4) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Embedded("::ffff:127.0.0.1"), V{"127.0.0.1"});
  EXPECT_EQ(Embedded("::127.0.0.1"), V{"127.0.0.1"});
  EXPECT_EQ(Embedded("::1"), V{"0.0.0.1"});
  EXPECT_EQ(Embedded("64:ff9b::7f00:1"), V{"127.0.0.1"});
  EXPECT_EQ(Embedded("64:ff9b:1:7f00:0:100::"),
            (V{"127.0.0.1", "0.0.0.0"}));
  EXPECT_EQ(Embedded("2002:7f00:1::"), V{"127.0.0.1"});
  EXPECT_EQ(Embedded("2002:808:808::1"), V{"8.8.8.8"});
  // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted.
  EXPECT_EQ(Embedded("2001:0:4136:e378:8000:63bf:80ff:fffe"),
            (V{"65.54.227.120", "127.0.0.1"}));
  EXPECT_EQ(Embedded("2001:db8::1"), V{});
  EXPECT_EQ(Embedded("10.0.0.1"), V{});
}

TEST(UrlIpv4Host, AcceptsEveryWhatwgSpelling) {
  EXPECT_EQ(UrlIpv4("2130706433"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("0177.0.0.1"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("0x7f.1"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("0x7f000001"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("127.1"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("127.0.1"), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("127.0.0.1."), "127.0.0.1");
  EXPECT_EQ(UrlIpv4("0"), "0.0.0.0");
  EXPECT_EQ(UrlIpv4("0x"), "0.0.0.0");
  EXPECT_EQ(UrlIpv4("4294967295"), "255.255.255.255");
  EXPECT_EQ(UrlIpv4("0xa9.0376.43518"), "169.254.169.254");
}

TEST(UrlIpv4Host, LeavesDomainsAlone) {
  EXPECT_EQ(UrlIpv4("example.com"), "domain");
  EXPECT_EQ(UrlIpv4("1.2.3.com"), "domain");
  EXPECT_EQ(UrlIpv4("0xg"), "domain");
  EXPECT_EQ(UrlIpv4(""), "domain");
}

TEST(UrlIpv4Host, RejectsNumbersThatAreNotAddresses) {
  EXPECT_EQ(UrlIpv4("1.2.3.4.5"),
            "error: \"1.2.3.4.5\" ends in a number but has more than four "
            "parts, so it is neither an IPv4 address nor a domain name");
  EXPECT_EQ(UrlIpv4("256.0.0.1"),
            "error: \"256.0.0.1\" is not a valid IPv4 address: part \"256\" "
            "exceeds 255");
  EXPECT_EQ(UrlIpv4("08"),
            "error: \"08\" is not a valid IPv4 address: part \"08\" is not a "
            "decimal, octal or hex number");
  EXPECT_EQ(UrlIpv4("4294967296"),
            "error: \"4294967296\" is not a valid IPv4 address: last part "
            "\"4294967296\" is too large");
  EXPECT_EQ(UrlIpv4("1.2.65536"),
            "error: \"1.2.65536\" is not a valid IPv4 address: last part "
            "\"65536\" is too large");
  EXPECT_EQ(UrlIpv4("99999999999999999999999"),
            "error: \"99999999999999999999999\" is not a valid IPv4 "
            "address: last part \"99999999999999999999999\" is too large");
  EXPECT_EQ(UrlIpv4("foo.0x"),
            "error: \"foo.0x\" is not a valid IPv4 address: part \"foo\" is "
            "not a decimal, octal or hex number");
}

TEST(IpNetwork, ParsesAndContains) {
  Result<IpNetwork> v4 = IpNetwork::Parse("172.16.0.0/12");
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_TRUE(v4->Contains(*IpAddress::Parse("172.31.255.255")));
  EXPECT_FALSE(v4->Contains(*IpAddress::Parse("172.32.0.0")));
  EXPECT_FALSE(v4->Contains(*IpAddress::Parse("::ffff:172.16.0.1")));

  Result<IpNetwork> v6 = IpNetwork::Parse("fc00::/7");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_TRUE(v6->Contains(*IpAddress::Parse("fd00:ec2::254")));
  EXPECT_FALSE(v6->Contains(*IpAddress::Parse("fe00::1")));

  Result<IpNetwork> single = IpNetwork::Parse("::1");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->ToString(), "::1/128");
  Result<IpNetwork> all = IpNetwork::Parse("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Contains(*IpAddress::Parse("203.0.113.9")));
}

TEST(IpNetwork, RejectsBadRangesWithReasons) {
  EXPECT_EQ(IpNetwork::Parse("10.0.0.1/8").status().message(),
            "address bits past the prefix length are set (did you mean "
            "10.0.0.0/8?)");
  EXPECT_EQ(IpNetwork::Parse("::1/129").status().message(),
            "prefix length \"129\" is not a number from 0 to 128");
  EXPECT_EQ(IpNetwork::Parse("10.0.0.0/").status().message(),
            "prefix length \"\" is not a number from 0 to 32");
  EXPECT_EQ(IpNetwork::Parse("10/8").status().message(),
            "\"10\" is not an IP address (write a dotted quad such as "
            "10.0.0.0 or IPv6 without brackets such as fd00::)");
}

}  // namespace
}  // namespace boxagnts::sandbox
