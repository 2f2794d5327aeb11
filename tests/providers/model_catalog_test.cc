#include "providers/model_catalog.h"

#include <gtest/gtest.h>

namespace boxagnts::providers {
namespace {

ModelCatalog ShippedCatalog() {
  Result<ModelCatalog> catalog = ModelCatalog::LoadFile(
      std::string(BOXAGNTS_SOURCE_DIR) + "/data/models.json");
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? *catalog : ModelCatalog();
}

TEST(ModelCatalog, ShippedFileCoversEveryProvider) {
  ModelCatalog catalog = ShippedCatalog();
  for (const char* id :
       {"anthropic/claude-sonnet-4-5", "openai/gpt-5", "google/gemini-2.5-pro",
        "deepseek/deepseek-chat", "mistral/mistral-large-latest", "xai/grok-4",
        "groq/llama-3.3-70b-versatile"}) {
    EXPECT_NE(catalog.Find(id), nullptr) << id;
  }
}

TEST(ModelCatalog, ReadsPricesAsMicroDollars) {
  ModelCatalog catalog = ShippedCatalog();
  const ModelInfo* model = catalog.Find("anthropic/claude-haiku-4-5");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->prices, (ModelPrices{1'000'000, 5'000'000, 100'000,
                                        1'250'000}));
  EXPECT_EQ(model->context_window_tokens, 200'000);
  EXPECT_TRUE(model->tools);
  EXPECT_EQ(catalog.Find("openai/gpt-5-codex")->protocol, "openai-responses");
}

TEST(ModelCatalog, OverridesAddAndUpdate) {
  ModelCatalog catalog = ShippedCatalog();
  size_t before = catalog.size();
  Json overrides = {
      {"anthropic/claude-sonnet-4-5",
       {{"price_per_mtok_usd", {{"input", 2.5}}}}},
      {"ollama/qwen3:8b",
       {{"context_window", 32768}, {"max_output_tokens", 8192},
        {"tools", true}}}};
  ASSERT_TRUE(catalog.ApplyOverrides(overrides, "config").ok());
  EXPECT_EQ(catalog.size(), before + 1);
  const ModelInfo* sonnet = catalog.Find("anthropic/claude-sonnet-4-5");
  EXPECT_EQ(sonnet->prices.input_micro_usd_per_mtok, 2'500'000);
  EXPECT_EQ(sonnet->prices.output_micro_usd_per_mtok, 15'000'000);
  const ModelInfo* local = catalog.Find("ollama/qwen3:8b");
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->name, "qwen3:8b");
  EXPECT_EQ(local->prices, ModelPrices{});
}

TEST(ModelCatalog, OverrideErrorsNameField) {
  ModelCatalog catalog = ShippedCatalog();
  Status unknown = catalog.ApplyOverrides(
      {{"openai/gpt-5", {{"context", 5}}}}, "ws.toml");
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("ws.toml: models.\"openai/gpt-5\": "
                                   "unknown field \"context\""),
            std::string::npos)
      << unknown.message();
  Status incomplete =
      catalog.ApplyOverrides({{"new/model", {{"tools", true}}}}, "ws.toml");
  EXPECT_NE(incomplete.message().find("needs context_window"),
            std::string::npos);
  Status bad_id = catalog.ApplyOverrides({{"noslash", Json::object()}}, "c");
  EXPECT_NE(bad_id.message().find("provider/model"), std::string::npos);
  Status bad_price = catalog.ApplyOverrides(
      {{"openai/gpt-5", {{"price_per_mtok_usd", {{"input", -1}}}}}}, "c");
  EXPECT_EQ(bad_price.code(), StatusCode::kInvalidArgument);
}

TEST(ModelCatalog, TomlOverrides) {
  ModelCatalog catalog = ShippedCatalog();
  Status status = catalog.ApplyTomlOverrides(
      "[models.\"deepseek/deepseek-chat\"]\n"
      "price_per_mtok_usd = { input = 0.5, cache_read = 0.05 }\n"
      "[models.\"vllm/my-model\"]\n"
      "context_window = 65536\nmax_output_tokens = 4096\n",
      "boxagnts.toml");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(catalog.Find("deepseek/deepseek-chat")
                ->prices.cache_read_micro_usd_per_mtok,
            50'000);
  EXPECT_EQ(catalog.Find("vllm/my-model")->context_window_tokens, 65536);
  Status broken = catalog.ApplyTomlOverrides("[models\n", "boxagnts.toml");
  EXPECT_NE(broken.message().find("boxagnts.toml:1:"), std::string::npos)
      << broken.message();
}

TEST(Cost, ExactPicodollars) {
  ModelPrices prices{3'000'000, 15'000'000, 300'000, 3'750'000};
  Cost cost = ComputeCost(prices, Usage{1'234, 567, 89'000, 10'001});
  EXPECT_EQ(cost.input_pico_usd, 3'702'000'000);
  EXPECT_EQ(cost.output_pico_usd, 8'505'000'000);
  EXPECT_EQ(cost.cache_read_pico_usd, 26'700'000'000);
  EXPECT_EQ(cost.cache_write_pico_usd, 37'503'750'000);
  EXPECT_EQ(cost.total_pico_usd(), 76'410'750'000);
  EXPECT_EQ(FormatUsd(cost.total_pico_usd()), "$0.076411");
  EXPECT_EQ(FormatUsd(-402'999'000'000), "-$0.402999");
}

TEST(Cost, PriceConversion) {
  EXPECT_EQ(*PriceToMicroUsd(0.075), 75'000);
  EXPECT_EQ(*PriceToMicroUsd(18.75), 18'750'000);
  EXPECT_EQ(*PriceToMicroUsd(0.000001), 1);
  EXPECT_FALSE(PriceToMicroUsd(0.0000001).ok());
  EXPECT_FALSE(PriceToMicroUsd(-0.5).ok());
}

}  // namespace
}  // namespace boxagnts::providers
