#include "providers/wire_protocol.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include "providers/protocol_factories.h"
#include "providers/retry.h"

namespace boxagnts::providers {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Phrases by which each service reports a prompt that does not fit the
// context window. They come from the error messages of the Anthropic,
// OpenAI, Gemini, DeepSeek, Groq, Mistral, vLLM and llama.cpp servers.
bool MentionsContextOverflow(std::string_view protocol,
                             const std::string& lower) {
  static constexpr std::array<std::string_view, 3> kAnthropic = {
      "prompt is too long", "exceed context limit",
      "input is too long"};
  static constexpr std::array<std::string_view, 7> kOpenAi = {
      "context_length_exceeded", "maximum context length",
      "context window", "reduce the length",
      "exceeds the available context size", "exceed_context_size",
      "too large for model with"};
  static constexpr std::array<std::string_view, 3> kGemini = {
      "exceeds the maximum number of tokens", "input token count",
      "context window"};
  auto any = [&](const auto& phrases) {
    return std::any_of(phrases.begin(), phrases.end(), [&](auto p) {
      return lower.find(p) != std::string::npos;
    });
  };
  if (protocol == "anthropic") return any(kAnthropic);
  if (protocol == "gemini") return any(kGemini);
  return any(kOpenAi);
}

// Returns the server's error message from a JSON error body, or the body
// itself, shortened.
std::string ServerMessage(std::string_view body) {
  Result<Json> json = ParseJson(body, "error body");
  if (json.ok()) {
    const Json* root = &*json;
    if (root->is_array() && !root->empty()) root = &(*root)[0];
    if (root->is_object() && root->contains("error")) {
      const Json& error = (*root)["error"];
      if (error.is_object() && error.contains("message") &&
          error["message"].is_string()) {
        return error["message"].get<std::string>();
      }
      if (error.is_string()) return error.get<std::string>();
    }
    if (root->is_object() && root->contains("message") &&
        (*root)["message"].is_string()) {
      return (*root)["message"].get<std::string>();
    }
  }
  std::string text(body.substr(0, 300));
  return text.empty() ? "empty body" : text;
}

}  // namespace

ProviderError WireProtocol::ClassifyHttpError(
    int http_status, const std::map<std::string, std::string>& headers,
    std::string_view body) const {
  std::string lower = Lower(body);
  std::string message = "HTTP " + std::to_string(http_status) + ": " +
                        ServerMessage(body);
  ProviderErrorKind kind;
  if (http_status == 401 || http_status == 403) {
    kind = ProviderErrorKind::kAuthentication;
  } else if (http_status == 429) {
    kind = ProviderErrorKind::kRateLimit;
  } else if (http_status == 529 || http_status == 503 ||
             lower.find("overloaded") != std::string::npos) {
    kind = ProviderErrorKind::kOverloaded;
  } else if (http_status >= 500 || http_status == 408) {
    kind = ProviderErrorKind::kServerError;
  } else if (MentionsContextOverflow(name(), lower)) {
    kind = ProviderErrorKind::kContextOverflow;
  } else {
    kind = ProviderErrorKind::kInvalidRequest;
  }
  ProviderError error = ProviderError::Make(kind, message, http_status);
  error.retry_after_ms =
      RetryAfterFromHeaders(headers, std::chrono::system_clock::now());
  return error;
}

std::unique_ptr<WireProtocol> MakeWireProtocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::kAnthropic:
      return MakeAnthropicProtocol();
    case Protocol::kOpenAiChat:
      return MakeOpenAiChatProtocol();
    case Protocol::kOpenAiResponses:
      return MakeOpenAiResponsesProtocol();
    case Protocol::kGemini:
      return MakeGeminiProtocol();
  }
  return nullptr;
}

std::unique_ptr<WireProtocol> MakeWireProtocolByName(std::string_view name) {
  for (Protocol p : {Protocol::kAnthropic, Protocol::kOpenAiChat,
                     Protocol::kOpenAiResponses, Protocol::kGemini}) {
    if (ProtocolName(p) == name) return MakeWireProtocol(p);
  }
  return nullptr;
}

}  // namespace boxagnts::providers
