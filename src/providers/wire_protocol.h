// The parts of a wire protocol that differ between model APIs: how a
// neutral Request becomes an HTTP request, how the event stream becomes a
// Response, and how an HTTP error becomes a ProviderError. The transport,
// retries and recording are shared (see http_provider.h), which is also
// what lets a recording be replayed through the same decoder.

#ifndef BOXAGNTS_PROVIDERS_WIRE_PROTOCOL_H_
#define BOXAGNTS_PROVIDERS_WIRE_PROTOCOL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "providers/http_client.h"
#include "providers/provider.h"
#include "providers/services.h"
#include "providers/sse_reader.h"

namespace boxagnts::providers {

// Address, credentials and model of the service that requests go to.
struct Endpoint {
  std::string service;   // service id, such as "anthropic" or "groq"
  std::string base_url;  // without a trailing slash
  std::string api_key;   // may be empty for local servers
  std::string model;     // bare model name sent on the wire
  ServiceQuirks quirks;
};

struct WireRequest {
  std::string url;
  HttpHeaders headers;
  Json body;
};

// Turns the events of one response stream into a Response. Not reusable.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Handles one event. Returns an error when the stream reports one or
  // is not valid for the protocol; the caller stops feeding then.
  virtual std::optional<ProviderError> OnEvent(const SseEvent& event) = 0;
  // Returns the assembled response once the body has ended.
  virtual CompletionResult Finish() = 0;
};

class WireProtocol {
 public:
  virtual ~WireProtocol() = default;
  // Returns the protocol name stored in recordings, such as "anthropic".
  virtual std::string_view name() const = 0;
  // Builds the HTTP request. Errors name the unsupported request feature.
  virtual Result<WireRequest> BuildRequest(const Request& request,
                                           const Endpoint& endpoint) const = 0;
  // Returns a decoder that reports deltas to `callbacks`, which must
  // outlive it.
  virtual std::unique_ptr<StreamDecoder> NewDecoder(
      StreamCallbacks& callbacks) const = 0;
  // Classifies a non-2xx response.
  virtual ProviderError ClassifyHttpError(
      int http_status, const std::map<std::string, std::string>& headers,
      std::string_view body) const;
};

// Returns the protocol implementation for `protocol`.
std::unique_ptr<WireProtocol> MakeWireProtocol(Protocol protocol);

// Returns the protocol named `name` ("anthropic", "openai-chat",
// "openai-responses", "gemini"), or nullptr.
std::unique_ptr<WireProtocol> MakeWireProtocolByName(std::string_view name);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_WIRE_PROTOCOL_H_
