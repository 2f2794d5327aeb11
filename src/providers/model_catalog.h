// The model catalogue: context window, output limit, prices and
// capabilities of each model, and the cost of a call.
//
// The catalogue ships as data/models.json (regenerated from models.dev by
// scripts/refresh-models). Its form:
//   {"models": {"anthropic/claude-sonnet-4-5": {
//       "name": "Claude Sonnet 4.5", "context_window": 200000,
//       "max_output_tokens": 64000,
//       "price_per_mtok_usd": {"input": 3, "output": 15,
//                              "cache_read": 0.3, "cache_write": 3.75},
//       "tools": true, "images": true, "reasoning": true,
//       "protocol": "openai-responses"}}}
// "protocol" is optional and names the wire protocol a model requires
// when it differs from its service's default.
//
// Prices are held as integer micro-dollars per million tokens, which is
// the same number as picodollars per token, so the cost of a call is an
// exact integer number of picodollars.

#ifndef BOXAGNTS_PROVIDERS_MODEL_CATALOG_H_
#define BOXAGNTS_PROVIDERS_MODEL_CATALOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "providers/message.h"

namespace boxagnts::providers {

// Prices in micro-dollars per million tokens (USD 3.75/Mtok = 3'750'000).
struct ModelPrices {
  int64_t input_micro_usd_per_mtok = 0;
  int64_t output_micro_usd_per_mtok = 0;
  int64_t cache_read_micro_usd_per_mtok = 0;
  int64_t cache_write_micro_usd_per_mtok = 0;
  friend bool operator==(const ModelPrices&, const ModelPrices&) = default;
};

struct ModelInfo {
  std::string id;  // "provider/model"
  std::string name;
  int64_t context_window_tokens = 0;
  int64_t max_output_tokens = 0;
  ModelPrices prices;
  bool tools = false;
  bool images = false;
  bool reasoning = false;
  std::string protocol;  // empty: the service's default protocol
};

// Cost of one call in picodollars (1e-12 USD), per token kind.
struct Cost {
  int64_t input_pico_usd = 0;
  int64_t output_pico_usd = 0;
  int64_t cache_read_pico_usd = 0;
  int64_t cache_write_pico_usd = 0;

  int64_t total_pico_usd() const {
    return input_pico_usd + output_pico_usd + cache_read_pico_usd +
           cache_write_pico_usd;
  }
  double total_usd() const { return total_pico_usd() / 1e12; }
  friend bool operator==(const Cost&, const Cost&) = default;
};

// Returns the cost of `usage` at `prices`, cache tokens included.
Cost ComputeCost(const ModelPrices& prices, const Usage& usage);

// Formats picodollars as dollars with six decimals, such as "$0.012345"
// (rounded half up to the micro-dollar).
std::string FormatUsd(int64_t pico_usd);

// Converts a price in USD per million tokens to micro-dollars per million
// tokens. Rejects negative values and values with more than six decimals.
Result<int64_t> PriceToMicroUsd(double usd_per_mtok);

class ModelCatalog {
 public:
  // Parses the data file form above. `source` names the file in errors.
  static Result<ModelCatalog> FromJson(const Json& json,
                                       std::string_view source);
  static Result<ModelCatalog> LoadFile(const std::string& path);

  // Loads the shipped catalogue: $BOXAGNTS_MODELS_FILE when set, else
  // models.json next to the running executable or in ../share/boxagnts,
  // else data/models.json of the source tree the binary was built from.
  static Result<ModelCatalog> LoadDefault();

  // Adds or updates models from parsed configuration: an object whose keys
  // are model ids and whose values hold any fields of the data file form.
  // A new model needs context_window and max_output_tokens. Unknown fields
  // are rejected with their name.
  Status ApplyOverrides(const Json& models, std::string_view source);

  // Applies the `[models."provider/id"]` tables of a TOML document.
  Status ApplyTomlOverrides(std::string_view toml_text,
                            std::string_view source);

  // Returns the model with `id`, or nullptr.
  const ModelInfo* Find(std::string_view id) const;

  // Returns every model ordered by id.
  std::vector<const ModelInfo*> All() const;

  size_t size() const { return models_.size(); }

 private:
  std::map<std::string, ModelInfo, std::less<>> models_;
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_MODEL_CATALOG_H_
