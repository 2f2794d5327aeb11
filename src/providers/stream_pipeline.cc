#include "providers/stream_pipeline.h"

#include <string>

namespace boxagnts::providers {

StreamPipeline::StreamPipeline(const WireProtocol& protocol,
                               StreamCallbacks& callbacks)
    : decoder_(protocol.NewDecoder(callbacks)),
      reader_([this](const SseEvent& event) -> Status {
        // A JSON value of an unexpected type makes nlohmann throw; that
        // is a malformed stream, not a crash.
        try {
          error_ = decoder_->OnEvent(event);
        } catch (const Json::exception& e) {
          error_ = ProviderError::Make(
              ProviderErrorKind::kMalformedResponse,
              std::string("unexpected value in stream event: ") + e.what());
        }
        return error_ ? error_->status : Status::Ok();
      }) {}

Status StreamPipeline::Feed(std::string_view bytes) {
  if (error_) return error_->status;
  Status status = reader_.Feed(bytes);
  if (!status.ok() && !error_) {
    error_ = ProviderError::Make(ProviderErrorKind::kMalformedResponse,
                                 "invalid event stream: " + status.message());
  }
  return status;
}

CompletionResult StreamPipeline::Finish() {
  if (error_) return *error_;
  Status status = reader_.Finish();
  if (error_) return *error_;
  if (!status.ok()) {
    return ProviderError::Make(ProviderErrorKind::kMalformedResponse,
                               "invalid event stream: " + status.message());
  }
  try {
    return decoder_->Finish();
  } catch (const Json::exception& e) {
    return ProviderError::Make(
        ProviderErrorKind::kMalformedResponse,
        std::string("unexpected value in response: ") + e.what());
  }
}

}  // namespace boxagnts::providers
