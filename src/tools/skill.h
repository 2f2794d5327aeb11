// Skills: reusable instructions that a model loads on demand.
//
// A skill is a folder with SKILL.md: YAML front matter and a Markdown body.
//
//   ---
//   name: release-notes
//   description: Draft release notes from the git log
//   when_to_use: When the user asks for release notes or a changelog
//   args:
//     - name: version
//       required: true
//     - name: tone
//       default: neutral
//   ---
//   Write release notes for {{version}} in a {{tone}} tone. $ARGUMENTS
//
// `{{arg}}` is replaced by the argument's value and `$ARGUMENTS` by the
// free-form text of the call.

#ifndef BOXAGNTS_TOOLS_SKILL_H_
#define BOXAGNTS_TOOLS_SKILL_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tools/registry.h"
#include "tools/tool.h"

namespace boxagnts::tools {

struct SkillArg {
  std::string name;
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;
};

struct Skill {
  std::string name;
  std::string description;
  std::string when_to_use;
  std::vector<SkillArg> args;
  std::string body;
  std::string path;  // of SKILL.md
};

// Parses the text of a SKILL.md. `path` is used in errors and kept in the
// skill. Errors name the file and the field.
Result<Skill> ParseSkill(const std::string& text, const std::string& path);

// Fills the placeholders of `skill`. Errors name missing required
// arguments and arguments the skill does not declare.
Result<std::string> RenderSkill(const Skill& skill,
                                const std::map<std::string, std::string>& args,
                                const std::string& arguments);

struct SkillCatalog {
  std::map<std::string, Skill> skills;  // by name
  std::vector<std::string> errors;      // broken skills, one line each
};

// Loads skills from the application's folder, then the workspace's, whose
// skills win on a name clash. A broken skill is listed and skipped.
SkillCatalog LoadSkillCatalog(const ExtensionDirs& dirs);

// The `Skill` tool: returns a skill's instructions with its placeholders
// filled, for the model to follow.
class SkillTool : public Tool {
 public:
  explicit SkillTool(SkillCatalog catalog);
  const ToolSpec& spec() const override { return spec_; }
  ToolResult Execute(const Json& input, const ToolContext& context,
                     const CancellationToken& cancel) override;

 private:
  SkillCatalog catalog_;
  ToolSpec spec_;
};

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_SKILL_H_
