#include "providers/model_catalog.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/files.h"

namespace boxagnts::providers {
namespace {

bool IsValidModelId(std::string_view id) {
  size_t slash = id.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < id.size();
}

Result<int64_t> PositiveInt(const Json& value, const std::string& where) {
  if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
    return Status::InvalidArgument(
        where + ": expected a positive integer, got " + value.dump());
  }
  return value.get<int64_t>();
}

Result<bool> Bool(const Json& value, const std::string& where) {
  if (!value.is_boolean()) {
    return Status::InvalidArgument(where + ": expected true or false, got " +
                                   value.dump());
  }
  return value.get<bool>();
}

Status ApplyPrices(ModelPrices& prices, const Json& json,
                   const std::string& where) {
  if (!json.is_object()) {
    return Status::InvalidArgument(where + ": expected an object of prices");
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    std::string field = where + "." + it.key();
    int64_t* target = nullptr;
    if (it.key() == "input") {
      target = &prices.input_micro_usd_per_mtok;
    } else if (it.key() == "output") {
      target = &prices.output_micro_usd_per_mtok;
    } else if (it.key() == "cache_read") {
      target = &prices.cache_read_micro_usd_per_mtok;
    } else if (it.key() == "cache_write") {
      target = &prices.cache_write_micro_usd_per_mtok;
    } else {
      return Status::InvalidArgument(
          where + ": unknown price \"" + it.key() +
          "\": use input, output, cache_read or cache_write");
    }
    if (!it->is_number()) {
      return Status::InvalidArgument(field + ": expected a number of USD per "
                                     "million tokens, got " + it->dump());
    }
    Result<int64_t> micro = PriceToMicroUsd(it->get<double>());
    if (!micro.ok()) return micro.status().WithPrefix(field);
    *target = *micro;
  }
  return Status::Ok();
}

// Applies the fields of `json` to `model`. `where` prefixes errors.
Status ApplyFields(ModelInfo& model, const Json& json,
                   const std::string& where) {
  if (!json.is_object()) {
    return Status::InvalidArgument(where + ": expected an object");
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    std::string field = where + "." + key;
    if (key == "name") {
      if (!it->is_string()) {
        return Status::InvalidArgument(field + ": expected a string");
      }
      model.name = it->get<std::string>();
    } else if (key == "context_window" || key == "max_output_tokens") {
      Result<int64_t> value = PositiveInt(*it, field);
      if (!value.ok()) return value.status();
      (key == "context_window" ? model.context_window_tokens
                               : model.max_output_tokens) = *value;
    } else if (key == "price_per_mtok_usd") {
      BOXAGNTS_RETURN_IF_ERROR(ApplyPrices(model.prices, *it, field));
    } else if (key == "tools" || key == "images" || key == "reasoning") {
      Result<bool> value = Bool(*it, field);
      if (!value.ok()) return value.status();
      (key == "tools" ? model.tools
                      : key == "images" ? model.images : model.reasoning) =
          *value;
    } else if (key == "protocol") {
      std::string protocol = it->is_string() ? it->get<std::string>() : "";
      if (protocol != "anthropic" && protocol != "openai-chat" &&
          protocol != "openai-responses" && protocol != "gemini") {
        return Status::InvalidArgument(
            field + ": invalid protocol " + it->dump() +
            ": use anthropic, openai-chat, openai-responses or gemini");
      }
      model.protocol = protocol;
    } else {
      return Status::InvalidArgument(
          where + ": unknown field \"" + key +
          "\": use name, context_window, max_output_tokens, "
          "price_per_mtok_usd, tools, images, reasoning or protocol");
    }
  }
  return Status::Ok();
}

Json TomlToJson(const toml::node& node) {
  if (const toml::table* table = node.as_table()) {
    Json out = Json::object();
    for (const auto& [key, value] : *table) {
      out[std::string(key.str())] = TomlToJson(value);
    }
    return out;
  }
  if (const toml::array* array = node.as_array()) {
    Json out = Json::array();
    for (const toml::node& item : *array) out.push_back(TomlToJson(item));
    return out;
  }
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* b = node.as_boolean()) return b->get();
  return nullptr;  // dates and times have no use here
}

std::string ExecutableDir() {
  std::error_code error;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? "" : exe.parent_path().string();
}

}  // namespace

Cost ComputeCost(const ModelPrices& prices, const Usage& usage) {
  // micro-USD per million tokens == pico-USD per token.
  Cost cost;
  cost.input_pico_usd = usage.input_tokens * prices.input_micro_usd_per_mtok;
  cost.output_pico_usd = usage.output_tokens * prices.output_micro_usd_per_mtok;
  cost.cache_read_pico_usd =
      usage.cache_read_tokens * prices.cache_read_micro_usd_per_mtok;
  cost.cache_write_pico_usd =
      usage.cache_write_tokens * prices.cache_write_micro_usd_per_mtok;
  return cost;
}

std::string FormatUsd(int64_t pico_usd) {
  if (pico_usd < 0) return "-" + FormatUsd(-pico_usd);
  int64_t micro = (pico_usd + 500'000) / 1'000'000;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "$%lld.%06lld",
                static_cast<long long>(micro / 1'000'000),
                static_cast<long long>(micro % 1'000'000));
  return buffer;
}

Result<int64_t> PriceToMicroUsd(double usd_per_mtok) {
  if (!std::isfinite(usd_per_mtok) || usd_per_mtok < 0 ||
      usd_per_mtok > 1e6) {
    return Status::InvalidArgument(
        "invalid price " + std::to_string(usd_per_mtok) +
        ": expected USD per million tokens between 0 and 1000000");
  }
  double scaled = usd_per_mtok * 1e6;
  double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-3) {
    return Status::InvalidArgument(
        "price " + std::to_string(usd_per_mtok) +
        " has more than six decimal places of USD per million tokens");
  }
  return static_cast<int64_t>(rounded);
}

Result<ModelCatalog> ModelCatalog::FromJson(const Json& json,
                                            std::string_view source) {
  if (!json.is_object() || !json.contains("models")) {
    return Status::InvalidArgument(std::string(source) +
                                   ": expected an object with a \"models\" "
                                   "object");
  }
  ModelCatalog catalog;
  BOXAGNTS_RETURN_IF_ERROR(catalog.ApplyOverrides(json["models"], source));
  return catalog;
}

Result<ModelCatalog> ModelCatalog::LoadFile(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  Result<Json> json = ParseJson(*text, "\"" + path + "\"");
  if (!json.ok()) return json.status();
  return FromJson(*json, path);
}

Result<ModelCatalog> ModelCatalog::LoadDefault() {
  if (const char* env = std::getenv("BOXAGNTS_MODELS_FILE");
      env != nullptr && *env != '\0') {
    Result<ModelCatalog> catalog = LoadFile(env);
    if (!catalog.ok()) {
      return catalog.status().WithPrefix("BOXAGNTS_MODELS_FILE");
    }
    return catalog;
  }
  std::vector<std::string> candidates;
  std::string dir = ExecutableDir();
  if (!dir.empty()) {
    candidates.push_back(dir + "/models.json");
    candidates.push_back(dir + "/../share/boxagnts/models.json");
  }
#ifdef BOXAGNTS_MODELS_JSON
  candidates.push_back(BOXAGNTS_MODELS_JSON);
#endif
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), R_OK) == 0) return LoadFile(path);
  }
  std::string tried;
  for (const std::string& path : candidates) {
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return Status::NotFound("model catalogue not found (tried " + tried +
                          "); set BOXAGNTS_MODELS_FILE to its path");
}

Status ModelCatalog::ApplyOverrides(const Json& models,
                                    std::string_view source) {
  if (!models.is_object()) {
    return Status::InvalidArgument(std::string(source) +
                                   ": models must be an object keyed by "
                                   "\"provider/model\" ids");
  }
  for (auto it = models.begin(); it != models.end(); ++it) {
    const std::string& id = it.key();
    std::string where = std::string(source) + ": models.\"" + id + "\"";
    if (!IsValidModelId(id)) {
      return Status::InvalidArgument(where + ": invalid model id; use "
                                     "\"provider/model\"");
    }
    auto existing = models_.find(id);
    ModelInfo model;
    if (existing != models_.end()) {
      model = existing->second;
    } else {
      model.id = id;
      model.name = id.substr(id.find('/') + 1);
    }
    BOXAGNTS_RETURN_IF_ERROR(ApplyFields(model, *it, where));
    if (model.context_window_tokens <= 0 || model.max_output_tokens <= 0) {
      return Status::InvalidArgument(
          where + ": a new model needs context_window and max_output_tokens");
    }
    models_[id] = std::move(model);
  }
  return Status::Ok();
}

Status ModelCatalog::ApplyTomlOverrides(std::string_view toml_text,
                                        std::string_view source) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return Status::InvalidArgument(
        std::string(source) + ":" + std::to_string(begin.line) + ":" +
        std::to_string(begin.column) + ": invalid TOML: " +
        std::string(e.description()));
  }
  const toml::node* models = table.get("models");
  if (models == nullptr) return Status::Ok();
  if (!models->is_table()) {
    return Status::InvalidArgument(std::string(source) +
                                   ": \"models\" must be a table");
  }
  return ApplyOverrides(TomlToJson(*models), source);
}

const ModelInfo* ModelCatalog::Find(std::string_view id) const {
  auto it = models_.find(id);
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<const ModelInfo*> ModelCatalog::All() const {
  std::vector<const ModelInfo*> out;
  for (const auto& [id, model] : models_) out.push_back(&model);
  return out;
}

}  // namespace boxagnts::providers
