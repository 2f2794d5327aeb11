#include "tools/schema.h"

#include <gtest/gtest.h>

namespace boxagnts::tools {
namespace {

const Json kEditSchema = Json::parse(R"({
  "type": "object",
  "properties": {
    "file_path": {"type": "string", "minLength": 1},
    "replace_all": {"type": "boolean"},
    "edits": {"type": "array", "items": {
      "type": "object",
      "properties": {"old_string": {"type": "string"}},
      "required": ["old_string"]}}
  },
  "required": ["file_path"],
  "additionalProperties": false
})");

std::shared_ptr<const InputSchema> Compile(const Json& schema) {
  auto compiled = InputSchema::Compile(schema);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return *compiled;
}

TEST(InputSchema, AcceptsValidInput) {
  EXPECT_TRUE(Compile(kEditSchema)
                  ->Validate({{"file_path", "a.txt"}, {"replace_all", true}})
                  .ok());
}

TEST(InputSchema, MissingRequiredFieldIsNamed) {
  Status status = Compile(kEditSchema)->Validate(Json::object());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("file_path"), std::string::npos)
      << status.message();
}

TEST(InputSchema, WrongTypeNamesFieldPointer) {
  Status status = Compile(kEditSchema)
                      ->Validate({{"file_path", "a"}, {"replace_all", "yes"}});
  EXPECT_EQ(status.message().rfind("invalid input: field /replace_all: ", 0), 0u)
      << status.message();
}

TEST(InputSchema, NestedFieldGetsFullPointer) {
  Status status = Compile(kEditSchema)
                      ->Validate({{"file_path", "a"},
                                  {"edits", Json::array({{{"old_string", 5}}})}});
  EXPECT_EQ(status.message().rfind("invalid input: field /edits/0/old_string: ",
                                   0),
            0u)
      << status.message();
}

TEST(InputSchema, UnknownFieldRejected) {
  Status status =
      Compile(kEditSchema)->Validate({{"file_path", "a"}, {"path", "b"}});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("path"), std::string::npos) << status.message();
}

TEST(InputSchema, MinLengthRuleIsStated) {
  Status status = Compile(kEditSchema)->Validate({{"file_path", ""}});
  EXPECT_EQ(status.message().rfind("invalid input: field /file_path: ", 0), 0u)
      << status.message();
}

TEST(InputSchema, NonObjectSchemaIsRejected) {
  auto compiled = InputSchema::Compile(Json::array());
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(), "an input schema must be a JSON object");
}

}  // namespace
}  // namespace boxagnts::tools

namespace boxagnts::tools {
namespace {

TEST(InputSchema, WrongTypeSaysExpectedAndGiven) {
  Status status = Compile(kEditSchema)
                      ->Validate({{"file_path", "a"}, {"replace_all", "yes"}});
  EXPECT_EQ(status.message(),
            "invalid input: field /replace_all: expected boolean, got string "
            "\"yes\"");
}

TEST(InputSchema, UnknownFieldListsTheFields) {
  Status status =
      Compile(kEditSchema)->Validate({{"file_path", "a"}, {"extra", 1}});
  EXPECT_EQ(status.message(),
            "invalid input: the input: unknown field \"extra\"; the fields "
            "are: edits, file_path, replace_all");
}

}  // namespace
}  // namespace boxagnts::tools
