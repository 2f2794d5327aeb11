#include "tools/skill.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/process.h"

namespace boxagnts::tools {
namespace {

constexpr char kSkill[] = R"(---
name: release-notes
description: Draft release notes
when_to_use: When asked for a changelog
args:
  - name: version
    required: true
  - name: tone
    default: neutral
---
Notes for {{version}} in a {{ tone }} tone. Extra: $ARGUMENTS
)";

TEST(ParseSkill, ReadsFrontMatterAndBody) {
  Result<Skill> skill = ParseSkill(kSkill, "/s/SKILL.md");
  ASSERT_TRUE(skill.ok()) << skill.status().ToString();
  EXPECT_EQ(skill->name, "release-notes");
  EXPECT_EQ(skill->description, "Draft release notes");
  EXPECT_EQ(skill->when_to_use, "When asked for a changelog");
  ASSERT_EQ(skill->args.size(), 2u);
  EXPECT_TRUE(skill->args[0].required);
  EXPECT_EQ(skill->args[1].default_value, "neutral");
  EXPECT_EQ(skill->body,
            "Notes for {{version}} in a {{ tone }} tone. Extra: $ARGUMENTS\n");
}

TEST(RenderSkill, FillsArgsDefaultsAndArguments) {
  Skill skill = *ParseSkill(kSkill, "/s/SKILL.md");
  Result<std::string> text = RenderSkill(skill, {{"version", "1.2"}}, "be brief");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "Notes for 1.2 in a neutral tone. Extra: be brief\n");
}

TEST(RenderSkill, MissingRequiredArgIsNamed) {
  Skill skill = *ParseSkill(kSkill, "/s/SKILL.md");
  Result<std::string> text = RenderSkill(skill, {}, "");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "skill release-notes needs the argument(s): version");
}

TEST(RenderSkill, UnknownArgIsRejected) {
  Skill skill = *ParseSkill(kSkill, "/s/SKILL.md");
  Result<std::string> text =
      RenderSkill(skill, {{"version", "1"}, {"colour", "red"}}, "");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "skill release-notes has no argument \"colour\"");
}

TEST(ParseSkill, BrokenFilesAreRejectedWithReason) {
  EXPECT_EQ(ParseSkill("no front matter", "/x").status().message(),
            "skill /x: SKILL.md must start with YAML front matter between --- "
            "lines");
  EXPECT_EQ(ParseSkill("---\ndescription: d\n---\nbody", "/x").status().message(),
            "skill /x: missing \"name\"");
  EXPECT_EQ(
      ParseSkill("---\nname: a\ndescription: d\n---\nuse {{nope}}", "/x")
          .status()
          .message(),
      "skill /x: placeholder {{nope}} names no argument in \"args\"");
  EXPECT_FALSE(ParseSkill("---\nname: [a\n---\n", "/x").ok());
}

TEST(SkillCatalog, WorkspaceWinsAndBrokenSkipped) {
  testing::TempDir app, workspace;
  auto write = [](const std::string& dir, const std::string& text) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/SKILL.md") << text;
  };
  write(app / "skills/notes", "---\nname: notes\ndescription: app\n---\napp\n");
  write(app / "skills/other", "---\nname: other\ndescription: o\n---\no\n");
  write(app / "skills/broken", "not a skill");
  write(workspace / "skills/notes",
        "---\nname: notes\ndescription: workspace\n---\nws\n");
  SkillCatalog catalog = LoadSkillCatalog({app.path(), workspace.path()});
  ASSERT_EQ(catalog.skills.size(), 2u);
  EXPECT_EQ(catalog.skills.at("notes").description, "workspace");
  ASSERT_EQ(catalog.errors.size(), 1u);
  EXPECT_NE(catalog.errors[0].find("broken/SKILL.md"), std::string::npos);
}

TEST(SkillTool, ReturnsRenderedInstructions) {
  SkillCatalog catalog;
  catalog.skills["release-notes"] = *ParseSkill(kSkill, "/s/SKILL.md");
  SkillTool tool(std::move(catalog));
  EXPECT_EQ(tool.spec().name, "Skill");
  EXPECT_NE(tool.spec().description.find("release-notes: Draft release notes"),
            std::string::npos);
  ToolResult result = tool.Execute(
      {{"skill", "release-notes"}, {"args", {{"version", "2.0"}}}}, {}, {});
  EXPECT_FALSE(result.is_error);
  EXPECT_EQ(result.content, "Notes for 2.0 in a neutral tone. Extra: \n");
  result = tool.Execute({{"skill", "release-notes"}}, {}, {});
  EXPECT_TRUE(result.is_error);
  EXPECT_EQ(result.content, "skill release-notes needs the argument(s): version");
}

}  // namespace
}  // namespace boxagnts::tools
