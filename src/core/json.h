// JSON values across the project are nlohmann::json.

#ifndef BOXAGNTS_CORE_JSON_H_
#define BOXAGNTS_CORE_JSON_H_

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/status.h"

namespace boxagnts {

using Json = nlohmann::json;

// Parses `text`. The error names `what` and the parser's position and
// reason; no exception escapes.
Result<Json> ParseJson(std::string_view text, std::string_view what);

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_JSON_H_
