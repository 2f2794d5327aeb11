#include "core/json.h"

#include <string>

namespace boxagnts {

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument("invalid JSON in " + std::string(what) +
                                   ": " + e.what());
  }
}

}  // namespace boxagnts
