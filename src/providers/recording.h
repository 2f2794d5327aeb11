// Record and replay of provider exchanges.
//
// A recording is a JSON Lines file with one exchange per HTTP attempt:
//   {"call": 0, "attempt": 1, "final": true, "service": "anthropic",
//    "protocol": "anthropic", "model": "claude-...", "url": "...",
//    "request_headers": {...}, "request": {...wire body...},
//    "status": 200, "response_body": "event: ...",
//    "transport_error": {"kind": "network", "message": "..."},
//    "replay_ignore_paths": ["/system"]}
// Credential headers (authorization, x-api-key, x-goog-api-key, api-key)
// are replaced by "[REDACTED]", and so is every occurrence of the key
// anywhere in the line. "transport_error" is present only when the
// transfer failed. The recorder never writes "replay_ignore_paths". A
// tool that prepares a recording for replay on other machines, such as
// `boxagnts demo`, adds it.
//
// Replay serves the final attempt of each call in order. It rebuilds the
// wire request from the new Request with the recorded protocol and model,
// and reports the first differing field when the two differ. Fields named
// by an ignore path (a JSON Pointer into the wire request, from the
// provider's options or the exchange's "replay_ignore_paths") are left
// out of that comparison, present or not. The recorded body then runs
// through the same stream decoder, so the callbacks see the same deltas as
// in the recorded session.

#ifndef BOXAGNTS_PROVIDERS_RECORDING_H_
#define BOXAGNTS_PROVIDERS_RECORDING_H_

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "providers/provider.h"

namespace boxagnts::providers {

struct Exchange {
  int call = 0;  // index of the Complete() call in the session
  int attempt = 1;
  bool final = true;  // the attempt whose result the call returned
  std::string service;
  std::string protocol;
  std::string model;
  std::string url;
  Json request_headers = Json::object();
  Json request_body;
  int status = 0;
  std::string response_body;
  std::optional<ProviderErrorKind> transport_error_kind;
  std::string transport_error_message;
  // JSON Pointers into `request_body` that replay does not compare.
  std::vector<std::string> replay_ignore_paths;
};

Json ExchangeToJson(const Exchange& exchange);
// Errors name the field at fault, such as an ignore path that is not a
// JSON Pointer.
Result<Exchange> ExchangeFromJson(const Json& json);

// Returns `pointer` in canonical form when it is a JSON Pointer to a
// field below the root ("/system", "/messages/0/content"). Errors:
// InvalidArgument naming the value, for "" (the whole request) and for
// text that is not a JSON Pointer.
Result<std::string> ParseIgnorePath(const std::string& pointer);

// Secrets shorter than this are not searched for in text (credential
// headers are still replaced whole).
inline constexpr size_t kMinRedactedSecretBytes = 8;

// Returns a copy of `text` with each string of `secrets` at least
// kMinRedactedSecretBytes long replaced by "[REDACTED]".
std::string RedactSecrets(std::string text,
                          const std::vector<std::string>& secrets);

// Appends exchanges to a recording file. Thread-safe.
class SessionRecorder {
 public:
  // Creates or truncates `path` with mode 0600.
  static Result<std::shared_ptr<SessionRecorder>> Open(const std::string& path);
  ~SessionRecorder();
  SessionRecorder(const SessionRecorder&) = delete;
  SessionRecorder& operator=(const SessionRecorder&) = delete;

  // Returns the index to use for the next Complete() call.
  int NextCallIndex();

  // Writes `exchange` as one line after redacting `secrets` and the
  // credential headers.
  Status Append(const Exchange& exchange,
                const std::vector<std::string>& secrets);

  const std::string& path() const { return path_; }

 private:
  SessionRecorder(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
  std::mutex mu_;
  int next_call_ = 0;  // guarded by mu_
};

// Serves a recording: the provider of model id "replay/PATH".
class ReplayProvider : public Provider {
 public:
  // Loads the final exchanges of `path`. Each call leaves the fields at
  // `ignore_paths` (JSON Pointers, see ParseIgnorePath) and at its
  // exchange's replay_ignore_paths out of the comparison. Errors name the
  // path and line, or the invalid ignore path.
  static Result<std::unique_ptr<ReplayProvider>> Open(
      const std::string& path,
      const std::vector<std::string>& ignore_paths = {});

  std::string id() const override { return "replay/" + path_; }

  // Returns a kReplayDivergence error when the request differs from the
  // recorded one or the recording has no more calls.
  CompletionResult Complete(const Request& request, StreamCallbacks& callbacks,
                            const CancellationToken& cancel) override;

 private:
  ReplayProvider(std::string path, std::vector<Exchange> exchanges,
                 std::set<std::string> ignore_paths)
      : path_(std::move(path)),
        exchanges_(std::move(exchanges)),
        ignore_paths_(std::move(ignore_paths)) {}

  std::string path_;
  std::vector<Exchange> exchanges_;
  std::set<std::string> ignore_paths_;  // canonical JSON Pointers
  size_t next_ = 0;
};

// Returns the JSON Pointer of the first place where `a` and `b` differ
// ("/messages/1/content/0/text"), or nullopt when they are equal.
std::optional<std::string> FirstDifference(const Json& a, const Json& b);

// Same, but a field whose pointer is in `ignored` (canonical JSON
// Pointers) is skipped, whether it is present on both sides or on one.
std::optional<std::string> FirstDifference(
    const Json& a, const Json& b, const std::set<std::string>& ignored);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_RECORDING_H_
