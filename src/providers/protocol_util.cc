#include "providers/protocol_util.h"

#include <algorithm>
#include <cctype>

namespace boxagnts::providers {

std::optional<ProviderError> ParseEventJson(const SseEvent& event,
                                            std::string_view protocol,
                                            Json* out) {
  Result<Json> json = ParseJson(event.data, "stream event");
  if (!json.ok() || !json->is_object()) {
    std::string reason = json.ok() ? "data is not a JSON object"
                                   : json.status().message();
    return ProviderError::Make(
        ProviderErrorKind::kMalformedResponse,
        std::string(protocol) + ": malformed stream event" +
            (event.event.empty() ? "" : " \"" + event.event + "\"") + ": " +
            reason);
  }
  *out = std::move(*json);
  return std::nullopt;
}

int64_t IntField(const Json& json, std::string_view key) {
  if (!json.is_object()) return 0;
  auto it = json.find(key);
  if (it == json.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

std::string StringField(const Json& json, std::string_view key) {
  if (!json.is_object()) return "";
  auto it = json.find(key);
  if (it == json.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

ProviderErrorKind KindForStreamErrorType(std::string_view type) {
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto has = [&](std::string_view part) {
    return lower.find(part) != std::string::npos;
  };
  if (has("overloaded") || has("unavailable")) {
    return ProviderErrorKind::kOverloaded;
  }
  if (has("rate_limit") || has("resource_exhausted")) {
    return ProviderErrorKind::kRateLimit;
  }
  if (has("authentication") || has("permission") || has("unauthenticated")) {
    return ProviderErrorKind::kAuthentication;
  }
  if (has("context_length") || has("too_long")) {
    return ProviderErrorKind::kContextOverflow;
  }
  if (has("invalid")) return ProviderErrorKind::kInvalidRequest;
  return ProviderErrorKind::kServerError;
}

std::string JoinUrl(std::string_view url, std::string_view path) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url) + std::string(path);
}

}  // namespace boxagnts::providers
