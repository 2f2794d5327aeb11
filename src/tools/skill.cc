#include "tools/skill.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "core/files.h"
#include "core/log.h"

namespace boxagnts::tools {

namespace fs = std::filesystem;

namespace {

// Matches {{ name }} placeholders.
const std::regex& PlaceholderPattern() {
  static const std::regex pattern(R"(\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\})");
  return pattern;
}

Result<std::string> ScalarField(const YAML::Node& root, const char* key,
                                bool required) {
  YAML::Node node = root[key];
  if (!node) {
    if (required) {
      return Status::InvalidArgument(std::string("missing \"") + key + "\"");
    }
    return std::string();
  }
  if (!node.IsScalar()) {
    return Status::InvalidArgument(std::string("\"") + key +
                                   "\" must be a string");
  }
  return node.as<std::string>();
}

Result<std::vector<SkillArg>> ParseArgs(const YAML::Node& node) {
  std::vector<SkillArg> args;
  if (!node) return args;
  if (!node.IsSequence()) {
    return Status::InvalidArgument(
        "\"args\" must be a list of {name, required, default, description}");
  }
  std::set<std::string> seen;
  for (const YAML::Node& item : node) {
    if (!item.IsMap() || !item["name"] || !item["name"].IsScalar()) {
      return Status::InvalidArgument("each entry of \"args\" needs a name");
    }
    SkillArg arg;
    arg.name = item["name"].as<std::string>();
    if (!seen.insert(arg.name).second) {
      return Status::InvalidArgument("argument \"" + arg.name +
                                     "\" is declared twice");
    }
    if (item["required"]) arg.required = item["required"].as<bool>();
    if (item["default"]) arg.default_value = item["default"].as<std::string>();
    if (item["description"]) {
      arg.description = item["description"].as<std::string>();
    }
    args.push_back(std::move(arg));
  }
  return args;
}

}  // namespace

Result<Skill> ParseSkill(const std::string& text, const std::string& path) {
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument("skill " + path + ": " + why);
  };
  if (text.rfind("---\n", 0) != 0) {
    return fail("SKILL.md must start with YAML front matter between --- lines");
  }
  size_t end = text.find("\n---", 3);
  if (end == std::string::npos) return fail("the front matter has no closing ---");
  std::string front = text.substr(4, end - 3);
  size_t body_start = text.find('\n', end + 4);
  std::string body = body_start == std::string::npos ? "" : text.substr(body_start + 1);

  YAML::Node root;
  try {
    root = YAML::Load(front);
  } catch (const YAML::Exception& e) {
    return fail(std::string("invalid YAML front matter: ") + e.what());
  }
  if (!root.IsMap()) return fail("the front matter must be a YAML mapping");

  Skill skill;
  skill.path = path;
  skill.body = body;
  try {
    Result<std::string> name = ScalarField(root, "name", true);
    if (!name.ok()) return fail(name.status().message());
    skill.name = *name;
    Result<std::string> description = ScalarField(root, "description", true);
    if (!description.ok()) return fail(description.status().message());
    skill.description = *description;
    Result<std::string> when = ScalarField(root, "when_to_use", false);
    if (!when.ok()) return fail(when.status().message());
    skill.when_to_use = *when;
    Result<std::vector<SkillArg>> args = ParseArgs(root["args"]);
    if (!args.ok()) return fail(args.status().message());
    skill.args = std::move(*args);
  } catch (const YAML::Exception& e) {
    return fail(std::string("invalid front matter value: ") + e.what());
  }

  // Every placeholder must name a declared argument, so a typo shows up
  // when the skill loads instead of reaching the model unfilled.
  for (std::sregex_iterator it(body.begin(), body.end(), PlaceholderPattern()), last;
       it != last; ++it) {
    std::string name = (*it)[1].str();
    bool declared = std::any_of(skill.args.begin(), skill.args.end(),
                                [&](const SkillArg& a) { return a.name == name; });
    if (!declared) {
      return fail("placeholder {{" + name + "}} names no argument in \"args\"");
    }
  }
  return skill;
}

Result<std::string> RenderSkill(const Skill& skill,
                                const std::map<std::string, std::string>& args,
                                const std::string& arguments) {
  std::map<std::string, std::string> values;
  std::vector<std::string> missing;
  for (const SkillArg& arg : skill.args) {
    auto given = args.find(arg.name);
    if (given != args.end()) {
      values[arg.name] = given->second;
    } else if (arg.default_value) {
      values[arg.name] = *arg.default_value;
    } else if (arg.required) {
      missing.push_back(arg.name);
    } else {
      values[arg.name] = "";
    }
  }
  for (const auto& [name, value] : args) {
    if (values.count(name) == 0 &&
        std::find(missing.begin(), missing.end(), name) == missing.end()) {
      return Status::InvalidArgument("skill " + skill.name +
                                     " has no argument \"" + name + "\"");
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& name : missing) {
      list += (list.empty() ? "" : ", ") + name;
    }
    return Status::InvalidArgument("skill " + skill.name +
                                   " needs the argument(s): " + list);
  }

  std::string out;
  const std::string& body = skill.body;
  size_t last = 0;
  for (std::sregex_iterator it(body.begin(), body.end(), PlaceholderPattern()), end;
       it != end; ++it) {
    out += body.substr(last, it->position() - last);
    out += values[(*it)[1].str()];
    last = it->position() + it->length();
  }
  out += body.substr(last);
  for (size_t pos = out.find("$ARGUMENTS"); pos != std::string::npos;
       pos = out.find("$ARGUMENTS", pos + arguments.size())) {
    out.replace(pos, 10, arguments);
  }
  return out;
}

SkillCatalog LoadSkillCatalog(const ExtensionDirs& dirs) {
  SkillCatalog catalog;
  for (const std::string& base : {dirs.app_dir, dirs.workspace_dir}) {
    if (base.empty()) continue;
    std::error_code ec;
    fs::path skills_dir = fs::path(base) / "skills";
    if (!fs::is_directory(skills_dir, ec)) continue;
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(skills_dir, ec)) {
      if (entry.is_directory()) folders.push_back(entry.path());
    }
    std::sort(folders.begin(), folders.end());
    for (const fs::path& folder : folders) {
      std::string path = (folder / "SKILL.md").string();
      Result<std::string> text = ReadFileToString(path);
      Result<Skill> skill = text.ok() ? ParseSkill(*text, path)
                                      : Result<Skill>(text.status().WithPrefix("skill"));
      if (!skill.ok()) {
        spdlog::warn("skipping broken skill: {}", skill.status().message());
        catalog.errors.push_back(skill.status().message());
        continue;
      }
      catalog.skills[skill->name] = std::move(*skill);
    }
  }
  return catalog;
}

SkillTool::SkillTool(SkillCatalog catalog) : catalog_(std::move(catalog)) {
  std::string listing;
  Json names = Json::array();
  for (const auto& [name, skill] : catalog_.skills) {
    names.push_back(name);
    listing += "\n- " + name + ": " + skill.description;
    if (!skill.when_to_use.empty()) listing += " Use when: " + skill.when_to_use;
    for (const SkillArg& arg : skill.args) {
      listing += "\n    arg " + arg.name + (arg.required ? " (required)" : "");
      if (!arg.description.empty()) listing += ": " + arg.description;
    }
  }
  spec_.name = "Skill";
  spec_.description =
      "Loads the instructions of a skill, with its arguments filled in, for "
      "you to follow. Available skills:" + listing;
  spec_.input_schema = {
      {"type", "object"},
      {"properties",
       {{"skill", {{"type", "string"}, {"enum", names}}},
        {"args",
         {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
        {"arguments", {{"type", "string"}}}}},
      {"required", {"skill"}},
      {"additionalProperties", false}};
  spec_.read_only = true;
  spec_.concurrency_safe = true;
}

ToolResult SkillTool::Execute(const Json& input, const ToolContext& context,
                              const CancellationToken& cancel) {
  std::string name = input.value("skill", "");
  auto it = catalog_.skills.find(name);
  if (it == catalog_.skills.end()) {
    return ToolResult::Error("unknown skill \"" + name + "\"");
  }
  std::map<std::string, std::string> args;
  if (auto given = input.find("args"); given != input.end()) {
    for (const auto& [key, value] : given->items()) {
      args[key] = value.get<std::string>();
    }
  }
  Result<std::string> text =
      RenderSkill(it->second, args, input.value("arguments", ""));
  if (!text.ok()) return ToolResult::Error(text.status().message());
  ToolResult result;
  result.content = std::move(*text);
  result.metadata = {{"skill", name}, {"path", it->second.path}};
  return result;
}

}  // namespace boxagnts::tools
