// The WebFetch tool's WebAssembly module against loopback HTTP servers,
// with a network broker whose policy allows one of them by its literal
// address and port.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "sandbox/net_policy.h"
#include "tools/guest_test_support.h"

namespace boxagnts::testing {
namespace {

// An HTTP server on 127.0.0.1 that counts the requests it gets.
class LoopbackServer {
 public:
  LoopbackServer() {
    server_.set_pre_routing_handler([this](const auto&, auto&) {
      ++requests_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
  }
  ~LoopbackServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

constexpr char kPage[] = R"(<!DOCTYPE html>
<html><head><title>Ignored title</title>
<style>body { color: red; }</style>
<script>var secret = "do not show";</script></head>
<body>
<nav><a href="/home">Home</a> | <a href="/about">About</a></nav>
<h1>Main  Title</h1>
<p>First paragraph with <a href="/docs/intro.html">a link</a> and
<strong>bold</strong> &amp; <em>italic</em> text&nbsp;here.</p>
<h2>List</h2>
<ul><li>one</li><li>two <code>x &lt; y</code></li></ul>
<ol><li>first</li><li>second</li></ol>
<pre>line 1
  line 2</pre>
<p>Caf&#233; &#x2013; &quot;quoted&quot;</p>
<script>document.write("hidden")</script>
</body></html>)";

class GuestWebFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = allowed_.server();
    s.Get("/page", [](const auto&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    s.Get("/plain", [](const auto&, httplib::Response& res) {
      res.set_content("plain <b>text</b> & more\n", "text/plain");
    });
    s.Get("/image", [](const auto&, httplib::Response& res) {
      res.set_content(std::string("\x89PNG\r\n\0\0", 8), "image/png");
    });
    s.Get("/missing", [](const auto&, httplib::Response& res) {
      res.status = 404;
      res.set_content("<html><body><p>No such page</p></body></html>",
                      "text/html");
    });
    s.Get("/big", [](const auto&, httplib::Response& res) {
      res.set_content(std::string(500, 'z'), "text/plain");
    });

    // /hop/1 -> /hop/2 (absolute path) -> ../final (relative) -> /final
    s.Get("/hop/1", [](const auto&, httplib::Response& res) {
      res.set_redirect("/hop/2", 302);
    });
    s.Get("/hop/2", [](const auto&, httplib::Response& res) {
      res.set_redirect("../final", 301);
    });
    s.Get("/final", [](const auto&, httplib::Response& res) {
      res.set_content("<p>arrived</p>", "text/html");
    });
    s.Get("/loop", [](const auto&, httplib::Response& res) {
      res.set_redirect("/loop", 307);
    });
    s.Get("/escape", [this](const auto&, httplib::Response& res) {
      res.set_redirect(blocked_.Url("/secret"), 302);
    });

    blocked_.server().Get("/secret", [](const auto&, httplib::Response& res) {
      res.set_content("SECRET", "text/plain");
    });
    allowed_.Start();
    blocked_.Start();
  }

  // Runs WebFetch with a broker that allows only `allowed_`'s port.
  ToolOutput Fetch(const Json& input) {
    sandbox::NetworkPolicyConfig config;
    config.allowed_outbound_hosts = {allowed_.Url("")};
    Result<sandbox::NetworkPolicy> policy =
        sandbox::NetworkPolicy::Create(config);
    EXPECT_TRUE(policy.ok()) << policy.status().ToString();
    auto broker = std::make_shared<sandbox::NetworkBroker>(
        std::move(*policy), sandbox::NetworkLimits{}, nullptr);
    return RunTool("WebFetch", input, work_.path(), true, broker);
  }

  LoopbackServer allowed_;
  LoopbackServer blocked_;
  TempDir work_;
};

TEST_F(GuestWebFetchTest, HtmlBecomesMarkdown) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/page")}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            "# Main Title\n"
            "\n"
            "First paragraph with [a link](" +
                allowed_.Url("/docs/intro.html") +
                ") and **bold** & *italic* text here.\n"
                "\n"
                "## List\n"
                "\n"
                "- one\n"
                "- two `x < y`\n"
                "\n"
                "1. first\n"
                "2. second\n"
                "\n"
                "```\n"
                "line 1\n"
                "  line 2\n"
                "```\n"
                "\n"
                "Caf\xC3\xA9 \xE2\x80\x93 \"quoted\"");
  EXPECT_EQ(out.metadata["status"], 200);
  EXPECT_EQ(out.metadata["content_type"], "text/html; charset=utf-8");
  EXPECT_EQ(out.metadata["redirects"], 0);
  EXPECT_EQ(out.metadata["truncated"], false);
}

TEST_F(GuestWebFetchTest, TextFormatDropsMarkup) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/page")}, {"format", "text"}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            "Main Title\n\nFirst paragraph with a link and bold & italic "
            "text here.\n\nList\n\n- one\n- two x < y\n\n1. first\n2. "
            "second\n\nline 1\n  line 2\n\nCaf\xC3\xA9 \xE2\x80\x93 "
            "\"quoted\"");
}

TEST_F(GuestWebFetchTest, RawAndPlainTextPassThrough) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/plain")}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "plain <b>text</b> & more\n");
  out = Fetch({{"url", allowed_.Url("/page")}, {"format", "raw"}});
  EXPECT_EQ(out.content, kPage);
}

TEST_F(GuestWebFetchTest, FollowsRedirectChain) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/hop/1")}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content, "arrived");
  EXPECT_EQ(out.metadata["redirects"], 2);
  EXPECT_EQ(out.metadata["url"], allowed_.Url("/final"));
  EXPECT_EQ(allowed_.requests(), 3);
}

TEST_F(GuestWebFetchTest, RedirectToOtherHostGoesBackToModel) {
  // Another host (here another port) is a new call for the model, so the
  // permission rules for that host decide; the tool never requests it.
  ToolOutput out = Fetch({{"url", allowed_.Url("/escape")}});
  EXPECT_FALSE(out.is_error) << out.content;
  std::string url = blocked_.Url("/secret");
  EXPECT_EQ(out.content, allowed_.Url("/escape") +
                             " redirected (HTTP 302) to a different host: " +
                             url + "\nTo fetch it, call WebFetch again with "
                             "that URL.");
  EXPECT_EQ(out.metadata["redirect_url"], url);
  EXPECT_EQ(blocked_.requests(), 0);
  EXPECT_EQ(allowed_.requests(), 1);
}

TEST_F(GuestWebFetchTest, BlockedAddressIsRejected) {
  std::string url = blocked_.Url("/secret");
  ToolOutput out = Fetch({{"url", url}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "the request to " + url +
                             " was rejected: the sandbox network policy "
                             "does not allow requests to " + url);
  EXPECT_EQ(blocked_.requests(), 0);
}

TEST_F(GuestWebFetchTest, StopsAfterTenRedirects) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/loop")}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, "too many redirects: more than 10, starting at " +
                             allowed_.Url("/loop") +
                             "; the last one pointed to /loop");
  EXPECT_EQ(allowed_.requests(), 11);
}

TEST_F(GuestWebFetchTest, CapsOutputAtMaxBytes) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/big")}, {"max_bytes", 100}});
  EXPECT_FALSE(out.is_error) << out.content;
  EXPECT_EQ(out.content,
            std::string(100, 'z') +
                "\n\n[... content truncated: showing 100 of 500 bytes; "
                "raise max_bytes (up to 10000000) to see more]");
  EXPECT_EQ(out.metadata["truncated"], true);
  EXPECT_EQ(out.metadata["body_bytes"], 500);
}

TEST_F(GuestWebFetchTest, RejectsBinaryAndErrorStatus) {
  ToolOutput out = Fetch({{"url", allowed_.Url("/image")}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content, allowed_.Url("/image") +
                             " returned binary content (image/png, 8 "
                             "bytes); WebFetch returns text and HTML only");
  out = Fetch({{"url", allowed_.Url("/missing")}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            allowed_.Url("/missing") + " returned HTTP 404:\n\nNo such page");
  EXPECT_EQ(out.metadata["status"], 404);
}

TEST_F(GuestWebFetchTest, RejectsBadUrlAndFormat) {
  ToolOutput out = Fetch({{"url", "ftp://127.0.0.1/x"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.content,
            "url \"ftp://127.0.0.1/x\" is not an http or https URL; give a "
            "full URL such as https://example.com/page");
  out = Fetch({{"url", allowed_.Url("/page")}, {"format", "pdf"}});
  EXPECT_EQ(out.content,
            "format \"pdf\" is not supported; use \"markdown\", \"text\" or "
            "\"raw\"");
  EXPECT_EQ(allowed_.requests(), 0);
}

TEST_F(GuestWebFetchTest, DirectRequestToUnlistedPortIsRejected) {
  ToolOutput out = Fetch({{"url", blocked_.Url("/secret")}});
  EXPECT_TRUE(out.is_error);
  std::string url = blocked_.Url("/secret");
  EXPECT_EQ(out.content, "the request to " + url +
                             " was rejected: the sandbox network policy "
                             "does not allow requests to " + url);
  EXPECT_EQ(blocked_.requests(), 0);
}

}  // namespace
}  // namespace boxagnts::testing
