#include "query/hook_config.h"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <optional>
#include <sstream>

#include "core/toml_text.h"
#include "core/units.h"

namespace boxagnts::query {
namespace {

std::string Quote(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string ValidEventNames() {
  std::string names;
  for (HookEvent event : kAllHookEvents) {
    if (!names.empty()) names += ", ";
    names += HookEventName(event);
  }
  return names;
}

// Reads a string value. `example` shows the expected form in the error.
Result<std::string> ReadString(const toml::node& node, const std::string& key,
                               std::string_view example) {
  std::optional<std::string> text = node.value<std::string>();
  if (!text) {
    return Status::InvalidArgument(key + ": expected a string such as " +
                                   std::string(example));
  }
  return *text;
}

Result<int64_t> ReadTimeout(const toml::node& node, const std::string& key) {
  Result<std::string> text = ReadString(node, key, "\"10s\"");
  if (!text.ok()) return text.status();
  Result<uint64_t> ms = ParseDurationMs(*text);
  if (!ms.ok()) return ms.status().WithPrefix(key);
  if (*ms > static_cast<uint64_t>(kMaxHookTimeoutMs)) {
    return Status::InvalidArgument(key + ": timeout " + Quote(*text) +
                                   " exceeds the maximum of 1h");
  }
  return static_cast<int64_t>(*ms);
}

// Reads one `[[hooks.EVENT]]` entry; `key` is "hooks.EVENT[i]".
Result<HookCommand> ReadHookEntry(const toml::node& node, HookEvent event,
                                  const std::string& key,
                                  const std::string& source) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(
        key + ": expected a table with command, and optionally matcher and "
              "timeout, written as [[hooks." +
        std::string(HookEventName(event)) + "]]");
  }
  HookCommand hook;
  hook.source = source;
  bool has_command = false;
  for (const auto& [name_key, value] : *table) {
    std::string name(name_key.str());
    std::string where = key + "." + name;
    if (name == "command") {
      Result<std::string> command =
          ReadString(value, where, "\"python3 check.py\"");
      if (!command.ok()) return command.status();
      if (command->find_first_not_of(" \t\r\n") == std::string::npos) {
        return Status::InvalidArgument(where + ": the command is empty");
      }
      hook.command = std::move(*command);
      has_command = true;
    } else if (name == "matcher") {
      if (!HookEventHasMatcher(event)) {
        return Status::InvalidArgument(
            where + ": " + std::string(HookEventName(event)) +
            " hooks take no matcher (only PreToolUse and PostToolUse "
            "do); remove the key");
      }
      Result<std::string> matcher = ReadString(value, where, "\"Edit|Write\"");
      if (!matcher.ok()) return matcher.status();
      BOXAGNTS_RETURN_IF_ERROR(ValidateHookMatcher(*matcher).WithPrefix(where));
      hook.matcher = std::move(*matcher);
    } else if (name == "timeout") {
      Result<int64_t> timeout_ms = ReadTimeout(value, where);
      if (!timeout_ms.ok()) return timeout_ms.status();
      hook.timeout_ms = *timeout_ms;
    } else {
      return Status::InvalidArgument(
          "unknown key " + where +
          " (a hook takes command, matcher and timeout)");
    }
  }
  if (!has_command) {
    return Status::InvalidArgument(key + ": missing command, such as "
                                         "command = \"python3 check.py\"");
  }
  return hook;
}

Status ReadHooksTable(const toml::table& table, const std::string& source,
                      HookConfig* config) {
  for (const auto& [event_key, node] : table) {
    std::string event_name(event_key.str());
    std::string key = "hooks." + event_name;
    Result<HookEvent> event = ParseHookEventName(event_name);
    if (!event.ok()) {
      return Status::InvalidArgument("unknown hook event " + key +
                                     " (valid events: " + ValidEventNames() +
                                     ")");
    }
    const toml::array* entries = node.as_array();
    if (entries == nullptr) {
      return Status::InvalidArgument(key + ": expected an array of tables, "
                                           "written as [[" + key + "]]");
    }
    std::vector<HookCommand>& commands = config->hooks[*event];
    for (size_t i = 0; i < entries->size(); ++i) {
      std::string where = key + "[" + std::to_string(i) + "]";
      Result<HookCommand> hook =
          ReadHookEntry((*entries)[i], *event, where, source);
      if (!hook.ok()) return hook.status();
      commands.push_back(std::move(*hook));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view HookEventName(HookEvent event) {
  switch (event) {
    case HookEvent::kSessionStart:
      return "SessionStart";
    case HookEvent::kUserPromptSubmit:
      return "UserPromptSubmit";
    case HookEvent::kPreToolUse:
      return "PreToolUse";
    case HookEvent::kPostToolUse:
      return "PostToolUse";
    case HookEvent::kPreCompact:
      return "PreCompact";
    case HookEvent::kStop:
      return "Stop";
  }
  return "unknown";
}

Result<HookEvent> ParseHookEventName(std::string_view name) {
  for (HookEvent event : kAllHookEvents) {
    if (HookEventName(event) == name) return event;
  }
  return Status::InvalidArgument("unknown hook event " + Quote(name) +
                                 " (valid events: " + ValidEventNames() +
                                 ")");
}

bool HookEventHasMatcher(HookEvent event) {
  return event == HookEvent::kPreToolUse || event == HookEvent::kPostToolUse;
}

Status ValidateHookMatcher(const std::string& matcher) {
  if (matcher.empty() || matcher == "*") return Status::Ok();
  RE2 regex(matcher, RE2::Quiet);
  if (!regex.ok()) {
    return Status::InvalidArgument("invalid matcher regex " + Quote(matcher) +
                                   ": " + regex.error() +
                                   " (use RE2 syntax, such as \"Edit|Write\")");
  }
  return Status::Ok();
}

Result<HookConfig> ParseHooksToml(std::string_view text,
                                  const std::string& source) {
  Result<toml::table> parsed = ParseTomlText(text, source);
  if (!parsed.ok()) return parsed.status();
  toml::table& root = *parsed;
  HookConfig config;
  const toml::node* section = root.get("hooks");
  if (section == nullptr) return config;
  const toml::table* table = section->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(source + ": \"hooks\" must be a table");
  }
  Status status = ReadHooksTable(*table, source, &config);
  if (!status.ok()) return status.WithPrefix(source);
  return config;
}

void MergeHooks(HookConfig* into, const HookConfig& from) {
  for (const auto& [event, commands] : from.hooks) {
    std::vector<HookCommand>& target = into->hooks[event];
    target.insert(target.end(), commands.begin(), commands.end());
  }
}

}  // namespace boxagnts::query
