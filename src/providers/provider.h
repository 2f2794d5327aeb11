// The interface through which the query loop talks to a model, and the
// typed errors every provider returns.

#ifndef BOXAGNTS_PROVIDERS_PROVIDER_H_
#define BOXAGNTS_PROVIDERS_PROVIDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/cancellation.h"
#include "core/status.h"
#include "providers/message.h"

namespace boxagnts::providers {

// Kind of failure of a call, so that callers branch on the kind instead of
// matching message text.
enum class ProviderErrorKind {
  kAuthentication,          // missing, invalid or unauthorised key
  kRateLimit,               // HTTP 429; may carry the server's delay
  kOverloaded,              // HTTP 529/503 or an overloaded stream event
  kContextOverflow,         // the prompt does not fit the context window
  kInvalidRequest,          // any other 4xx the request itself caused
  kServerError,             // 5xx or an error event from the server
  kNetwork,                 // connection failed, reset or closed early
  kStall,                   // no bytes for longer than the stall timeout
  kMalformedResponse,       // the stream is not valid for the protocol
  kMalformedToolArguments,  // a tool call's arguments are not an object
  kReplayDivergence,        // a replayed request differs from the record
  kCancelled,               // the caller's cancellation token fired
};

// Returns a snake_case name such as "rate_limit".
std::string_view ProviderErrorKindName(ProviderErrorKind kind);

// Returns the kind named `name` (as ProviderErrorKindName returns it).
std::optional<ProviderErrorKind> ProviderErrorKindFromName(
    std::string_view name);

// Returns true for the kinds a retry can fix: rate limit, overloaded,
// server error and network.
bool IsRetryableKind(ProviderErrorKind kind);

struct ProviderError {
  ProviderErrorKind kind = ProviderErrorKind::kServerError;
  // Status whose code follows from `kind`. The message names the provider,
  // the failing value and the reason. Keys are redacted from it.
  Status status;
  int http_status = 0;  // 0 when no HTTP status applies
  // Delay the server asked for (Retry-After), when it sent one.
  std::optional<int64_t> retry_after_ms;
  // Number of HTTP attempts made, retries included.
  int attempts = 1;
  // For kMalformedToolArguments: the assembled response, whose malformed
  // tool_use blocks carry `input_error` and `raw_input`.
  std::optional<Response> response;

  // Builds an error whose Status code follows from `kind`.
  static ProviderError Make(ProviderErrorKind kind, std::string message,
                            int http_status = 0);
};

// The value of a completed call or a typed error.
class [[nodiscard]] CompletionResult {
 public:
  CompletionResult(Response response)  // NOLINT: implicit on purpose
      : data_(std::move(response)) {}
  CompletionResult(ProviderError error)  // NOLINT: implicit on purpose
      : data_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<Response>(data_); }
  // Returns OK when a response is held, else the error's status.
  Status status() const {
    return ok() ? Status::Ok() : std::get<ProviderError>(data_).status;
  }

  // REQUIRES: ok()
  Response& value() & { return std::get<Response>(data_); }
  const Response& value() const& { return std::get<Response>(data_); }
  Response* operator->() { return &value(); }
  const Response* operator->() const { return &value(); }

  // REQUIRES: !ok()
  ProviderError& error() { return std::get<ProviderError>(data_); }
  const ProviderError& error() const { return std::get<ProviderError>(data_); }

 private:
  std::variant<Response, ProviderError> data_;
};

// Receives parts of the response as they arrive. Calls come from the
// thread that runs Complete(), in stream order. The default methods do
// nothing.
class StreamCallbacks {
 public:
  virtual ~StreamCallbacks() = default;
  virtual void OnTextDelta(std::string_view text) {}
  virtual void OnThinkingDelta(std::string_view text) {}
  // A tool call begins; its arguments follow in the final response.
  virtual void OnToolUseStart(const std::string& id, const std::string& name) {
  }
};

// A model endpoint. Implementations are not required to be thread-safe:
// use one Complete() call at a time per object.
class Provider {
 public:
  virtual ~Provider() = default;

  // Returns the model id this provider serves, as "provider/model".
  virtual std::string id() const = 0;

  // Sends `request`, streams deltas to `callbacks` and returns the
  // assembled response. Cancelling `cancel` aborts the call promptly with
  // kCancelled. Retries, when the implementation makes any, happen only
  // before the first callback.
  virtual CompletionResult Complete(const Request& request,
                                    StreamCallbacks& callbacks,
                                    const CancellationToken& cancel) = 0;
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_PROVIDER_H_
