// Broker tests against HTTP servers on loopback addresses. Names resolve
// through TestResolver only, and every server listens on 127.0.0.0/8 or
// ::1. 127.0.0.1 plays the blocked address and 127.0.0.2 the allowed one.

#include "sandbox/net_broker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "sandbox/net_curl.h"
#include "sandbox/net_transfer.h"

namespace boxagnts::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// An HTTP server on one loopback address that counts the requests it gets.
class TestServer {
 public:
  // Binds `host` on `port`, or on a free port when `port` is 0.
  explicit TestServer(const std::string& host, int port = 0) {
    server_.set_pre_routing_handler(
        [this](const httplib::Request&, httplib::Response&) {
          ++requests_;
          return httplib::Server::HandlerResponse::Unhandled;
        });
    if (port == 0) {
      port_ = server_.bind_to_any_port(host);
    } else if (server_.bind_to_port(host, port)) {
      port_ = port;
    }
  }
  ~TestServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Registers routes on server() first, then calls Start().
  httplib::Server& server() { return server_; }
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing until the server runs, so wait for that.
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }
  bool bound() const { return port_ > 0; }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> requests_{0};
};

// A TCP server that records each raw request it reads and replies
// "200 ok". Tests use it as a fake proxy and to see the exact bytes sent.
class RawServer {
 public:
  explicit RawServer(const std::string& host) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    inet_pton(AF_INET, host.c_str(), &address.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 16);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawServer() {
    stop_.store(true);
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_.load()) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      std::string raw = ReadRequest(client);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(raw);
      }
      std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      close(client);
    }
  }
  // Reads the head and a Content-Length body, for up to two seconds.
  static std::string ReadRequest(int client) {
    std::string raw;
    char buffer[4096];
    Clock::time_point end = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < end) {
      size_t head_end = raw.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t length_at = raw.find("Content-Length: ");
        size_t body = length_at == std::string::npos || length_at > head_end
                          ? 0
                          : std::stoul(raw.substr(length_at + 16));
        if (raw.size() >= head_end + 4 + body) break;
      }
      pollfd p{client, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      ssize_t n = recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      raw.append(buffer, n);
    }
    return raw;
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// Maps names to address lists. The n-th call for a name returns the n-th
// list, and the last list repeats.
class TestResolver : public Resolver {
 public:
  void Set(const std::string& host,
           std::vector<std::vector<std::string>> answers) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[host] = std::move(answers);
  }
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    std::lock_guard<std::mutex> lock(mu_);
    int call = calls_[host]++;
    auto it = answers_.find(host);
    if (it == answers_.end() || it->second.empty()) {
      return Status::NotFound("host \"" + host + "\" not found");
    }
    size_t index = std::min<size_t>(call, it->second.size() - 1);
    return it->second[index];
  }
  int calls(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[host];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::vector<std::string>>> answers_;
  std::map<std::string, int> calls_;
};

// Blocks server handlers until the test opens it.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = false;
};

// Sets environment variables and restores them when destroyed.
class EnvGuard {
 public:
  void Set(const char* name, const char* value) {
    Remember(name);
    setenv(name, value, 1);
  }
  void Unset(const char* name) {
    Remember(name);
    unsetenv(name);
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  void Remember(const char* name) {
    const char* old = getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old)
                                  : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Returns a port on `host` that was free a moment ago.
int UnusedPort(const std::string& host) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

NetworkPolicy MakePolicy(std::vector<std::string> allowed,
                         std::vector<std::string> block_networks,
                         std::vector<std::string> block_url = {}) {
  NetworkPolicyConfig config;
  config.allowed_outbound_hosts = std::move(allowed);
  config.block_networks = std::move(block_networks);
  config.block_url = std::move(block_url);
  Result<NetworkPolicy> policy = NetworkPolicy::Create(config);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return std::move(*policy);
}

Clock::time_point FarDeadline() {
  return Clock::now() + std::chrono::seconds(20);
}

Result<HttpResponse> Get(NetworkBroker& broker, const std::string& url) {
  HttpRequest request;
  request.url = url;
  return broker.Fetch(request, FarDeadline(), CancellationToken());
}

std::string HeaderValue(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return "<missing>";
}

std::string Url(const std::string& host, int port, const std::string& path) {
  return "http://" + host + ":" + std::to_string(port) + path;
}

// A broker that allows any http host and blocks only 127.0.0.1.
struct Fixture {
  std::shared_ptr<TestResolver> resolver = std::make_shared<TestResolver>();
  NetworkLimits limits;
  NetworkBroker Broker(std::vector<std::string> allowed = {"http://*:*"},
                       std::vector<std::string> blocked = {"127.0.0.1/32"},
                       std::vector<std::string> block_url = {}) {
    return NetworkBroker(MakePolicy(allowed, blocked, block_url), limits,
                         resolver, "test");
  }
};

TEST(NetworkBroker, AllowedRequestReturnsExactBody) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/hello", [](const httplib::Request&,
                                   httplib::Response& res) {
    res.set_header("X-Test", "one");
    res.set_content("hello, sandbox", "text/plain");
  });
  server.Start();
  Fixture f;
  f.resolver->Set("api.test", {{"127.0.0.2"}});
  NetworkBroker broker = f.Broker({"http://api.test:*"});

  Result<HttpResponse> response =
      Get(broker, Url("api.test", server.port(), "/hello"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello, sandbox");
  EXPECT_FALSE(response->body_truncated);
  EXPECT_EQ(HeaderValue(*response, "X-Test"), "one");
  EXPECT_EQ(HeaderValue(*response, "Content-Type"), "text/plain");
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(f.resolver->calls("api.test"), 1);
}

TEST(NetworkBroker, SendsExactRequestBytes) {
  RawServer server("127.0.0.2");
  Fixture f;
  f.resolver->Set("api.test", {{"127.0.0.2"}});
  NetworkBroker broker = f.Broker();
  std::string port = std::to_string(server.port());
  HttpRequest request;
  request.method = "PUT";
  request.url = "http://API.test:" + port + "/a/../b/%7e?q=%7e#frag";
  request.headers = {{"X-Token", "abc"}, {"X-Empty", ""}};
  request.body = "0123456789";
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), CancellationToken());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "ok");
  // No Expect, no default Content-Type, and the normalised path.
  std::vector<std::string> expected = {
      "PUT /b/~?q=~ HTTP/1.1\r\n"
      "Host: api.test:" + port + "\r\n"
      "Accept: */*\r\n"
      "X-Token: abc\r\n"
      "X-Empty:\r\n"
      "Content-Length: 10\r\n"
      "\r\n"
      "0123456789"};
  EXPECT_EQ(server.requests(), expected);
}

TEST(NetworkBroker, HeadRequestHasNoBody) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("body", "text/plain");
  });
  server.Start();
  Fixture f;
  NetworkBroker broker = f.Broker();
  HttpRequest request;
  request.method = "HEAD";
  request.url = Url("127.0.0.2", server.port(), "/");
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), CancellationToken());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
}

TEST(NetworkBroker, RedirectIsReturnedNotFollowed) {
  TestServer blocked("127.0.0.1");
  ASSERT_TRUE(blocked.bound());
  blocked.Start();
  std::string location = Url("127.0.0.1", blocked.port(), "/secret");
  TestServer allowed("127.0.0.2");
  ASSERT_TRUE(allowed.bound());
  allowed.server().Get("/go", [&](const httplib::Request&,
                                  httplib::Response& res) {
    res.set_redirect(location, 302);
  });
  allowed.Start();
  Fixture f;
  f.resolver->Set("api.test", {{"127.0.0.2"}});
  NetworkBroker broker = f.Broker();

  Result<HttpResponse> response =
      Get(broker, Url("api.test", allowed.port(), "/go"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(HeaderValue(*response, "Location"), location);
  EXPECT_EQ(allowed.requests(), 1);
  EXPECT_EQ(blocked.requests(), 0);
}

TEST(NetworkBroker, NameResolvingToBlockedIsRejected) {
  TestServer blocked("127.0.0.1");
  ASSERT_TRUE(blocked.bound());
  blocked.Start();
  Fixture f;
  f.resolver->Set("evil.test", {{"127.0.0.1"}});
  NetworkBroker broker = f.Broker();

  Result<HttpResponse> response =
      Get(broker, Url("evil.test", blocked.port(), "/x?key=secret"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(),
            "the sandbox network policy does not allow requests to "
            "http://evil.test:" + std::to_string(blocked.port()) + "/x");
  EXPECT_EQ(blocked.requests(), 0);
}

TEST(NetworkBroker, OneBlockedAddressRejectsWholeRequest) {
  TestServer allowed("127.0.0.2");
  ASSERT_TRUE(allowed.bound());
  allowed.Start();
  TestServer blocked("127.0.0.1", allowed.port());
  ASSERT_TRUE(blocked.bound()) << "port " << allowed.port() << " is taken";
  blocked.Start();
  Fixture f;
  f.resolver->Set("mixed.test", {{"127.0.0.2", "127.0.0.1"}});
  NetworkBroker broker = f.Broker();

  Result<HttpResponse> response =
      Get(broker, Url("mixed.test", allowed.port(), "/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(allowed.requests(), 0);
  EXPECT_EQ(blocked.requests(), 0);
}

TEST(NetworkBroker, PinsConnectionToVettedAddress) {
  TestServer allowed("127.0.0.2");
  ASSERT_TRUE(allowed.bound());
  allowed.server().Get("/", [](const httplib::Request&,
                                httplib::Response& res) {
    res.set_content("vetted", "text/plain");
  });
  allowed.Start();
  TestServer blocked("127.0.0.1", allowed.port());
  ASSERT_TRUE(blocked.bound()) << "port " << allowed.port() << " is taken";
  blocked.Start();
  Fixture f;
  // A rebinding name: the first result passes, later ones are blocked.
  f.resolver->Set("rebind.test", {{"127.0.0.2"}, {"127.0.0.1"}});
  NetworkBroker broker = f.Broker();
  std::string url = Url("rebind.test", allowed.port(), "/");

  Result<HttpResponse> first = Get(broker, url);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->body, "vetted");
  EXPECT_EQ(f.resolver->calls("rebind.test"), 1);
  Result<HttpResponse> second = Get(broker, url);
  EXPECT_EQ(second.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(f.resolver->calls("rebind.test"), 2);
  EXPECT_EQ(allowed.requests(), 1);
  EXPECT_EQ(blocked.requests(), 0);
}

TEST(NetworkBroker, TransferRefusesUnvettedPeer) {
  // The second line of defence: even when handed a URL whose address was
  // not vetted, the socket callback stops the connection.
  TestServer blocked("127.0.0.1");
  ASSERT_TRUE(blocked.bound());
  blocked.Start();
  ASSERT_TRUE(EnsureCurlInitialized().ok());
  HttpRequest request;
  request.url = Url("127.0.0.1", blocked.port(), "/");
  Result<HttpUrl> url = ParseHttpUrl(request.url);
  ASSERT_TRUE(url.ok());
  Result<HttpResponse> response = RunTransfer(
      request, *url, {*IpAddress::Parse("127.0.0.2")}, NetworkLimits(),
      FarDeadline(), CancellationToken(), "test");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(blocked.requests(), 0);
}

TEST(NetworkBroker, TruncatesLargeResponseAndFlagsIt) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/big", [](const httplib::Request&,
                                 httplib::Response& res) {
    std::string body;
    for (int i = 0; i < 100000; ++i) body += static_cast<char>('a' + i % 26);
    res.set_content(body, "text/plain");
  });
  server.server().Get("/exact", [](const httplib::Request&,
                                   httplib::Response& res) {
    res.set_content(std::string(100, 'e'), "text/plain");
  });
  server.Start();
  Fixture f;
  f.limits.max_response_bytes = 100;
  NetworkBroker broker = f.Broker();

  Result<HttpResponse> big =
      Get(broker, Url("127.0.0.2", server.port(), "/big"));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 200);
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += static_cast<char>('a' + i % 26);
  EXPECT_EQ(big->body, expected);
  EXPECT_TRUE(big->body_truncated);

  Result<HttpResponse> exact =
      Get(broker, Url("127.0.0.2", server.port(), "/exact"));
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->body, std::string(100, 'e'));
  EXPECT_FALSE(exact->body_truncated);
}

TEST(NetworkBroker, RejectsTooLargeRequestBody) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.Start();
  Fixture f;
  f.limits.max_request_bytes = 10;
  NetworkBroker broker = f.Broker();
  HttpRequest request;
  request.method = "POST";
  request.url = Url("127.0.0.2", server.port(), "/");
  request.body = "01234567890";
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), CancellationToken());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(response.status().message(),
            "the request body has 11 bytes, more than the limit of 10 bytes");
  EXPECT_EQ(server.requests(), 0);
}

TEST(NetworkBroker, RequestTimeoutStopsSlowServer) {
  Gate gate;
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/slow", [&](const httplib::Request&,
                                   httplib::Response& res) {
    gate.Wait();
    res.set_content("late", "text/plain");
  });
  server.Start();
  Fixture f;
  f.limits.request_timeout_ms = 200;
  NetworkBroker broker = f.Broker();

  Clock::time_point start = Clock::now();
  Result<HttpResponse> response =
      Get(broker, Url("127.0.0.2", server.port(), "/slow"));
  auto elapsed_ms =
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  gate.Open();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(elapsed_ms, 150);
  EXPECT_LT(elapsed_ms, 3000);
}

TEST(NetworkBroker, CallerDeadlineStopsSlowServer) {
  Gate gate;
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/slow", [&](const httplib::Request&,
                                   httplib::Response& res) {
    gate.Wait();
    res.set_content("late", "text/plain");
  });
  server.Start();
  Fixture f;
  NetworkBroker broker = f.Broker();
  HttpRequest request;
  request.url = Url("127.0.0.2", server.port(), "/slow");
  Result<HttpResponse> response = broker.Fetch(
      request, Clock::now() + milliseconds(200), CancellationToken());
  gate.Open();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);

  Result<HttpResponse> late =
      broker.Fetch(request, Clock::now() - milliseconds(1),
                   CancellationToken());
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(NetworkBroker, CancellationAbortsTransferQuickly) {
  Gate gate;
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/slow", [&](const httplib::Request&,
                                   httplib::Response& res) {
    gate.Wait();
    res.set_content("late", "text/plain");
  });
  server.Start();
  Fixture f;
  NetworkBroker broker = f.Broker();
  HttpRequest request;
  request.url = Url("127.0.0.2", server.port(), "/slow");

  CancellationSource source;
  std::atomic<int64_t> cancelled_at_ns{0};
  std::thread canceller([&] {
    while (server.requests() == 0) std::this_thread::sleep_for(milliseconds(5));
    std::this_thread::sleep_for(milliseconds(50));
    cancelled_at_ns.store(Clock::now().time_since_epoch().count());
    source.Cancel("test");
  });
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), source.token());
  int64_t returned_at_ns = Clock::now().time_since_epoch().count();
  canceller.join();
  gate.Open();

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kCancelled);
  double latency_ms = (returned_at_ns - cancelled_at_ns.load()) / 1e6;
  std::printf("cancellation latency: %.2f ms\n", latency_ms);
  EXPECT_LT(latency_ms, 500.0);
}

TEST(NetworkBroker, CancelledTokenStopsBeforeStart) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.Start();
  Fixture f;
  NetworkBroker broker = f.Broker();
  CancellationSource source;
  source.Cancel();
  HttpRequest request;
  request.url = Url("127.0.0.2", server.port(), "/");
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), source.token());
  EXPECT_EQ(response.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(server.requests(), 0);
}

TEST(NetworkBroker, BlockUrlCatchesEverySpelling) {
  TestServer server("127.0.0.1");
  ASSERT_TRUE(server.bound());
  server.server().Get("/public", [](const httplib::Request&,
                                    httplib::Response& res) {
    res.set_content("public", "text/plain");
  });
  server.Start();
  Fixture f;
  std::string port = std::to_string(server.port());
  NetworkBroker broker =
      f.Broker({"http://*:*"}, {}, {"http://127.0.0.1:" + port + "/admin"});

  for (const char* host :
       {"localhost", "LocalHost", "api.localhost", "127.0.0.1", "127.1",
        "127.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "0x7F000001",
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "127.0.0.1."}) {
    for (const char* path :
         {"/admin", "/admin/", "/admin/users", "/%61dmin", "/x/../admin",
          "/%2e/admin", "/admin?q=1"}) {
      std::string url = std::string("http://") + host + ":" + port + path;
      Result<HttpResponse> response = Get(broker, url);
      EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied)
          << url;
    }
  }
  EXPECT_EQ(server.requests(), 0);

  Result<HttpResponse> open =
      Get(broker, "http://localhost:" + port + "/public");
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->body, "public");
  EXPECT_EQ(server.requests(), 1);
}

TEST(NetworkBroker, IgnoresProxiesFromEnvironment) {
  RawServer proxy("127.0.0.3");
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("direct", "text/plain");
  });
  server.Start();
  std::string proxy_url = "http://127.0.0.3:" + std::to_string(proxy.port());
  EnvGuard env;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy",
                           "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    env.Set(name, proxy_url.c_str());
  }
  env.Unset("no_proxy");
  env.Unset("NO_PROXY");
  Fixture f;
  f.resolver->Set("api.test", {{"127.0.0.2"}});
  NetworkBroker broker = f.Broker();

  Result<HttpResponse> response =
      Get(broker, Url("api.test", server.port(), "/"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "direct");
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(proxy.connections(), 0);
}

TEST(NetworkBroker, LiteralIpv6OptInReachesLoopback) {
  TestServer server("::1");
  if (!server.bound()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  server.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("six", "text/plain");
  });
  server.Start();
  Fixture f;
  std::string port = std::to_string(server.port());
  NetworkBroker opted_in = f.Broker({"http://[::1]:" + port},
                                    DefaultBlockNetworks());
  Result<HttpResponse> response =
      Get(opted_in, "http://[0:0::1]:" + port + "/");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "six");

  NetworkBroker wildcard = f.Broker({"http://*:*"}, DefaultBlockNetworks());
  EXPECT_EQ(Get(wildcard, "http://[::1]:" + port + "/").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(server.requests(), 1);
}

TEST(NetworkBroker, RejectsMalformedRequests) {
  TestServer server("127.0.0.2");
  ASSERT_TRUE(server.bound());
  server.Start();
  Fixture f;
  NetworkBroker broker = f.Broker();
  std::string url = Url("127.0.0.2", server.port(), "/");
  struct BadRequest {
    HttpRequest request;
    std::string message;
  };
  std::vector<BadRequest> cases = {
      {{"get", url, {}, ""},
       "HTTP method \"get\" is not supported (use GET, HEAD, POST, PUT, "
       "PATCH, DELETE or OPTIONS in upper case)"},
      {{"CONNECT", url, {}, ""},
       "HTTP method \"CONNECT\" is not supported (use GET, HEAD, POST, PUT, "
       "PATCH, DELETE or OPTIONS in upper case)"},
      {{"GET", url, {{"Host", "internal.test"}}, ""},
       "header \"Host\" is set by the sandbox from the URL and body (remove "
       "it)"},
      {{"GET", url, {{"Proxy-Authorization", "x"}}, ""},
       "header \"Proxy-Authorization\" is set by the sandbox from the URL "
       "and body (remove it)"},
      {{"GET", url, {{"X-A", "1\r\nHost: evil"}}, ""},
       "the value of header \"X-A\" contains a control character such as CR "
       "or LF (remove it)"},
      {{"GET", url, {{"Bad Name", "1"}}, ""},
       "invalid header name \"Bad Name\": use letters, digits and "
       "!#$%&'*+-.^_`|~ only"},
      {{"GET", "http://user@127.0.0.2/", {}, ""},
       "invalid URL \"http://user@127.0.0.2/\": user information "
       "(user@host) is not allowed in the URL (send credentials in a "
       "header)"},
      {{"GET", "file:///etc/passwd", {}, ""},
       "invalid URL \"file:///etc/passwd\": scheme \"file\" is not "
       "supported (use http or https)"},
  };
  for (const BadRequest& c : cases) {
    Result<HttpResponse> response =
        broker.Fetch(c.request, FarDeadline(), CancellationToken());
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument)
        << c.message;
    EXPECT_EQ(response.status().message(), c.message);
  }
  EXPECT_EQ(server.requests(), 0);
}

TEST(NetworkBroker, ReportsUnavailableHosts) {
  Fixture f;
  NetworkBroker broker = f.Broker();
  Result<HttpResponse> missing = Get(broker, "http://nx.test/");
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(missing.status().message(), "could not resolve host \"nx.test\"");

  f.resolver->Set("garbage.test", {{"not-an-address"}});
  Result<HttpResponse> garbage = Get(broker, "http://garbage.test/");
  EXPECT_EQ(garbage.status().code(), StatusCode::kUnavailable);

  // A port that was free a moment ago: nothing listens there.
  int port = UnusedPort("127.0.0.2");
  Result<HttpResponse> closed = Get(broker, Url("127.0.0.2", port, "/"));
  EXPECT_EQ(closed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(closed.status().message(),
            "the request to " + Url("127.0.0.2", port, "/") +
                " failed: Couldn't connect to server");
}

TEST(NetworkBroker, CancellationStopsSlowResolution) {
  class StuckResolver : public Resolver {
   public:
    Result<std::vector<std::string>> Resolve(const std::string&) override {
      gate.Wait();
      return std::vector<std::string>{"127.0.0.2"};
    }
    Gate gate;
  };
  auto resolver = std::make_shared<StuckResolver>();
  NetworkBroker broker(MakePolicy({"http://*:*"}, {}), NetworkLimits(),
                       resolver, "test");
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    source.Cancel();
  });
  HttpRequest request;
  request.url = "http://stuck.test/";
  Result<HttpResponse> response =
      broker.Fetch(request, FarDeadline(), source.token());
  canceller.join();
  resolver->gate.Open();
  EXPECT_EQ(response.status().code(), StatusCode::kCancelled);
}

TEST(NetworkBroker, EmptyAllowListRejectsEverything) {
  Fixture f;
  NetworkBroker broker = f.Broker({}, {});
  Result<HttpResponse> response = Get(broker, "http://127.0.0.2:1/");
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(),
            "the sandbox network policy does not allow requests to "
            "http://127.0.0.2:1/");
}

}  // namespace
}  // namespace boxagnts::sandbox
