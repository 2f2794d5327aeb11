// Bytes of a response body in, deltas and a Response out: an SseReader
// feeding a protocol's StreamDecoder. Shared by live calls and replay.

#ifndef BOXAGNTS_PROVIDERS_STREAM_PIPELINE_H_
#define BOXAGNTS_PROVIDERS_STREAM_PIPELINE_H_

#include <memory>
#include <optional>
#include <string_view>

#include "providers/sse_reader.h"
#include "providers/wire_protocol.h"

namespace boxagnts::providers {

class StreamPipeline {
 public:
  // `protocol` and `callbacks` must outlive the pipeline.
  StreamPipeline(const WireProtocol& protocol, StreamCallbacks& callbacks);

  // Parses `bytes`. Returns non-OK once the stream has failed, because the
  // decoder reported an error or the event stream is invalid. error() then
  // returns the typed error.
  Status Feed(std::string_view bytes);

  // Ends the stream and returns the response or the first error.
  CompletionResult Finish();

  const std::optional<ProviderError>& error() const { return error_; }

 private:
  std::unique_ptr<StreamDecoder> decoder_;
  SseReader reader_;
  std::optional<ProviderError> error_;
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_STREAM_PIPELINE_H_
