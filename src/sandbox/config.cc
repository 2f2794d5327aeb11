#include "sandbox/config.h"

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <sstream>

#include "core/files.h"
#include "core/toml_text.h"
#include "core/units.h"

namespace boxagnts::sandbox {

namespace {

// A number of bytes: a positive integer, or a string with a K/M/G suffix.
Result<uint64_t> ReadBytes(const toml::node& node) {
  if (auto value = node.value<int64_t>()) {
    if (*value <= 0) return Status::InvalidArgument("must be positive");
    return static_cast<uint64_t>(*value);
  }
  if (auto text = node.value<std::string>()) return ParseByteSize(*text);
  return Status::InvalidArgument(
      "expected a number of bytes or a string such as \"64M\"");
}

// A duration: seconds as a number, or a string such as "500ms" or "2m".
Result<uint64_t> ReadDurationMs(const toml::node& node) {
  if (auto text = node.value<std::string>()) return ParseDurationMs(*text);
  if (node.is_number()) {
    double seconds = node.value<double>().value_or(0);
    if (!(seconds > 0)) return Status::InvalidArgument("must be positive");
    return ParseDurationMs(std::to_string(seconds));
  }
  return Status::InvalidArgument(
      "expected seconds as a number or a string such as \"500ms\"");
}

Result<uint64_t> ReadCount(const toml::node& node) {
  auto value = node.value<int64_t>();
  if (!value || *value <= 0) {
    return Status::InvalidArgument("expected a positive integer");
  }
  return static_cast<uint64_t>(*value);
}

Result<std::string> ReadString(const toml::node& node) {
  auto value = node.value<std::string>();
  if (!value) return Status::InvalidArgument("expected a string");
  return *value;
}

Result<std::vector<std::string>> ReadStrings(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return Status::InvalidArgument("expected an array of strings");
  }
  std::vector<std::string> out;
  for (const toml::node& item : *array) {
    auto value = item.value<std::string>();
    if (!value) return Status::InvalidArgument("expected an array of strings");
    out.push_back(*value);
  }
  return out;
}

using Setter = std::function<Status(const toml::node&, SandboxConfig*)>;

template <typename T, typename Reader>
Setter Set(Reader reader, T SandboxConfig::*field) {
  return [reader, field](const toml::node& node, SandboxConfig* config) {
    auto value = reader(node);
    if (!value.ok()) return value.status();
    config->*field = std::move(*value);
    return Status::Ok();
  };
}

template <typename Reader>
Setter SetLimit(Reader reader, uint64_t SandboxLimits::*field) {
  return [reader, field](const toml::node& node, SandboxConfig* config) {
    Result<uint64_t> value = reader(node);
    if (!value.ok()) return value.status();
    config->limits.*field = *value;
    return Status::Ok();
  };
}

Setter SetNetworkList(std::vector<std::string> NetworkPolicyConfig::*field) {
  return [field](const toml::node& node, SandboxConfig* config) {
    auto value = ReadStrings(node);
    if (!value.ok()) return value.status();
    config->network.*field = std::move(*value);
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& Setters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"wasm_fuel", SetLimit(ReadCount, &SandboxLimits::fuel)},
      {"wasm_timeout", SetLimit(ReadDurationMs, &SandboxLimits::timeout_ms)},
      {"wasm_max_memory_size",
       SetLimit(ReadBytes, &SandboxLimits::max_memory_bytes)},
      {"wasm_max_wasm_stack",
       SetLimit(ReadBytes, &SandboxLimits::max_wasm_stack_bytes)},
      {"max_stdout_bytes", SetLimit(ReadBytes, &SandboxLimits::max_stdout_bytes)},
      {"max_stderr_bytes", SetLimit(ReadBytes, &SandboxLimits::max_stderr_bytes)},
      {"work_dir", Set(ReadString, &SandboxConfig::work_dir)},
      {"map_dirs",
       [](const toml::node& node, SandboxConfig* config) -> Status {
         auto specs = ReadStrings(node);
         if (!specs.ok()) return specs.status();
         config->map_dirs.clear();
         for (const std::string& spec : *specs) {
           Result<Mount> mount = ParseMapDir(spec);
           if (!mount.ok()) return mount.status();
           config->map_dirs.push_back(*mount);
         }
         return Status::Ok();
       }},
      {"allowed_outbound_hosts",
       SetNetworkList(&NetworkPolicyConfig::allowed_outbound_hosts)},
      {"block_url", SetNetworkList(&NetworkPolicyConfig::block_url)},
      {"block_networks",
       [](const toml::node& node, SandboxConfig* config) -> Status {
         auto value = ReadStrings(node);
         if (!value.ok()) return value.status();
         config->network.block_networks = std::move(*value);
         return Status::Ok();
       }},
  };
  return *setters;
}

}  // namespace

Status LoadSandboxConfigText(std::string_view text, const std::string& source,
                             SandboxConfig* config) {
  Result<toml::table> parsed = ParseTomlText(text, source);
  if (!parsed.ok()) return parsed.status();
  toml::table& root = *parsed;
  const toml::node* section = root.get("sandbox");
  if (section == nullptr) return Status::Ok();
  const toml::table* table = section->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(source + ": \"sandbox\" must be a table");
  }
  SandboxConfig updated = *config;
  for (const auto& [key, node] : *table) {
    std::string name(key.str());
    auto setter = Setters().find(name);
    if (setter == Setters().end()) {
      return Status::InvalidArgument(source + ": unknown key sandbox." + name +
                                     " (see the sandbox configuration keys "
                                     "in the README)");
    }
    Status status = setter->second(node, &updated);
    if (!status.ok()) {
      return Status::InvalidArgument(source + ": sandbox." + name + ": " +
                                     status.message());
    }
  }
  *config = std::move(updated);
  return Status::Ok();
}

Status LoadSandboxConfigFile(const std::string& path, SandboxConfig* config) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status().WithPrefix("read config");
  return LoadSandboxConfigText(*text, path, config);
}

}  // namespace boxagnts::sandbox
