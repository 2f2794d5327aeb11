// A scripted model server on loopback for tests and scripts.
//
// It speaks the Anthropic (/v1/messages), OpenAI Chat
// (/v1/chat/completions), OpenAI Responses (/v1/responses) and Gemini
// (/v1beta/models/M:streamGenerateContent?alt=sse) wire formats. Each
// request, on any endpoint, consumes the next turn of the script and gets
// it rendered in that endpoint's format. Every request is kept for tests
// to inspect.
//
// A script is a JSON array of turns. A turn's fields, all optional:
//   "text", "thinking", "signature"      content of the response
//   "tool_calls": [{"id", "name", "arguments": {...}}]; "arguments_raw"
//                  (a string) replaces "arguments" to send broken JSON
//   "usage": {"input_tokens", "output_tokens", "cache_read_tokens",
//             "cache_write_tokens"}
//   "stop_reason": "end_turn" | "tool_use" | "max_tokens" |
//                  "stop_sequence" | "refusal"
//   "delta_chars": characters per text, thinking or argument delta
//                  (default 4; 0 sends each in one delta)
//   "chunk_bytes": split the body into writes of this many bytes, which
//                  can cut UTF-8 characters (default: one write per event)
//   "chunk_delay_ms": pause between writes (default 0)
//   "interleave_tool_calls": OpenAI Chat only, alternate the argument
//                  chunks of parallel tool calls
//   "fault": one of
//     "http_status"      reply with "status" (default 500), an optional
//                        "retry_after" header value and "message" or a
//                        whole "body"
//     "disconnect"       close the connection after "after_events" events
//     "stall"            go silent for "stall_ms" after "after_events"
//     "malformed_json"   send an event whose data is broken JSON after
//                        "after_events" events
//     "stream_error"     send the format's error event ("error_type",
//                        default "overloaded_error") after "after_events"
//     "echo_credentials" reply 401 with the received key in the body
//
// Turns are served in script order. A turn with "match": "TEXT" is held
// for a request whose first user message contains TEXT: each request gets
// the first unused turn that either has no match or matches it. This lets
// parallel agents each get their own replies.
//
// The server binds 127.0.0.1 only. Thread-safe.

#ifndef BOXAGNTS_PROVIDERS_TEST_SERVER_H_
#define BOXAGNTS_PROVIDERS_TEST_SERVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "providers/message.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace boxagnts::providers {

struct ScriptToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text, possibly malformed on purpose
};

struct ScriptTurn {
  std::string text;
  std::string thinking;
  std::string signature;
  std::vector<ScriptToolCall> tool_calls;
  Usage usage;
  std::string stop_reason;  // neutral name; empty: derived from content
  int delta_chars = 4;
  int chunk_bytes = 0;
  int chunk_delay_ms = 0;
  bool interleave_tool_calls = false;

  std::string fault;
  int status = 500;
  std::string retry_after;
  std::string message;
  std::string body;
  int after_events = 0;
  int stall_ms = 0;
  std::string error_type = "overloaded_error";
  std::string match;  // served only to requests whose first user message
                      // contains this text
};

// Parses and checks a script. Errors name the turn index and the field.
Result<std::vector<ScriptTurn>> ParseTestScript(const Json& script);

struct ReceivedRequest {
  std::string path;  // without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class TestServer {
 public:
  // Starts serving `script` on 127.0.0.1:`port` (0 picks a free port).
  static Result<std::unique_ptr<TestServer>> Start(const Json& script,
                                                   int port = 0);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // "http://127.0.0.1:PORT"; append "/v1" for OpenAI-style base URLs.
  std::string base_url() const;
  int port() const { return port_; }

  // Returns a copy of the requests received so far, in arrival order.
  std::vector<ReceivedRequest> requests() const;

  // Stops serving; ends stalls early. Safe to call more than once.
  void Stop();

 private:
  TestServer(std::vector<ScriptTurn> turns);
  void InstallRoutes();
  // Records the request and returns its turn, or nullptr past the end.
  const ScriptTurn* NextTurn(ReceivedRequest request, size_t* index);

  std::vector<ScriptTurn> turns_;
  std::vector<bool> used_;  // guarded by mu_
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::shared_ptr<std::atomic<bool>> stopping_;
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;  // guarded by mu_
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_TEST_SERVER_H_
