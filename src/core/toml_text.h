// Parsing TOML config text with errors that name the source and position.
// Header-only, so that only layers that read TOML link toml++.
#ifndef BOXAGNTS_CORE_TOML_TEXT_H_
#define BOXAGNTS_CORE_TOML_TEXT_H_

#include <sstream>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/status.h"

namespace boxagnts {

// Parses `text`. The error is InvalidArgument, such as
//   invalid TOML in /u/.boxagnts/config.toml at line 3, column 7: ...
inline Result<toml::table> ParseTomlText(std::string_view text,
                                         const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return Status::InvalidArgument("invalid TOML in " + source + " at " +
                                   where.str() + ": " +
                                   std::string(e.description()));
  }
}

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_TOML_TEXT_H_
