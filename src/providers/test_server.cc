#include "providers/test_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/log.h"
#include "providers/test_server_render.h"

namespace boxagnts::providers {
namespace {

// One step of a response body: write bytes, pause, or drop the connection.
struct Step {
  enum Kind { kWrite, kSleep, kDisconnect } kind;
  std::string bytes;
  int sleep_ms = 0;
};

std::vector<Step> PlanBody(const ScriptTurn& turn, Protocol format,
                           const std::string& model, bool include_usage) {
  std::vector<std::string> events =
      RenderTurnEvents(turn, format, model, include_usage);
  size_t cut = std::min<size_t>(turn.after_events, events.size());
  if (turn.fault == "disconnect" || turn.fault == "stream_error" ||
      turn.fault == "malformed_json") {
    events.resize(cut);
    if (turn.fault == "stream_error") {
      events.push_back(RenderStreamError(turn, format));
    } else if (turn.fault == "malformed_json") {
      events.push_back(RenderMalformedEvent(format));
    }
  }

  // Group bytes into writes: one per event, or fixed-size pieces.
  std::vector<Step> steps;
  auto write = [&](std::string bytes) {
    if (turn.chunk_bytes <= 0) {
      steps.push_back({Step::kWrite, std::move(bytes)});
      return;
    }
    for (size_t i = 0; i < bytes.size(); i += turn.chunk_bytes) {
      steps.push_back({Step::kWrite, bytes.substr(i, turn.chunk_bytes)});
    }
  };
  for (size_t i = 0; i < events.size(); ++i) {
    if (turn.fault == "stall" && i == cut) {
      steps.push_back({Step::kSleep, "", turn.stall_ms});
    }
    write(events[i]);
  }
  if (turn.fault == "disconnect") steps.push_back({Step::kDisconnect, ""});
  return steps;
}

// Sleeps `ms`, waking early when the server stops.
void SleepUnlessStopping(int ms, const std::atomic<bool>& stopping) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping.load()) {
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(
            left, std::chrono::milliseconds(5)));
  }
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string ReceivedCredential(const ReceivedRequest& request) {
  for (const char* name : {"x-api-key", "authorization", "x-goog-api-key"}) {
    auto it = request.headers.find(name);
    if (it != request.headers.end()) return it->second;
  }
  return "";
}

}  // namespace

TestServer::TestServer(std::vector<ScriptTurn> turns)
    : turns_(std::move(turns)),
      server_(std::make_unique<httplib::Server>()),
      stopping_(std::make_shared<std::atomic<bool>>(false)) {}

Result<std::unique_ptr<TestServer>> TestServer::Start(const Json& script,
                                                      int port) {
  Result<std::vector<ScriptTurn>> turns = ParseTestScript(script);
  if (!turns.ok()) return turns.status();
  std::unique_ptr<TestServer> server(new TestServer(std::move(*turns)));
  server->InstallRoutes();
  if (port == 0) {
    server->port_ = server->server_->bind_to_any_port("127.0.0.1");
  } else if (server->server_->bind_to_port("127.0.0.1", port)) {
    server->port_ = port;
  }
  if (server->port_ <= 0) {
    return Status::Unavailable("test server: bind 127.0.0.1:" +
                               std::to_string(port) + " failed; pick another "
                               "port or 0 for any free one");
  }
  httplib::Server* raw = server->server_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // stop() has no effect until the accept loop runs, so wait for it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("test server listening url={}", server->base_url());
  return server;
}

TestServer::~TestServer() { Stop(); }

void TestServer::Stop() {
  stopping_->store(true);
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<ReceivedRequest> TestServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

namespace {

// The JSON text of the first user message of a request in any of the
// served formats, for "match".
std::string FirstUserMessage(const std::string& body_text) {
  Json body = Json::parse(body_text, nullptr, false);
  if (!body.is_object()) return "";
  for (const char* key : {"messages", "contents", "input"}) {
    auto list = body.find(key);
    if (list == body.end() || !list->is_array()) continue;
    for (const Json& item : *list) {
      if (item.is_object() && item.value("role", "") == "user") {
        return item.dump();
      }
    }
  }
  return "";
}

}  // namespace

const ScriptTurn* TestServer::NextTurn(ReceivedRequest request,
                                       size_t* index) {
  std::string first_user = FirstUserMessage(request.body);
  std::lock_guard<std::mutex> lock(mu_);
  *index = requests_.size();
  requests_.push_back(std::move(request));
  if (used_.size() != turns_.size()) used_.assign(turns_.size(), false);
  for (size_t i = 0; i < turns_.size(); ++i) {
    if (used_[i]) continue;
    if (!turns_[i].match.empty() &&
        first_user.find(turns_[i].match) == std::string::npos) {
      continue;
    }
    used_[i] = true;
    return &turns_[i];
  }
  return nullptr;
}

void TestServer::InstallRoutes() {
  auto handler = [this](Protocol format) {
    return [this, format](const httplib::Request& req, httplib::Response& res) {
      ReceivedRequest received;
      received.path = req.path;
      for (const auto& [name, value] : req.params) received.query[name] = value;
      for (const auto& [name, value] : req.headers) {
        received.headers[Lower(name)] = value;
      }
      received.body = req.body;
      std::string credential = ReceivedCredential(received);

      Json body = Json::parse(req.body, nullptr, false);
      std::string model = body.is_object() ? body.value("model", "") : "";
      if (format == Protocol::kGemini && req.matches.size() > 1) {
        model = req.matches[1];
      }
      bool include_usage =
          body.is_object() && body.contains("stream_options") &&
          body["stream_options"].value("include_usage", false);

      size_t index = 0;
      const ScriptTurn* turn = NextTurn(std::move(received), &index);
      if (turn == nullptr) {
        res.status = 500;
        res.set_content(RenderErrorBody(
                            500,
                            "test server script has " +
                                std::to_string(turns_.size()) +
                                " turns; request " + std::to_string(index + 1) +
                                " has none",
                            format),
                        "application/json");
        return;
      }
      if (turn->fault == "http_status" || turn->fault == "echo_credentials") {
        bool echo = turn->fault == "echo_credentials";
        res.status = echo ? 401 : turn->status;
        if (!turn->retry_after.empty()) {
          res.set_header("Retry-After", turn->retry_after);
        }
        std::string message = turn->message;
        if (echo) {
          message = "invalid credentials: " + credential;
        } else if (message.empty()) {
          message = "test server fault: HTTP " + std::to_string(res.status);
        }
        res.set_content(turn->body.empty()
                            ? RenderErrorBody(res.status, message, format)
                            : turn->body,
                        "application/json");
        return;
      }

      auto steps = std::make_shared<std::vector<Step>>(
          PlanBody(*turn, format, model, include_usage));
      int delay_ms = turn->chunk_delay_ms;
      std::shared_ptr<std::atomic<bool>> stopping = stopping_;
      res.set_chunked_content_provider(
          "text/event-stream",
          [steps, delay_ms, stopping](size_t, httplib::DataSink& sink) {
            bool first = true;
            for (const Step& step : *steps) {
              if (stopping->load()) return false;
              if (step.kind == Step::kDisconnect) return false;
              if (step.kind == Step::kSleep) {
                SleepUnlessStopping(step.sleep_ms, *stopping);
                continue;
              }
              if (!first && delay_ms > 0) {
                SleepUnlessStopping(delay_ms, *stopping);
              }
              first = false;
              if (!sink.write(step.bytes.data(), step.bytes.size())) {
                return false;
              }
            }
            sink.done();
            return true;
          });
    };
  };
  server_->Post("/v1/messages", handler(Protocol::kAnthropic));
  server_->Post("/v1/chat/completions", handler(Protocol::kOpenAiChat));
  server_->Post("/chat/completions", handler(Protocol::kOpenAiChat));
  server_->Post("/v1/responses", handler(Protocol::kOpenAiResponses));
  server_->Post("/responses", handler(Protocol::kOpenAiResponses));
  server_->Post(R"(/v1beta/models/([A-Za-z0-9._-]+):streamGenerateContent)",
                handler(Protocol::kGemini));
}

}  // namespace boxagnts::providers
