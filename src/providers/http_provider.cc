#include "providers/http_provider.h"

#include <random>
#include <utility>

#include "core/log.h"
#include "providers/stream_pipeline.h"

namespace boxagnts::providers {
namespace {

std::string NewRequestId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char kHex[] = "0123456789abcdef";
  std::string id = "req-";
  uint64_t value = rng();
  for (int i = 0; i < 12; ++i, value >>= 4) id += kHex[value & 15];
  return id;
}

// Forwards every callback and remembers whether any fired, since a call
// must not be retried once the caller has seen part of a response.
class DeliveryTracker : public StreamCallbacks {
 public:
  explicit DeliveryTracker(StreamCallbacks& inner) : inner_(inner) {}
  void OnTextDelta(std::string_view text) override {
    delivered_ = true;
    inner_.OnTextDelta(text);
  }
  void OnThinkingDelta(std::string_view text) override {
    delivered_ = true;
    inner_.OnThinkingDelta(text);
  }
  void OnToolUseStart(const std::string& id, const std::string& name) override {
    delivered_ = true;
    inner_.OnToolUseStart(id, name);
  }
  bool delivered() const { return delivered_; }

 private:
  StreamCallbacks& inner_;
  bool delivered_ = false;
};

ProviderErrorKind KindForFailure(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::kStall:
      return ProviderErrorKind::kStall;
    case HttpFailure::kCancelled:
      return ProviderErrorKind::kCancelled;
    case HttpFailure::kTooLarge:
      return ProviderErrorKind::kMalformedResponse;
    default:
      return ProviderErrorKind::kNetwork;
  }
}

}  // namespace

// Result of one HTTP attempt, kept for the recording.
struct HttpProvider::Attempt {
  HttpResponse http;
  std::string response_body;
};

HttpProvider::HttpProvider(std::string id,
                           std::unique_ptr<WireProtocol> protocol,
                           Endpoint endpoint, HttpProviderOptions options)
    : id_(std::move(id)),
      protocol_(std::move(protocol)),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

CompletionResult HttpProvider::Complete(const Request& request,
                                        StreamCallbacks& callbacks,
                                        const CancellationToken& cancel) {
  std::string request_id = NewRequestId();
  Result<WireRequest> wire = protocol_->BuildRequest(request, endpoint_);
  if (!wire.ok()) {
    return ProviderError::Make(ProviderErrorKind::kInvalidRequest,
                               id_ + ": " + wire.status().message());
  }
  std::string body = wire->body.dump(-1, ' ', false,
                                     Json::error_handler_t::replace);
  const std::string& model =
      request.model.empty() ? endpoint_.model : request.model;
  int call = options_.recorder ? options_.recorder->NextCallIndex() : 0;
  DeliveryTracker tracker(callbacks);
  int max_attempts = std::max(1, options_.retry.max_attempts);

  for (int attempt = 1;; ++attempt) {
    spdlog::info("provider call start request_id={} model={} attempt={}",
                 request_id, id_, attempt);
    Attempt record;
    CompletionResult result = RunAttempt(*wire, body, tracker, cancel, record);
    if (result.ok()) {
      Record(call, attempt, true, model, *wire, record);
      spdlog::info(
          "provider call done request_id={} model={} input_tokens={} "
          "output_tokens={} cache_read_tokens={} cache_write_tokens={} "
          "stop_reason={}",
          request_id, id_, result->usage.input_tokens,
          result->usage.output_tokens, result->usage.cache_read_tokens,
          result->usage.cache_write_tokens,
          StopReasonName(result->stop_reason));
      return result;
    }

    ProviderError& error = result.error();
    error.attempts = attempt;
    std::optional<int64_t> delay;
    if (attempt < max_attempts) {
      delay = RetryDelayMs(error, attempt, tracker.delivered(),
                           record.http.bytes_received);
    }
    Record(call, attempt, !delay.has_value(), model, *wire, record);
    if (!delay) {
      error.status = Status(error.status.code(),
                            RedactSecrets(id_ + ": " + error.status.message(),
                                          {endpoint_.api_key}));
      spdlog::warn(
          "provider call failed request_id={} model={} attempt={} kind={} "
          "http_status={} error=\"{}\"",
          request_id, id_, attempt, ProviderErrorKindName(error.kind),
          error.http_status, error.status.message());
      return result;
    }
    spdlog::warn(
        "provider retry request_id={} model={} attempt={} of {} delay_ms={} "
        "kind={} http_status={}",
        request_id, id_, attempt + 1, max_attempts, *delay,
        ProviderErrorKindName(error.kind), error.http_status);
    if (!SleepUnlessCancelled(*delay, cancel)) {
      return ProviderError::Make(
          ProviderErrorKind::kCancelled,
          id_ + ": cancelled while waiting to retry: " + cancel.Reason());
    }
  }
}

std::optional<int64_t> HttpProvider::RetryDelayMs(const ProviderError& error,
                                                  int attempt, bool delivered,
                                                  int64_t bytes_received) {
  if (!IsRetryableKind(error.kind) || delivered) return std::nullopt;
  if (error.kind == ProviderErrorKind::kNetwork && bytes_received > 0) {
    return std::nullopt;
  }
  if (error.retry_after_ms) {
    if (*error.retry_after_ms > options_.retry.max_retry_after_ms) {
      return std::nullopt;
    }
    return *error.retry_after_ms;
  }
  return BackoffDelayMs(options_.retry, attempt, rng_);
}

CompletionResult HttpProvider::RunAttempt(const WireRequest& wire,
                                          const std::string& body,
                                          StreamCallbacks& callbacks,
                                          const CancellationToken& cancel,
                                          Attempt& attempt) {
  HttpRequest http;
  http.url = wire.url;
  http.headers = wire.headers;
  http.body = body;
  http.connect_timeout_ms = options_.connect_timeout_ms;
  http.stall_timeout_ms = options_.stall_timeout_ms;
  http.max_response_bytes = options_.max_response_bytes;

  StreamPipeline pipeline(*protocol_, callbacks);
  bool keep_body = options_.recorder != nullptr;
  attempt.http = PostStreaming(
      http,
      [&](std::string_view bytes) {
        if (keep_body) attempt.response_body.append(bytes);
        return pipeline.Feed(bytes);
      },
      cancel);
  const HttpResponse& response = attempt.http;
  if (keep_body && response.status != 0 &&
      (response.status < 200 || response.status > 299)) {
    attempt.response_body = response.error_body;
  }

  if (response.failure == HttpFailure::kAborted && pipeline.error()) {
    return *pipeline.error();
  }
  if (response.failure == HttpFailure::kCancelled ||
      response.failure == HttpFailure::kStall ||
      response.failure == HttpFailure::kTooLarge) {
    return ProviderError::Make(KindForFailure(response.failure),
                               response.failure_status.message());
  }
  if (response.status != 0 &&
      (response.status < 200 || response.status > 299)) {
    return protocol_->ClassifyHttpError(response.status, response.headers,
                                        response.error_body);
  }
  if (response.failure != HttpFailure::kNone) {
    return ProviderError::Make(ProviderErrorKind::kNetwork,
                               response.failure_status.message());
  }
  return pipeline.Finish();
}

void HttpProvider::Record(int call, int attempt_number, bool final,
                          const std::string& model, const WireRequest& wire,
                          const Attempt& attempt) {
  if (!options_.recorder) return;
  Exchange exchange;
  exchange.call = call;
  exchange.attempt = attempt_number;
  exchange.final = final;
  exchange.service = endpoint_.service;
  exchange.protocol = std::string(protocol_->name());
  exchange.model = model;
  exchange.url = wire.url;
  for (const auto& [name, value] : wire.headers) {
    exchange.request_headers[name] = value;
  }
  exchange.request_body = wire.body;
  exchange.status = attempt.http.status;
  exchange.response_body = attempt.response_body;
  const HttpResponse& http = attempt.http;
  if (http.failure != HttpFailure::kNone &&
      http.failure != HttpFailure::kAborted) {
    exchange.transport_error_kind = KindForFailure(http.failure);
    exchange.transport_error_message = http.failure_status.message();
  }
  Status status = options_.recorder->Append(exchange, {endpoint_.api_key});
  if (!status.ok()) {
    spdlog::error("provider recording failed model={} error=\"{}\"", id_,
                  status.message());
  }
}

}  // namespace boxagnts::providers
