// `boxagnts models list`: the model catalogue with context windows and
// prices.

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/files.h"
#include "core/json.h"
#include "providers/model_catalog.h"

namespace boxagnts::cli {
namespace {

struct ModelsListFlags {
  bool json = false;
  std::string models_file;
  std::string config;
};

// Formats micro-dollars per million tokens as dollars, such as "3.75".
std::string Dollars(int64_t micro_usd) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%lld.%06lld",
                static_cast<long long>(micro_usd / 1'000'000),
                static_cast<long long>(micro_usd % 1'000'000));
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text += "00";
  if (text.size() - text.find('.') == 2) text += "0";
  return text;
}

double DollarsValue(int64_t micro_usd) { return micro_usd / 1e6; }

int RunModelsList(const ModelsListFlags& flags) {
  Result<providers::ModelCatalog> catalog =
      flags.models_file.empty()
          ? providers::ModelCatalog::LoadDefault()
          : providers::ModelCatalog::LoadFile(flags.models_file);
  if (!catalog.ok()) {
    std::fprintf(stderr, "boxagnts models list: %s\n",
                 catalog.status().message().c_str());
    return 1;
  }
  if (!flags.config.empty()) {
    Result<std::string> text = ReadFileToString(flags.config);
    Status status = text.ok() ? catalog->ApplyTomlOverrides(*text, flags.config)
                              : text.status();
    if (!status.ok()) {
      std::fprintf(stderr, "boxagnts models list: %s\n",
                   status.message().c_str());
      return 1;
    }
  }

  if (flags.json) {
    Json out = Json::array();
    for (const providers::ModelInfo* model : catalog->All()) {
      const providers::ModelPrices& p = model->prices;
      out.push_back(
          {{"id", model->id},
           {"name", model->name},
           {"context_window", model->context_window_tokens},
           {"max_output_tokens", model->max_output_tokens},
           {"price_per_mtok_usd",
            {{"input", DollarsValue(p.input_micro_usd_per_mtok)},
             {"output", DollarsValue(p.output_micro_usd_per_mtok)},
             {"cache_read", DollarsValue(p.cache_read_micro_usd_per_mtok)},
             {"cache_write", DollarsValue(p.cache_write_micro_usd_per_mtok)}}},
           {"tools", model->tools},
           {"images", model->images},
           {"reasoning", model->reasoning}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }

  std::printf("%-48s %9s %9s %9s %9s %9s %9s\n", "ID", "CONTEXT", "MAX OUT",
              "$IN/M", "$OUT/M", "$CRD/M", "$CWR/M");
  for (const providers::ModelInfo* model : catalog->All()) {
    const providers::ModelPrices& p = model->prices;
    std::printf("%-48s %9lld %9lld %9s %9s %9s %9s\n", model->id.c_str(),
                static_cast<long long>(model->context_window_tokens),
                static_cast<long long>(model->max_output_tokens),
                Dollars(p.input_micro_usd_per_mtok).c_str(),
                Dollars(p.output_micro_usd_per_mtok).c_str(),
                Dollars(p.cache_read_micro_usd_per_mtok).c_str(),
                Dollars(p.cache_write_micro_usd_per_mtok).c_str());
  }
  return 0;
}

}  // namespace

void AddModelsCommand(CLI::App& app, int* exit_code) {
  CLI::App* models =
      app.add_subcommand("models", "Inspect the model catalogue");
  models->require_subcommand(1);
  CLI::App* list = models->add_subcommand(
      "list", "List models with context window, output limit and prices in "
              "USD per million tokens (input, output, cache read, cache "
              "write)");
  auto flags = std::make_shared<ModelsListFlags>();
  list->add_flag("--json", flags->json, "Print JSON instead of a table");
  list->add_option("--models-file", flags->models_file,
                   "Catalogue file to read instead of the shipped one");
  list->add_option("--config", flags->config,
                   "TOML file whose [models.\"provider/id\"] tables add or "
                   "override models");
  list->callback([flags, exit_code] { *exit_code = RunModelsList(*flags); });
}

}  // namespace boxagnts::cli
