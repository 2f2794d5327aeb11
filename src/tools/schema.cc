#include "tools/schema.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <exception>

namespace boxagnts::tools {

struct InputSchema::Impl {
  valijson::Schema schema;
};

InputSchema::InputSchema() : impl_(std::make_unique<Impl>()) {}
InputSchema::~InputSchema() = default;

Result<std::shared_ptr<const InputSchema>> InputSchema::Compile(
    const Json& schema) {
  if (!schema.is_object()) {
    return Status::InvalidArgument("an input schema must be a JSON object");
  }
  std::shared_ptr<InputSchema> compiled(new InputSchema());
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled->impl_->schema);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid input schema: ") +
                                   e.what());
  }
  return std::shared_ptr<const InputSchema>(std::move(compiled));
}

// valijson names a location as a list like ["<root>", "[edits]", "[0]"].
static std::string ToJsonPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string name = part;
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
      name = name.substr(1, name.size() - 2);
    }
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    pointer += "/" + name;
  }
  return pointer;
}

Status InputSchema::Validate(const Json& input) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(input);
  if (validator.validate(impl_->schema, target, &results)) return Status::Ok();

  // valijson reports the failing node first and its enclosing nodes after;
  // the deepest error names the field most precisely.
  valijson::ValidationResults::Error best;
  size_t best_depth = 0;
  bool have = false;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (!have || error.context.size() > best_depth) {
      best = error;
      best_depth = error.context.size();
      have = true;
    }
  }
  std::string where = ToJsonPointer(best.context);
  std::string field = where.empty() ? "the input" : "field " + where;
  return Status::InvalidArgument("invalid input: " + field + ": " +
                                 best.description);
}

}  // namespace boxagnts::tools
