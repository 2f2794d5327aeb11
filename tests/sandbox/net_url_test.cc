#include "sandbox/net_url.h"

#include <gtest/gtest.h>

namespace boxagnts::sandbox {
namespace {

std::string Normalize(std::string_view url) {
  Result<HttpUrl> parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  return parsed->ToString();
}

TEST(ParseHttpUrl, NormalizesSchemeHostAndPath) {
  EXPECT_EQ(Normalize("HTTP://Example.COM./a/../b/%7Euser?q=%7e%2f#frag"),
            "http://example.com:80/b/~user?q=~%2F");
  EXPECT_EQ(Normalize("https://example.com"), "https://example.com:443/");
  EXPECT_EQ(Normalize("http://example.com:/"), "http://example.com:80/");
  EXPECT_EQ(Normalize("http://example.com?x=1"), "http://example.com:80/?x=1");
  EXPECT_EQ(Normalize("http://example.com/a b"),
            "http://example.com:80/a%20b");
  EXPECT_EQ(Normalize("http://example.com/%2e%2E/./x/.."),
            "http://example.com:80/");
  EXPECT_EQ(Normalize("http://example.com/a/%2fb/"),
            "http://example.com:80/a/%2Fb/");
  EXPECT_EQ(Normalize("http://example.com/a//b/."),
            "http://example.com:80/a//b/");
  EXPECT_EQ(Normalize("http://example.com/caf\xc3\xa9"),
            "http://example.com:80/caf%C3%A9");
  EXPECT_EQ(Normalize("http://example.com/{x}|^"),
            "http://example.com:80/%7Bx%7D%7C%5E");
}

TEST(ParseHttpUrl, NormalizesIpHosts) {
  EXPECT_EQ(Normalize("http://2130706433/"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://0177.0.0.1/"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://0x7F.1/"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://127.0.1/"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://127.0.0.1./"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://[::FFFF:127.0.0.1]:8080"),
            "http://127.0.0.1:8080/");
  EXPECT_EQ(Normalize("http://[::ffff:7f00:1]/"), "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://[2001:DB8:0::1]/"), "http://[2001:db8::1]:80/");
  EXPECT_EQ(Normalize("http://[::127.0.0.1]/"), "http://[::7f00:1]:80/");
  EXPECT_EQ(Normalize("http://%31%32%37.0.0.1/"), "http://127.0.0.1:80/");
  // Full-width digits and an ideographic full stop map to ASCII (UTS 46).
  EXPECT_EQ(Normalize("http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0."
                      "\xef\xbc\x91/"),
            "http://127.0.0.1:80/");
  EXPECT_EQ(Normalize("http://127\xe3\x80\x82" "0.0.1/"),
            "http://127.0.0.1:80/");
}

TEST(ParseHttpUrl, ConvertsIdnToPunycode) {
  EXPECT_EQ(Normalize("https://b\xc3\xbc" "cher.example/"),
            "https://xn--bcher-kva.example:443/");
  EXPECT_EQ(Normalize("https://B\xc3\x9c" "CHER.Example./"),
            "https://xn--bcher-kva.example:443/");
  EXPECT_EQ(Normalize("https://XN--BCHER-KVA.example/"),
            "https://xn--bcher-kva.example:443/");
  EXPECT_EQ(Normalize("http://%6c%6f%63alhost/"), "http://localhost:80/");
}

TEST(ParseHttpUrl, ParsesAuthorityBeforeUserinfoTricks) {
  // The authority ends at '#', so the host is evil.com.
  EXPECT_EQ(Normalize("http://evil.com#@allowed.com/"),
            "http://evil.com:80/");
  EXPECT_EQ(Normalize("http://evil.com?@allowed.com/"),
            "http://evil.com:80/?@allowed.com/");
  EXPECT_EQ(Normalize("http://allowed.com@evil.com/"),
            "error: invalid URL \"http://allowed.com@evil.com/\": user "
            "information (user@host) is not allowed in the URL (send "
            "credentials in a header)");
  EXPECT_EQ(Normalize("http://user:pass@example.com/"),
            "error: invalid URL \"http://user:pass@example.com/\": user "
            "information (user@host) is not allowed in the URL (send "
            "credentials in a header)");
}

TEST(ParseHttpUrl, RejectsMalformedUrlsWithReasons) {
  EXPECT_EQ(Normalize("ftp://example.com/"),
            "error: invalid URL \"ftp://example.com/\": scheme \"ftp\" is "
            "not supported (use http or https)");
  EXPECT_EQ(Normalize("example.com/x"),
            "error: invalid URL \"example.com/x\": it is not an absolute URL "
            "(write http://host/path or https://host/path)");
  EXPECT_EQ(Normalize("http:/example.com/"),
            "error: invalid URL \"http:/example.com/\": it is not an "
            "absolute URL (write http://host/path or https://host/path)");

  EXPECT_EQ(Normalize("http:///x"),
            "error: invalid URL \"http:///x\": the host is empty");
  EXPECT_EQ(Normalize("http://example.com:0/"),
            "error: invalid URL \"http://example.com:0/\": port \"0\" is not "
            "a number from 1 to 65535");
  EXPECT_EQ(Normalize("http://example.com:65536/"),
            "error: invalid URL \"http://example.com:65536/\": port "
            "\"65536\" is not a number from 1 to 65535");

  EXPECT_EQ(Normalize("http://[::1/"),
            "error: invalid URL \"http://[::1/\": host \"[::1\" has no "
            "closing ']'");
  EXPECT_EQ(Normalize("http://[::1]x/"),
            "error: invalid URL \"http://[::1]x/\": unexpected text after "
            "the host in \"[::1]x\"");
  EXPECT_EQ(Normalize("http://[fe80::1%25eth0]/"),
            "error: invalid URL \"http://[fe80::1%25eth0]/\": host "
            "\"[fe80::1%25eth0]\" has an IPv6 zone, which is not allowed");
  EXPECT_EQ(Normalize("http://[::g]/"),
            "error: invalid URL \"http://[::g]/\": host \"[::g]\" is not a "
            "valid IPv6 address");

  EXPECT_EQ(Normalize("http://a\\b/"),
            "error: invalid URL \"http://a\\b/\": it contains a backslash "
            "(escape it as %5C)");
  EXPECT_EQ(Normalize("http://example.com/\nx"),
            "error: invalid URL \"http://example.com/\nx\": it contains a "
            "control character (escape it with %XX)");

  EXPECT_EQ(Normalize("http://1.2.3.4.5/"),
            "error: invalid URL \"http://1.2.3.4.5/\": \"1.2.3.4.5\" ends in "
            "a number but has more than four parts, so it is neither an "
            "IPv4 address nor a domain name");
  EXPECT_EQ(Normalize("http://a..com/"),
            "error: invalid URL \"http://a..com/\": host \"a..com\" has an "
            "empty label");
  EXPECT_EQ(Normalize("http://exa$mple.com/"),
            "error: invalid URL \"http://exa$mple.com/\": host "
            "\"exa$mple.com\" contains the character '$', which is not "
            "allowed in a host name");
  EXPECT_EQ(Normalize("http://a%00b.com/"),
            "error: invalid URL \"http://a%00b.com/\": host \"a%00b.com\" "
            "contains a space or control character");

  EXPECT_EQ(Normalize("http://example.com/%zz"),
            "error: invalid URL \"http://example.com/%zz\": invalid "
            "percent-encoding \"%zz\" in the path (write a literal % as %25)");
  EXPECT_EQ(Normalize("http://example.com/?a=%4"),
            "error: invalid URL \"http://example.com/?a=%4\": invalid "
            "percent-encoding \"%4\" in the query (write a literal % as "
            "%25)");
}

TEST(ParseHttpUrl, RejectsInvalidInternationalNames) {
  Result<HttpUrl> url = ParseHttpUrl("http://xn--a.example/");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(url.status().message().find("is not a valid international domain "
                                        "name"),
            std::string::npos)
      << url.status().message();
}

TEST(ParseHttpUrl, RejectsUrlsOverTheLengthLimit) {
  std::string url = "http://example.com/" + std::string(kMaxUrlBytes, 'a');
  Result<HttpUrl> parsed = ParseHttpUrl(url);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("is longer than 8192 bytes"),
            std::string::npos);
}

TEST(HttpUrl, RequestUrlOmitsDefaultPort) {
  EXPECT_EQ(ParseHttpUrl("https://example.com:443/a?b")->ToRequestUrl(),
            "https://example.com/a?b");
  EXPECT_EQ(ParseHttpUrl("http://[::1]:8080/")->ToRequestUrl(),
            "http://[::1]:8080/");
  EXPECT_EQ(ParseHttpUrl("http://example.com/a?key=s")->ToStringWithoutQuery(),
            "http://example.com:80/a");
}

TEST(IsLocalhostName, MatchesLocalhostAndSubdomains) {
  EXPECT_TRUE(IsLocalhostName("localhost"));
  EXPECT_TRUE(IsLocalhostName("api.localhost"));
  EXPECT_FALSE(IsLocalhostName("notlocalhost"));
  EXPECT_FALSE(IsLocalhostName(".localhost"));
  EXPECT_FALSE(IsLocalhostName("localhost.example.com"));
}

}  // namespace
}  // namespace boxagnts::sandbox
