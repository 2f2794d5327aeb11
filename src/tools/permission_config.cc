#include "tools/permission_config.h"

#include <toml++/toml.h>

#include <sstream>

#include "core/files.h"
#include "core/log.h"

namespace boxagnts::tools {
namespace {

// Parses the array at `node` into `*rules`. Errors name `key` and the
// index of the bad element.
Status ReadRuleArray(const toml::node& node, const std::string& key,
                     RuleSource source, std::vector<PermissionRule>* rules) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return Status::InvalidArgument(key +
                                   ": expected an array of rule strings, "
                                   "such as [\"Read(src/**)\"]");
  }
  for (size_t i = 0; i < array->size(); ++i) {
    std::string where = key + "[" + std::to_string(i) + "]";
    std::optional<std::string> text = (*array)[i].value<std::string>();
    if (!text) {
      return Status::InvalidArgument(where +
                                     ": expected a string such as "
                                     "\"Read(src/**)\"");
    }
    Result<PermissionRule> rule = ParsePermissionRule(*text, source);
    if (!rule.ok()) return rule.status().WithPrefix(where);
    rules->push_back(std::move(*rule));
  }
  return Status::Ok();
}

Status ReadPermissionsTable(const toml::table& table, RuleSource source,
                            PermissionConfig* config) {
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::string where = "permissions." + name;
    if (name == "allow") {
      BOXAGNTS_RETURN_IF_ERROR(
          ReadRuleArray(node, where, source, &config->rules.allow));
    } else if (name == "ask") {
      BOXAGNTS_RETURN_IF_ERROR(
          ReadRuleArray(node, where, source, &config->rules.ask));
    } else if (name == "deny") {
      BOXAGNTS_RETURN_IF_ERROR(
          ReadRuleArray(node, where, source, &config->rules.deny));
    } else if (name == "default_mode") {
      std::optional<std::string> text = node.value<std::string>();
      if (!text) {
        return Status::InvalidArgument(
            where + ": expected a string such as \"acceptEdits\"");
      }
      Result<PermissionMode> mode = ParsePermissionMode(*text);
      if (!mode.ok()) return mode.status().WithPrefix(where);
      config->default_mode = *mode;
    } else {
      return Status::InvalidArgument(
          "unknown key " + where +
          " (the permissions table takes allow, ask, deny and default_mode)");
    }
  }
  return Status::Ok();
}

// Appends the rules of `from` to `to`, or only its deny rules.
void AppendRules(const PermissionRules& from, bool deny_only,
                 PermissionRules* to) {
  if (!deny_only) {
    to->allow.insert(to->allow.end(), from.allow.begin(), from.allow.end());
    to->ask.insert(to->ask.end(), from.ask.begin(), from.ask.end());
  }
  to->deny.insert(to->deny.end(), from.deny.begin(), from.deny.end());
}

}  // namespace

Result<PermissionConfig> ParsePermissionsToml(std::string_view text,
                                              const std::string& source_name,
                                              RuleSource source) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return Status::InvalidArgument("invalid TOML in " + source_name + " at " +
                                   where.str() + ": " +
                                   std::string(e.description()));
  }
  PermissionConfig config;
  const toml::node* section = root.get("permissions");
  if (section == nullptr) return config;
  const toml::table* table = section->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(source_name +
                                   ": \"permissions\" must be a table");
  }
  Status status = ReadPermissionsTable(*table, source, &config);
  if (!status.ok()) return status.WithPrefix(source_name);
  return config;
}

Result<PermissionConfig> LoadPermissionsFile(const std::string& path,
                                             RuleSource source) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status().WithPrefix("read permissions config");
  return ParsePermissionsToml(*text, path, source);
}

Result<std::vector<PermissionRule>> ParsePermissionRules(
    const std::vector<std::string>& texts, RuleSource source) {
  std::vector<PermissionRule> rules;
  for (const std::string& text : texts) {
    Result<PermissionRule> rule = ParsePermissionRule(text, source);
    if (!rule.ok()) return rule.status();
    rules.push_back(std::move(*rule));
  }
  return rules;
}

MergedPermissions MergePermissions(const PermissionConfig& user,
                                   const PermissionConfig& workspace,
                                   bool workspace_trusted,
                                   const PermissionConfig& command_line) {
  MergedPermissions merged;
  AppendRules(user.rules, false, &merged.rules);
  AppendRules(workspace.rules, !workspace_trusted, &merged.rules);
  AppendRules(command_line.rules, false, &merged.rules);

  if (user.default_mode) merged.mode = *user.default_mode;
  if (workspace.default_mode && workspace_trusted) {
    merged.mode = *workspace.default_mode;
  }
  if (command_line.default_mode) merged.mode = *command_line.default_mode;

  if (!workspace_trusted) {
    merged.ignored_workspace_settings = workspace.rules.allow.size() +
                                        workspace.rules.ask.size() +
                                        (workspace.default_mode ? 1 : 0);
  }
  if (merged.ignored_workspace_settings > 0) {
    spdlog::warn(
        "workspace is not trusted: ignoring {} allow/ask rules and modes of "
        "its config (its deny rules apply)",
        merged.ignored_workspace_settings);
  }
  return merged;
}

}  // namespace boxagnts::tools
