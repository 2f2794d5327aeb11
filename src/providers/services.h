// The catalogue of model services: which wire protocol each speaks, its
// default base URL, the environment variables that hold its key and base
// URL, and its deviations from the protocol ("quirks").

#ifndef BOXAGNTS_PROVIDERS_SERVICES_H_
#define BOXAGNTS_PROVIDERS_SERVICES_H_

#include <string>
#include <string_view>
#include <vector>

namespace boxagnts::providers {

enum class Protocol {
  kAnthropic,        // Anthropic Messages, POST {base}/v1/messages
  kOpenAiChat,       // Chat Completions, POST {base}/chat/completions
  kOpenAiResponses,  // Responses, POST {base}/responses
  kGemini,           // {base}/v1beta/models/M:streamGenerateContent
};

// Returns "anthropic", "openai-chat", "openai-responses" or "gemini".
std::string_view ProtocolName(Protocol protocol);

// Differences between services that share the OpenAI Chat protocol.
struct ServiceQuirks {
  // Send stream_options.include_usage; a service that rejects unknown
  // fields gets usage in its last chunk anyway.
  bool stream_options = true;
  // Name the output limit max_completion_tokens (OpenAI's reasoning models
  // reject max_tokens) instead of max_tokens.
  bool max_completion_tokens = false;
  // Resend thinking blocks as reasoning_content. DeepSeek rejects them.
  bool send_reasoning_content = false;
};

struct ServiceInfo {
  std::string id;  // the "provider" part of a model id
  Protocol protocol;
  std::string default_base_url;
  // Environment variables tried in order for the key. Empty for services
  // that need none.
  std::vector<std::string> key_env_vars;
  // False for local servers, which accept requests without a key.
  bool key_required = true;
  std::string base_url_env_var;
  ServiceQuirks quirks;
};

// Returns every known service, in a fixed order.
const std::vector<ServiceInfo>& AllServices();

// Returns the service with `id` (aliases such as "gemini" for "google"
// included), or nullptr.
const ServiceInfo* FindService(std::string_view id);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_SERVICES_H_
