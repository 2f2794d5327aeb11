#include "query/agent_config.h"

#include <cmath>
#include <functional>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "core/files.h"
#include "core/toml_text.h"

namespace boxagnts::query {

namespace {

using Setter = std::function<Status(const toml::node&, AgentConfig*)>;

Result<std::string> String(const toml::node& node) {
  if (const auto* value = node.as_string()) return std::string(value->get());
  return Status::InvalidArgument("expected a string");
}

Result<int64_t> Integer(const toml::node& node, int64_t min, int64_t max) {
  const auto* value = node.as_integer();
  if (value == nullptr) return Status::InvalidArgument("expected an integer");
  int64_t v = value->get();
  if (v < min || v > max) {
    return Status::InvalidArgument("expected " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got " +
                                   std::to_string(v));
  }
  return v;
}

Result<double> Number(const toml::node& node) {
  if (const auto* value = node.as_floating_point()) return value->get();
  if (const auto* value = node.as_integer()) return double(value->get());
  return Status::InvalidArgument("expected a number");
}

Result<bool> Boolean(const toml::node& node) {
  if (const auto* value = node.as_boolean()) return value->get();
  return Status::InvalidArgument("expected true or false");
}

template <typename T>
Setter IntField(T QueryConfig::*field, int64_t min, int64_t max) {
  return [=](const toml::node& node, AgentConfig* config) -> Status {
    Result<int64_t> v = Integer(node, min, max);
    if (!v.ok()) return v.status();
    config->query.*field = static_cast<T>(*v);
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& AgentSetters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"model",
       [](const toml::node& node, AgentConfig* config) -> Status {
         Result<std::string> v = String(node);
         if (!v.ok()) return v.status();
         config->query.model_id = *v;
         return Status::Ok();
       }},
      {"fallback_model",
       [](const toml::node& node, AgentConfig* config) -> Status {
         Result<std::string> v = String(node);
         if (!v.ok()) return v.status();
         config->query.fallback_model_id = *v;
         return Status::Ok();
       }},
      {"max_turns", IntField(&QueryConfig::max_turns, 1, 100'000)},
      {"max_output_tokens",
       IntField(&QueryConfig::max_output_tokens, 1, 10'000'000)},
      {"max_parallel_tools", IntField(&QueryConfig::max_parallel_tools, 1, 64)},
      {"max_recovery_attempts",
       IntField(&QueryConfig::max_recovery_attempts, 0, 100)},
      {"max_stall_retries", IntField(&QueryConfig::max_stall_retries, 0, 100)},
      {"max_budget_usd",
       [](const toml::node& node, AgentConfig* config) -> Status {
         Result<double> v = Number(node);
         if (!v.ok()) return v.status();
         if (!std::isfinite(*v) || *v < 0) {
           return Status::InvalidArgument("expected a non-negative amount");
         }
         config->max_budget_usd = *v;
         return Status::Ok();
       }},
      {"output_style",
       [](const toml::node& node, AgentConfig* config) -> Status {
         Result<std::string> v = String(node);
         if (!v.ok()) return v.status();
         config->output_style = *v;
         return Status::Ok();
       }},
  };
  return *setters;
}

Status ParseCompaction(const toml::table& table, const std::string& source,
                       CompactionConfig* out) {
  CompactionConfig c = *out;
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    Status status = Status::Ok();
    if (name == "enabled") {
      Result<bool> v = Boolean(node);
      status = v.status();
      if (v.ok()) c.enabled = *v;
    } else if (name == "threshold") {
      Result<double> v = Number(node);
      status = v.status();
      if (v.ok() && !(*v > 0 && *v <= 1)) {
        status = Status::InvalidArgument("expected a fraction above 0 and at "
                                         "most 1, such as 0.8");
      } else if (v.ok()) {
        c.threshold = *v;
      }
    } else if (name == "model") {
      Result<std::string> v = String(node);
      status = v.status();
      if (v.ok()) c.model_id = *v;
    } else if (name == "keep_recent_turns") {
      Result<int64_t> v = Integer(node, 0, 1000);
      status = v.status();
      if (v.ok()) c.keep_recent_turns = int(*v);
    } else if (name == "max_failures") {
      Result<int64_t> v = Integer(node, 1, 1000);
      status = v.status();
      if (v.ok()) c.max_failures = int(*v);
    } else {
      return Status::InvalidArgument(
          source + ": unknown key agent.compaction." + name +
          " (known: enabled, threshold, model, keep_recent_turns, "
          "max_failures)");
    }
    if (!status.ok()) {
      return Status::InvalidArgument(source + ": agent.compaction." + name +
                                     ": " + status.message());
    }
  }
  *out = c;
  return Status::Ok();
}

}  // namespace

Status ParseAgentToml(std::string_view text, const std::string& source,
                      AgentConfig* config) {
  Result<toml::table> parsed = ParseTomlText(text, source);
  if (!parsed.ok()) return parsed.status();
  toml::table& root = *parsed;
  const toml::node* section = root.get("agent");
  if (section == nullptr) return Status::Ok();
  const toml::table* table = section->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(source + ": \"agent\" must be a table");
  }
  AgentConfig updated = *config;
  for (const auto& [key, node] : *table) {
    std::string name(key.str());
    if (name == "compaction") {
      const toml::table* compaction = node.as_table();
      if (compaction == nullptr) {
        return Status::InvalidArgument(source +
                                       ": agent.compaction must be a table");
      }
      BOXAGNTS_RETURN_IF_ERROR(
          ParseCompaction(*compaction, source, &updated.query.compaction));
      continue;
    }
    auto setter = AgentSetters().find(name);
    if (setter == AgentSetters().end()) {
      std::string known;
      for (const auto& [k, unused] : AgentSetters()) {
        known += (known.empty() ? "" : ", ") + k;
      }
      return Status::InvalidArgument(source + ": unknown key agent." + name +
                                     " (known: " + known + ", compaction)");
    }
    Status status = setter->second(node, &updated);
    if (!status.ok()) {
      return Status::InvalidArgument(source + ": agent." + name + ": " +
                                     status.message());
    }
  }
  *config = std::move(updated);
  return Status::Ok();
}

Status LoadAgentConfigFile(const std::string& path, AgentConfig* config) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseAgentToml(*text, path, config);
}

}  // namespace boxagnts::query
