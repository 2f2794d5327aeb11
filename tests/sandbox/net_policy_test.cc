#include "sandbox/net_policy.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

enum class Expect { kAllowed, kDenied, kInvalid };

struct Case {
  std::string url;
  Expect expect;
};

NetworkPolicy MakePolicy(
    std::vector<std::string> allowed,
    std::optional<std::vector<std::string>> block_networks = std::nullopt,
    std::vector<std::string> block_url = {}) {
  NetworkPolicyConfig config;
  config.allowed_outbound_hosts = std::move(allowed);
  config.block_networks = std::move(block_networks);
  config.block_url = std::move(block_url);
  Result<NetworkPolicy> policy = NetworkPolicy::Create(config);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return std::move(*policy);
}

Expect Check(const NetworkPolicy& policy, const std::string& url) {
  Result<NetworkDecision> decision = policy.CheckUrl(url);
  if (!decision.ok()) return Expect::kInvalid;
  return decision->allowed ? Expect::kAllowed : Expect::kDenied;
}

const char* Name(Expect expect) {
  switch (expect) {
    case Expect::kAllowed: return "allowed";
    case Expect::kDenied: return "denied";
    case Expect::kInvalid: return "invalid";
  }
  return "?";
}

void ExpectCases(const NetworkPolicy& policy, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_STREQ(Name(Check(policy, c.url)), Name(c.expect)) << c.url;
  }
}

std::string CreateError(const NetworkPolicyConfig& config) {
  Result<NetworkPolicy> policy = NetworkPolicy::Create(config);
  if (policy.ok()) return "ok";
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  return policy.status().message();
}

std::string AllowError(const std::string& entry) {
  NetworkPolicyConfig config;
  config.allowed_outbound_hosts = {entry};
  return CreateError(config);
}

TEST(NetworkPolicy, WildcardNeverOptsInBlockedSpellings) {
  NetworkPolicy policy = MakePolicy({"*://*:*"});
  ExpectCases(policy, {
      {"http://127.0.0.1/", Expect::kDenied},
      {"http://2130706433/", Expect::kDenied},
      {"http://0177.0.0.1/", Expect::kDenied},
      {"http://0x7f.1/", Expect::kDenied},
      {"http://127.1/", Expect::kDenied},
      {"http://127.0.1/", Expect::kDenied},
      {"http://0.0.0.0/", Expect::kDenied},
      {"http://0/", Expect::kDenied},
      {"http://[::]/", Expect::kDenied},
      {"http://[::1]/", Expect::kDenied},
      {"http://[::ffff:127.0.0.1]/", Expect::kDenied},
      {"http://[::ffff:7f00:1]/", Expect::kDenied},
      {"http://[::127.0.0.1]/", Expect::kDenied},
      {"http://[64:ff9b::7f00:1]/", Expect::kDenied},
      {"http://[64:ff9b:1:7f00:0:100::]/", Expect::kDenied},
      {"http://[2002:7f00:1::]/", Expect::kDenied},
      {"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", Expect::kDenied},
      {"http://169.254.169.254/latest/meta-data/", Expect::kDenied},
      {"http://0xa9.0376.43518/", Expect::kDenied},
      {"http://[fd00:ec2::254]/", Expect::kDenied},
      {"http://[fe80::1]/", Expect::kDenied},
      {"http://[ff02::1]/", Expect::kDenied},
      {"http://10.1.2.3/", Expect::kDenied},
      {"http://172.31.255.255/", Expect::kDenied},
      {"http://192.168.1.1/", Expect::kDenied},
      {"http://100.64.0.1/", Expect::kDenied},
      {"http://224.0.0.1/", Expect::kDenied},
      {"http://240.0.0.1/", Expect::kDenied},
      {"http://255.255.255.255/", Expect::kDenied},
      // Just outside the default ranges.
      {"http://172.32.0.1/", Expect::kAllowed},
      {"http://100.128.0.1/", Expect::kAllowed},
      {"http://203.0.113.7/", Expect::kAllowed},
      {"http://[2001:db8::1]/", Expect::kAllowed},
      {"https://example.com/", Expect::kAllowed},
  });
}

TEST(NetworkPolicy, SubdomainWildcardDoesNotOptIn) {
  NetworkPolicy policy = MakePolicy({"http://*.localhost:*", "https://*"});
  Result<HttpUrl> url = ParseHttpUrl("http://api.localhost:8080/");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(policy.CheckUrl(*url).allowed);
  EXPECT_FALSE(policy.CheckAddress(*url, *IpAddress::Parse("127.0.0.1"))
                   .allowed);
  EXPECT_EQ(Check(policy, "https://127.0.0.1/"), Expect::kDenied);
}

TEST(NetworkPolicy, NameEntryDoesNotOptIn) {
  NetworkPolicy policy = MakePolicy({"http://localhost:8080"});
  Result<HttpUrl> url = ParseHttpUrl("http://localhost:8080/");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(policy.CheckUrl(*url).allowed);
  NetworkDecision decision =
      policy.CheckAddress(*url, *IpAddress::Parse("127.0.0.1"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason,
            "address 127.0.0.1 is in block_networks range 127.0.0.0/8");
  // The name entry does not match the address spelled out either.
  EXPECT_EQ(Check(policy, "http://127.0.0.1:8080/"), Expect::kDenied);
}

TEST(NetworkPolicy, LiteralAddressOptsInExactly) {
  NetworkPolicy policy = MakePolicy({"http://127.0.0.1:8080"});
  ExpectCases(policy, {
      {"http://127.0.0.1:8080/", Expect::kAllowed},
      {"http://2130706433:8080/x", Expect::kAllowed},
      {"http://[::ffff:127.0.0.1]:8080/", Expect::kAllowed},
      {"http://127.0.0.1:8081/", Expect::kDenied},
      {"https://127.0.0.1:8080/", Expect::kDenied},
      {"http://127.0.0.2:8080/", Expect::kDenied},
      {"http://127.0.0.1/", Expect::kDenied},
  });
  Result<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(policy.CheckUrl(*url).reason,
            "address 127.0.0.1 is in block_networks range 127.0.0.0/8 but "
            "opted in by allowed_outbound_hosts entry http://127.0.0.1:8080");
  // An IPv6 form that embeds the address is a different address.
  EXPECT_FALSE(
      policy.CheckAddress(*url, *IpAddress::Parse("::127.0.0.1")).allowed);
}

TEST(NetworkPolicy, LiteralRangeOptsInRange) {
  NetworkPolicy policy =
      MakePolicy({"http://127.0.0.0/8:*", "http://[fd00::]/8"});
  ExpectCases(policy, {
      {"http://127.0.0.1:9000/", Expect::kAllowed},
      {"http://127.255.0.9/", Expect::kAllowed},
      {"https://127.0.0.1/", Expect::kDenied},
      {"http://10.0.0.1/", Expect::kDenied},
      {"http://[fd00::1]/", Expect::kAllowed},
      {"http://[fd00::1]:8080/", Expect::kDenied},
      {"http://[fc00::1]/", Expect::kDenied},
  });
}

TEST(NetworkPolicy, ExtractsIpv4WhenBlocksAreReplaced) {
  // Without the IPv6 transition ranges, the embedded IPv4 address decides.
  NetworkPolicy policy = MakePolicy({"*://*:*"},
                                    std::vector<std::string>{"127.0.0.0/8"});
  ExpectCases(policy, {
      {"http://[2002:7f00:1::]/", Expect::kDenied},
      {"http://[2002:808:808::]/", Expect::kAllowed},
      {"http://[64:ff9b::7f00:1]/", Expect::kDenied},
      {"http://[64:ff9b::808:808]/", Expect::kAllowed},
      {"http://[::127.0.0.1]/", Expect::kDenied},
      {"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", Expect::kDenied},
      {"http://[2001:0:7f00:1::]/", Expect::kDenied},
      {"http://[::ffff:7f00:1]/", Expect::kDenied},
      {"http://10.0.0.1/", Expect::kAllowed},
  });
  Result<HttpUrl> url = ParseHttpUrl("http://[2002:7f00:1::]/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(policy.CheckUrl(*url).reason,
            "address 2002:7f00:1:: is in block_networks range 127.0.0.0/8 "
            "(through the embedded IPv4 address 127.0.0.1)");
}

TEST(NetworkPolicy, ExplicitEmptyBlockListBlocksNothing) {
  NetworkPolicy policy = MakePolicy({"http://*:*"}, std::vector<std::string>{});
  EXPECT_EQ(Check(policy, "http://127.0.0.1:8080/"), Expect::kAllowed);
  EXPECT_EQ(Check(policy, "http://169.254.169.254/"), Expect::kAllowed);
}

TEST(NetworkPolicy, MatchesSchemesHostsAndPorts) {
  NetworkPolicy policy = MakePolicy({"https://api.example.com",
                                     "*://b\xc3\xbc" "cher.example",
                                     "https://*.example.org",
                                     "http://example.net:*"});
  ExpectCases(policy, {
      {"https://api.example.com/v1", Expect::kAllowed},
      {"https://API.Example.COM./v1", Expect::kAllowed},
      {"https://api.example.com:443/", Expect::kAllowed},
      {"https://api.example.com:8443/", Expect::kDenied},
      {"http://api.example.com/", Expect::kDenied},
      {"https://api.example.com../", Expect::kInvalid},
      {"https://xn--bcher-kva.example/", Expect::kAllowed},
      {"https://B\xc3\x9c" "CHER.example/", Expect::kAllowed},
      {"http://b\xc3\xbc" "cher.example/", Expect::kAllowed},
      {"http://b\xc3\xbc" "cher.example:443/", Expect::kDenied},
      {"https://a.example.org/", Expect::kAllowed},
      {"https://a.b.example.org/", Expect::kAllowed},
      {"https://example.org/", Expect::kDenied},
      {"https://badexample.org/", Expect::kDenied},
      {"https://a.example.org:8443/", Expect::kDenied},
      {"http://example.net:1234/", Expect::kAllowed},
      {"https://example.net/", Expect::kDenied},
      {"https://evil.com/", Expect::kDenied},
      {"http://api.example.com@evil.com/", Expect::kInvalid},
      {"https://evil.com#@api.example.com/", Expect::kDenied},
      {"https://evil.com\\@api.example.com/", Expect::kInvalid},
  });
}

TEST(NetworkPolicy, AnyHostWildcardsUseDefaultPorts) {
  NetworkPolicy https_default = MakePolicy({"https://*"});
  EXPECT_EQ(Check(https_default, "https://a.test/"), Expect::kAllowed);
  EXPECT_EQ(Check(https_default, "https://a.test:8443/"), Expect::kDenied);
  EXPECT_EQ(Check(https_default, "http://a.test/"), Expect::kDenied);
  NetworkPolicy https_any = MakePolicy({"https://*:*"});
  EXPECT_EQ(Check(https_any, "https://a.test:8443/"), Expect::kAllowed);
  NetworkPolicy any_scheme = MakePolicy({"*://*"});
  EXPECT_EQ(Check(any_scheme, "http://a.test/"), Expect::kAllowed);
  EXPECT_EQ(Check(any_scheme, "https://a.test/"), Expect::kAllowed);
  EXPECT_EQ(Check(any_scheme, "http://a.test:443/"), Expect::kDenied);
}

TEST(NetworkPolicy, EmptyAllowListMeansNoNetwork) {
  NetworkPolicy policy = MakePolicy({});
  EXPECT_FALSE(policy.AllowsAnyNetwork());
  Result<NetworkDecision> decision = policy.CheckUrl("https://example.com/");
  ASSERT_TRUE(decision.ok());
  EXPECT_FALSE(decision->allowed);
  EXPECT_EQ(decision->reason,
            "allowed_outbound_hosts is empty, so no request is allowed");
  EXPECT_TRUE(MakePolicy({"https://example.com"}).AllowsAnyNetwork());
}

TEST(NetworkPolicy, RejectsInvalidAllowEntries) {
  const std::string p = "invalid allowed_outbound_hosts entry ";
  EXPECT_EQ(AllowError(""),
            p + "\"\": the entry is empty (write scheme://host[:port], for "
                "example https://example.com)");
  EXPECT_EQ(AllowError("*"),
            p + "\"*\": \"*\" alone is not accepted (write *://*:* to allow "
                "every host on every port, or https://* for every host on "
                "port 443)");
  EXPECT_EQ(AllowError("example.com"),
            p + "\"example.com\": the scheme is missing (write "
                "scheme://host[:port], for example https://example.com)");
  EXPECT_EQ(AllowError("ftp://example.com"),
            p + "\"ftp://example.com\": scheme \"ftp\" is not supported (use "
                "http, https or *)");

  EXPECT_EQ(AllowError("https://"),
            p + "\"https://\": the host is empty (write scheme://host[:port], "
                "for example https://example.com)");
  EXPECT_EQ(AllowError("https://example.com:99999"),
            p + "\"https://example.com:99999\": port \"99999\" is not a "
                "number from 1 to 65535 or *");
  EXPECT_EQ(AllowError("https://example.com:"),
            p + "\"https://example.com:\": port \"\" is not a number from 1 "
                "to 65535 or *");

  EXPECT_EQ(AllowError("https://example.com/api"),
            p + "\"https://example.com/api\": entries name hosts only, so a "
                "path is not allowed (use block_url to block paths)");
  EXPECT_EQ(AllowError("https://example.com:443/api"),
            p + "\"https://example.com:443/api\": entries name hosts only, so "
                "a path is not allowed (use block_url to block paths)");
  EXPECT_EQ(AllowError("https://user@example.com"),
            p + "\"https://user@example.com\": user information (user@host) "
                "is not allowed");

  EXPECT_EQ(AllowError("https://foo.*.com"),
            p + "\"https://foo.*.com\": \"*\" may only be the whole host or a "
                "leading \"*.\" label, as in *.example.com");
  EXPECT_EQ(AllowError("https://*.10.0.0.1"),
            p + "\"https://*.10.0.0.1\": \"*.\" must be followed by a domain "
                "name, not an address");

  EXPECT_EQ(AllowError("http://10.0.0.1/8"),
            p + "\"http://10.0.0.1/8\": address bits past the prefix length "
                "are set (did you mean 10.0.0.0/8?)");
  EXPECT_EQ(AllowError("http://10.0.0.0/33"),
            p + "\"http://10.0.0.0/33\": prefix length \"33\" is not a number "
                "from 0 to 32");
  EXPECT_EQ(AllowError("http://[10.0.0.0]/8"),
            p + "\"http://[10.0.0.0]/8\": a range needs an IPv4 dotted quad "
                "such as 10.0.0.0/8 or IPv6 in brackets such as [fd00::]/8");

  EXPECT_EQ(AllowError("http://[::1"),
            p + "\"http://[::1\": host \"[::1\" has no closing ']'");
  EXPECT_EQ(AllowError("https://exa mple.com"),
            p + "\"https://exa mple.com\": host \"exa mple.com\" contains a "
                "space or control character");
  EXPECT_EQ(AllowError("https://256.1.1.1"),
            p + "\"https://256.1.1.1\": \"256.1.1.1\" is not a valid IPv4 "
                "address: part \"256\" exceeds 255");
}

TEST(NetworkPolicy, AcceptsEveryDocumentedEntryForm) {
  for (const char* entry :
       {"https://example.com", "https://example.com/", "HTTPS://Example.COM.",
        "*://example.com", "https://example.com:*", "https://*",
        "https://*:*", "*://*:*", "https://*.example.com",
        "http://10.0.0.0/8:8080", "http://[fd00::]/8", "http://[::1]:8080",
        "http://127.1:3000", "https://b\xc3\xbc" "cher.example"}) {
    EXPECT_EQ(AllowError(entry), "ok") << entry;
  }
}

TEST(NetworkPolicy, RejectsInvalidBlockNetworks) {
  NetworkPolicyConfig config;
  config.block_networks = std::vector<std::string>{"10/8"};
  EXPECT_EQ(CreateError(config),
            "invalid block_networks entry \"10/8\": \"10\" is not an IP "
            "address (write a dotted quad such as 10.0.0.0 or IPv6 without "
            "brackets such as fd00::)");
  config.block_networks = std::vector<std::string>{"[::1]/128"};
  EXPECT_EQ(CreateError(config),
            "invalid block_networks entry \"[::1]/128\": \"[::1]\" is not an "
            "IP address (write a dotted quad such as 10.0.0.0 or IPv6 "
            "without brackets such as fd00::)");
  config.block_networks = std::vector<std::string>{"192.168.1.0/16"};
  EXPECT_EQ(CreateError(config),
            "invalid block_networks entry \"192.168.1.0/16\": address bits "
            "past the prefix length are set (did you mean 192.168.0.0/16?)");
}

TEST(NetworkPolicy, RejectsInvalidBlockUrls) {
  NetworkPolicyConfig config;
  config.block_url = {"ftp://example.com/"};
  EXPECT_EQ(CreateError(config),
            "invalid block_url entry \"ftp://example.com/\": scheme \"ftp\" "
            "is not supported (use http or https)");
  config.block_url = {"http://example.com/#top"};
  EXPECT_EQ(CreateError(config),
            "invalid block_url entry \"http://example.com/#top\": a fragment "
            "(#...) is never sent, so it cannot be blocked (remove it)");
  config.block_url = {"/admin"};
  EXPECT_EQ(CreateError(config),
            "invalid block_url entry \"/admin\": it is not an absolute URL "
            "(write http://host/path or https://host/path)");
}

TEST(NetworkPolicy, DefaultBlockListParses) {
  NetworkPolicyConfig config;
  config.block_networks = DefaultBlockNetworks();
  EXPECT_EQ(CreateError(config), "ok");
  EXPECT_EQ(DefaultBlockNetworks().size(), 21u);
}

TEST(NetworkPolicy, BlockUrlCatchesEverySpelling) {
  NetworkPolicy policy = MakePolicy({"*://*:*"}, std::vector<std::string>{},
                                    {"http://localhost:8080/admin"});
  ExpectCases(policy, {
      {"http://localhost:8080/admin", Expect::kDenied},
      {"http://127.0.0.1:8080/admin", Expect::kDenied},
      {"http://127.1:8080/admin", Expect::kDenied},
      {"http://127.0.1:8080/admin", Expect::kDenied},
      {"http://2130706433:8080/admin", Expect::kDenied},
      {"http://0177.0.0.1:8080/admin", Expect::kDenied},
      {"http://0x7f.1:8080/admin", Expect::kDenied},
      {"http://[::ffff:127.0.0.1]:8080/admin", Expect::kDenied},
      {"HTTP://LOCALHOST:8080/admin", Expect::kDenied},
      {"http://api.localhost:8080/admin/users", Expect::kDenied},
      {"http://127.0.0.1:8080/%61dmin", Expect::kDenied},
      {"http://127.0.0.1:8080/public/../admin", Expect::kDenied},
      {"http://127.0.0.1:8080/public/%2e%2e/admin?x=1", Expect::kDenied},
      {"http://127.0.0.1:8080/./admin#frag", Expect::kDenied},
      {"http://127.0.0.1:8080/administrator", Expect::kAllowed},
      {"http://127.0.0.1:8080/Admin", Expect::kAllowed},
      {"http://127.0.0.1:8080/public", Expect::kAllowed},
      {"http://127.0.0.1:8081/admin", Expect::kAllowed},
      {"https://127.0.0.1:8080/admin", Expect::kAllowed},
  });
}

TEST(NetworkPolicy, BlockUrlOriginAndQueryPrefixes) {
  NetworkPolicy policy = MakePolicy(
      {"*://*:*"}, std::nullopt,
      {"https://Example.com", "https://api.test/v1/", "https://q.test/s?a="});
  ExpectCases(policy, {
      {"https://example.com/anything", Expect::kDenied},
      {"https://example.com:443/", Expect::kDenied},
      {"https://example.com:8443/", Expect::kAllowed},
      {"https://example.com.evil.test/", Expect::kAllowed},
      {"https://api.test/v1/x", Expect::kDenied},
      {"https://api.test/v1", Expect::kAllowed},
      {"https://q.test/s?a=1", Expect::kDenied},
      {"https://q.test/s?b=1", Expect::kAllowed},
  });
}

}  // namespace
}  // namespace boxagnts::sandbox

namespace boxagnts::sandbox {
namespace {

TEST(NetworkPolicy, ExplicitBlockBeatsWiderAllowRange) {
  NetworkPolicy policy =
      MakePolicy({"http://127.0.0.0/8:*"}, std::vector<std::string>{
                                               "127.0.0.5/32", "127.0.0.0/8"});
  Result<HttpUrl> blocked = ParseHttpUrl("http://127.0.0.5:8080/");
  Result<HttpUrl> other = ParseHttpUrl("http://127.0.0.6:8080/");
  EXPECT_FALSE(policy.CheckAddress(*blocked, *IpAddress::Parse("127.0.0.5")).allowed);
  EXPECT_TRUE(policy.CheckAddress(*other, *IpAddress::Parse("127.0.0.6")).allowed);
}

TEST(NetworkPolicy, AllAddressesRangeOptsInNothingBlocked) {
  NetworkPolicy policy = MakePolicy({"http://0.0.0.0/0:*", "http://[::]/0:*"});
  for (const char* address : {"127.0.0.1", "10.1.2.3", "169.254.169.254"}) {
    Result<HttpUrl> url = ParseHttpUrl(std::string("http://") + address + "/");
    EXPECT_FALSE(policy.CheckAddress(*url, *IpAddress::Parse(address)).allowed)
        << address;
  }
  Result<HttpUrl> v6 = ParseHttpUrl("http://[fd00:ec2::254]/");
  EXPECT_FALSE(
      policy.CheckAddress(*v6, *IpAddress::Parse("fd00:ec2::254")).allowed);
  Result<HttpUrl> open = ParseHttpUrl("http://93.184.216.34/");
  EXPECT_TRUE(
      policy.CheckAddress(*open, *IpAddress::Parse("93.184.216.34")).allowed);
}

TEST(NetworkPolicy, LiteralOptInOfDefaultRangeStillWorks) {
  NetworkPolicy policy = MakePolicy({"http://127.0.0.1:8080"});
  Result<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:8080/");
  EXPECT_TRUE(policy.CheckAddress(*url, *IpAddress::Parse("127.0.0.1")).allowed);
}

}  // namespace
}  // namespace boxagnts::sandbox
