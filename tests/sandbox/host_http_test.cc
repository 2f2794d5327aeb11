// A guest's HTTP requests through the boxagnts host import, end to end:
// guest -> host import -> network broker -> loopback server.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "sandbox/net_broker.h"
#include "sandbox/sandbox.h"

namespace boxagnts::sandbox {
namespace {

// An HTTP server on a loopback address that counts requests.
class LoopbackServer {
 public:
  explicit LoopbackServer(const std::string& host) {
    server_.set_pre_routing_handler([this](const auto&, auto&) {
      ++requests_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = server_.bind_to_any_port(host);
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
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

// Maps test names to fixed addresses.
class MapResolver : public Resolver {
 public:
  explicit MapResolver(std::map<std::string, std::vector<std::string>> names)
      : names_(std::move(names)) {}
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    auto it = names_.find(host);
    if (it == names_.end()) return Status::NotFound("unknown host " + host);
    return it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> names_;
};

class HostHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    allowed_.server().Get("/hello", [](const auto&, httplib::Response& res) {
      res.set_content("hi from loopback", "text/plain");
    });
    allowed_.server().Get("/jump", [this](const auto&, httplib::Response& res) {
      res.set_redirect("http://127.0.0.3:" + std::to_string(blocked_.port()) +
                       "/secret");
    });
    blocked_.server().Get("/secret", [](const auto&, httplib::Response& res) {
      res.set_content("SECRET", "text/plain");
    });
    allowed_.Start();
    blocked_.Start();
  }

  // Runs http_probe with a policy that allows *.test names on any port
  // and blocks 127.0.0.3, where `blocked_` listens.
  RunOutcome Probe(std::vector<std::string> args, bool with_network = true) {
    NetworkPolicyConfig config;
    config.allowed_outbound_hosts = {"http://*.test:*"};
    config.block_networks = std::vector<std::string>{"127.0.0.3/32"};
    RunRequest request;
    request.args = std::move(args);
    if (with_network) {
      Result<NetworkPolicy> policy = NetworkPolicy::Create(config);
      EXPECT_TRUE(policy.ok()) << policy.status().ToString();
      auto resolver = std::make_shared<MapResolver>(
          std::map<std::string, std::vector<std::string>>{
              {"api.test", {"127.0.0.2"}},
              {"evil.test", {"127.0.0.3"}},
              {"mixed.test", {"127.0.0.2", "127.0.0.3"}}});
      request.network = std::make_shared<NetworkBroker>(
          std::move(*policy), NetworkLimits{}, resolver);
    }
    Result<RunOutcome> outcome = sandbox_.Run(
        ModuleSource::File(std::string(BOXAGNTS_TEST_GUEST_DIR) +
                           "/http_probe.wasm"),
        request);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : RunOutcome{};
  }

  std::string Url(const std::string& host, int port, const std::string& path) {
    return "http://" + host + ":" + std::to_string(port) + path;
  }

  LoopbackServer allowed_{"127.0.0.2"};
  LoopbackServer blocked_{"127.0.0.3"};
  Sandbox sandbox_{""};
};

TEST_F(HostHttpTest, AllowedRequestReturnsBody) {
  RunOutcome outcome = Probe({Url("api.test", allowed_.port(), "/hello")});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.stdout_bytes;
  EXPECT_NE(outcome.stdout_bytes.find("meta {\"body_bytes\":16,"
                                      "\"body_truncated\":false,"),
            std::string::npos)
      << outcome.stdout_bytes;
  EXPECT_NE(outcome.stdout_bytes.find("\"status\":200"), std::string::npos);
  EXPECT_NE(outcome.stdout_bytes.find("body hi from loopback\n"),
            std::string::npos);
  EXPECT_EQ(allowed_.requests(), 1);
}

TEST_F(HostHttpTest, NoNetworkIsDeniedAndGuestContinues) {
  RunOutcome outcome =
      Probe({Url("api.test", allowed_.port(), "/hello")}, false);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.trap, TrapKind::kNone);
  EXPECT_EQ(outcome.stdout_bytes,
            "error -2 this sandbox run has no network access\n");
  EXPECT_EQ(allowed_.requests(), 0);
}

TEST_F(HostHttpTest, NameResolvingToBlockedAddressIsRefused) {
  RunOutcome outcome = Probe({Url("evil.test", blocked_.port(), "/secret")});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.stdout_bytes.rfind("error -2 ", 0), 0u)
      << outcome.stdout_bytes;
  EXPECT_EQ(outcome.stdout_bytes.find("SECRET"), std::string::npos);
  EXPECT_EQ(outcome.stdout_bytes.find("127.0.0.3/32"), std::string::npos)
      << "policy internals leaked";
  EXPECT_EQ(blocked_.requests(), 0);
}

TEST_F(HostHttpTest, MixedAllowedAndBlockedAddressesAreRefused) {
  RunOutcome outcome = Probe({Url("mixed.test", allowed_.port(), "/hello")});
  EXPECT_EQ(outcome.stdout_bytes.rfind("error -2 ", 0), 0u)
      << outcome.stdout_bytes;
  EXPECT_EQ(allowed_.requests(), 0);
  EXPECT_EQ(blocked_.requests(), 0);
}

TEST_F(HostHttpTest, RedirectIsReturnedNotFollowed) {
  RunOutcome outcome = Probe({Url("api.test", allowed_.port(), "/jump")});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_NE(outcome.stdout_bytes.find("\"status\":302"), std::string::npos)
      << outcome.stdout_bytes;
  EXPECT_EQ(blocked_.requests(), 0);
}

TEST_F(HostHttpTest, IpLiteralSpellingsOfBlockedAddressAreRefused) {
  for (const std::string host :
       {"127.0.0.3", "2130706435", "0x7f.0.0.3", "0177.0.0.3", "127.3"}) {
    RunOutcome outcome = Probe({Url(host, blocked_.port(), "/secret")});
    EXPECT_EQ(outcome.stdout_bytes.rfind("error -2 ", 0), 0u)
        << host << ": " << outcome.stdout_bytes;
  }
  EXPECT_EQ(blocked_.requests(), 0);
}

TEST_F(HostHttpTest, MalformedUrlIsInvalidRequest) {
  RunOutcome outcome = Probe({"not a url"});
  EXPECT_EQ(outcome.stdout_bytes.rfind("error -1 ", 0), 0u)
      << outcome.stdout_bytes;
}

}  // namespace
}  // namespace boxagnts::sandbox
