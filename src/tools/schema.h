// JSON Schema validation of tool input (draft 7, through valijson).

#ifndef BOXAGNTS_TOOLS_SCHEMA_H_
#define BOXAGNTS_TOOLS_SCHEMA_H_

#include <memory>
#include <string>

#include "core/json.h"
#include "core/status.h"

namespace boxagnts::tools {

// A compiled schema. Immutable and safe to share between threads.
class InputSchema {
 public:
  // Compiles `schema`. Errors (InvalidArgument) say why the schema itself
  // is invalid.
  static Result<std::shared_ptr<const InputSchema>> Compile(const Json& schema);

  // Returns OK when `input` matches, else InvalidArgument naming the field
  // (as a JSON pointer such as /edits/0/old_string, or "the input" for the
  // root) and the rule it broke. Only the first, deepest error is named.
  Status Validate(const Json& input) const;

  ~InputSchema();

 private:
  InputSchema();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_SCHEMA_H_
