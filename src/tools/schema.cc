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
  Json source;  // the schema as given, for wording errors
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
    compiled->impl_->source = schema;
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

namespace {

// Returns the subschema that describes the value at `pointer_parts`, or
// null when the schema does not say (for example under a combinator).
const Json* SubschemaAt(const Json& schema,
                        const std::vector<std::string>& pointer_parts) {
  const Json* current = &schema;
  for (const std::string& part : pointer_parts) {
    if (!current->is_object()) return nullptr;
    auto properties = current->find("properties");
    if (properties != current->end() && properties->contains(part)) {
      current = &(*properties)[part];
      continue;
    }
    auto items = current->find("items");
    if (items != current->end() && items->is_object()) {
      current = &*items;
      continue;
    }
    return nullptr;
  }
  return current;
}

std::string TypeOf(const Json& value) {
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  return "null";
}

// Rewords valijson's terse descriptions of the common failures so that
// they name what was expected and what was given.
std::string Describe(const std::string& description, const Json* subschema,
                     const Json* value) {
  if (description.find("Value type not permitted by 'type'") !=
          std::string::npos &&
      subschema != nullptr && subschema->contains("type") && value != nullptr) {
    std::string expected = (*subschema)["type"].is_string()
                               ? (*subschema)["type"].get<std::string>()
                               : (*subschema)["type"].dump();
    std::string shown = value->dump();
    if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
    return "expected " + expected + ", got " + TypeOf(*value) + " " + shown;
  }
  const std::string kUnknown = "could not be validated using 'properties' or "
                               "'additionalProperties' constraints: '";
  size_t at = description.find(kUnknown);
  if (at != std::string::npos && subschema != nullptr &&
      subschema->contains("properties")) {
    std::string name = description.substr(at + kUnknown.size());
    name = name.substr(0, name.rfind('\''));
    std::string allowed;
    for (const auto& [key, unused] : (*subschema)["properties"].items()) {
      allowed += (allowed.empty() ? "" : ", ") + key;
    }
    return "unknown field \"" + name + "\"; the fields are: " + allowed;
  }
  return description;
}

}  // namespace

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
  std::vector<std::string> parts;
  for (size_t start = 1; start <= where.size();) {
    size_t end = where.find('/', start);
    if (end == std::string::npos) end = where.size();
    parts.push_back(where.substr(start, end - start));
    start = end + 1;
  }
  const Json* value = nullptr;
  try {
    value = &input.at(Json::json_pointer(where));
  } catch (const Json::exception&) {
    value = nullptr;
  }
  std::string description =
      Describe(best.description, SubschemaAt(impl_->source, parts), value);
  return Status::InvalidArgument("invalid input: " + field + ": " +
                                 description);
}

}  // namespace boxagnts::tools
