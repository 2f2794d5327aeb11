// Small helpers shared by the wire protocol implementations.

#ifndef BOXAGNTS_PROVIDERS_PROTOCOL_UTIL_H_
#define BOXAGNTS_PROVIDERS_PROTOCOL_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "providers/provider.h"
#include "providers/sse_reader.h"

namespace boxagnts::providers {

// Parses the data of `event` into `*out`. Returns a kMalformedResponse
// error naming `protocol` when the data is not a JSON object.
std::optional<ProviderError> ParseEventJson(const SseEvent& event,
                                            std::string_view protocol,
                                            Json* out);

// Returns json[key] as an integer, or 0 when absent or not a number.
int64_t IntField(const Json& json, std::string_view key);

// Returns json[key] as a string, or "" when absent or not a string.
std::string StringField(const Json& json, std::string_view key);

// Maps an error type or status named in a stream error event ("overloaded",
// "rate_limit_error", "UNAVAILABLE", ...) to an error kind.
ProviderErrorKind KindForStreamErrorType(std::string_view type);

// Returns `url` + `path`, dropping a trailing '/' of `url`.
std::string JoinUrl(std::string_view url, std::string_view path);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_PROTOCOL_UTIL_H_
