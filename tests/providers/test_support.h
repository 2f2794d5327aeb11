// Helpers shared by the providers tests: a loopback test server, providers
// aimed at it, and callbacks that collect what they receive.

#ifndef BOXAGNTS_TESTS_PROVIDERS_TEST_SUPPORT_H_
#define BOXAGNTS_TESTS_PROVIDERS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "providers/http_provider.h"
#include "providers/services.h"
#include "providers/test_server.h"
#include "providers/wire_protocol.h"

namespace boxagnts::providers::testing {

class CollectingCallbacks : public StreamCallbacks {
 public:
  void OnTextDelta(std::string_view delta) override {
    text += delta;
    ++text_deltas;
  }
  void OnThinkingDelta(std::string_view delta) override { thinking += delta; }
  void OnToolUseStart(const std::string& id, const std::string& name) override {
    tool_starts.emplace_back(id, name);
  }

  std::string text;
  std::string thinking;
  int text_deltas = 0;
  std::vector<std::pair<std::string, std::string>> tool_starts;
};

inline std::unique_ptr<TestServer> StartServer(const Json& script) {
  Result<std::unique_ptr<TestServer>> server = TestServer::Start(script);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

// Options with millisecond backoff so retry tests run fast.
inline HttpProviderOptions FastOptions() {
  HttpProviderOptions options;
  options.retry.initial_backoff_ms = 1;
  options.retry.max_backoff_ms = 4;
  options.stall_timeout_ms = 10'000;
  return options;
}

// Returns the base URL a client of `protocol` uses for `server`.
inline std::string BaseUrlFor(Protocol protocol, const TestServer& server) {
  if (protocol == Protocol::kOpenAiChat ||
      protocol == Protocol::kOpenAiResponses) {
    return server.base_url() + "/v1";
  }
  return server.base_url();
}

inline std::unique_ptr<HttpProvider> MakeProvider(
    Protocol protocol, const TestServer& server, const std::string& model,
    HttpProviderOptions options = FastOptions(),
    const std::string& key = "test-key", const std::string& service = "") {
  Endpoint endpoint;
  endpoint.service = service.empty() ? std::string(ProtocolName(protocol))
                                     : service;
  endpoint.base_url = BaseUrlFor(protocol, server);
  endpoint.api_key = key;
  endpoint.model = model;
  if (const ServiceInfo* info = FindService(endpoint.service)) {
    endpoint.quirks = info->quirks;
  }
  std::string id = endpoint.service + "/" + model;
  return std::make_unique<HttpProvider>(id, MakeWireProtocol(protocol),
                                        std::move(endpoint),
                                        std::move(options));
}

inline Request UserRequest(const std::string& text) {
  Request request;
  request.messages.push_back(Message::UserText(text));
  request.max_tokens = 1024;
  return request;
}

inline Json BodyOf(const ReceivedRequest& request) {
  return Json::parse(request.body);
}

}  // namespace boxagnts::providers::testing

#endif  // BOXAGNTS_TESTS_PROVIDERS_TEST_SUPPORT_H_
