// Creates the Provider for a model id such as "anthropic/claude-sonnet-4-5",
// "openrouter/meta-llama/llama-3.3-70b-instruct" or "replay/session.jsonl".

#ifndef BOXAGNTS_PROVIDERS_PROVIDER_FACTORY_H_
#define BOXAGNTS_PROVIDERS_PROVIDER_FACTORY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "providers/keys.h"
#include "providers/model_catalog.h"
#include "providers/provider.h"
#include "providers/recording.h"
#include "providers/retry.h"

namespace boxagnts::providers {

struct ModelRef {
  std::string service;  // text before the first '/'
  std::string model;    // the rest, which may contain '/'
};

// Splits "provider/model". Errors name the id and the expected form.
Result<ModelRef> ParseModelId(std::string_view id);

struct ProviderOptions {
  // Consulted for a model's protocol (some OpenAI models need the
  // Responses API). May be null.
  const ModelCatalog* catalog = nullptr;
  KeySources keys;
  RetryPolicy retry;
  int64_t connect_timeout_ms = 10'000;
  int64_t stall_timeout_ms = 90'000;
  int64_t max_response_bytes = int64_t{64} << 20;
  // When set, every exchange is recorded there.
  std::shared_ptr<SessionRecorder> recorder;
  // For "replay/PATH": JSON Pointers into the wire request that replay
  // does not compare, such as "/system" for a system prompt that carries
  // the date and the work dir. Empty: every field must match.
  std::vector<std::string> replay_ignore_paths;
};

// Returns the provider for `model_id`. "replay/PATH" opens a recording.
// Errors: unknown service (the message lists the known ones), a missing
// key (naming the variables to set), an invalid base URL, an invalid
// replay ignore path.
Result<std::unique_ptr<Provider>> CreateProvider(
    std::string_view model_id, const ProviderOptions& options);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_PROVIDER_FACTORY_H_
