#include "providers/provider_factory.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace boxagnts::providers {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseModelId, SplitsAtFirstSlash) {
  auto ref = ParseModelId("openrouter/meta-llama/llama-3.3-70b-instruct");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->service, "openrouter");
  EXPECT_EQ(ref->model, "meta-llama/llama-3.3-70b-instruct");
  EXPECT_FALSE(ParseModelId("gpt-5").ok());
  EXPECT_FALSE(ParseModelId("/gpt-5").ok());
  EXPECT_FALSE(ParseModelId("openai/").ok());
}

TEST(CreateProvider, UnknownServiceListsKnownOnes) {
  ProviderOptions options;
  options.keys.env = FakeEnv({});
  auto provider = CreateProvider("acme/model-1", options);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), StatusCode::kNotFound);
  EXPECT_NE(provider.status().message().find("anthropic, openai"),
            std::string::npos);
}

TEST(CreateProvider, MissingKeyIsReported) {
  ProviderOptions options;
  options.keys.env = FakeEnv({});
  auto provider = CreateProvider("xai/grok-4", options);
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.status().message().find("XAI_API_KEY"),
            std::string::npos);
}

TEST(CreateProvider, CatalogRoutesModelToResponsesApi) {
  auto server = testing::StartServer(Json::array({{{"text", "from codex"}}}));
  Result<ModelCatalog> catalog = ModelCatalog::LoadFile(
      std::string(BOXAGNTS_SOURCE_DIR) + "/data/models.json");
  ASSERT_TRUE(catalog.ok());
  ProviderOptions options;
  options.catalog = &*catalog;
  options.keys.env = FakeEnv({{"OPENAI_API_KEY", "sk-env"},
                              {"OPENAI_BASE_URL", server->base_url() + "/v1"}});
  auto provider = CreateProvider("openai/gpt-5-codex", options);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->id(), "openai/gpt-5-codex");
  testing::CollectingCallbacks callbacks;
  CompletionResult result = (*provider)->Complete(
      testing::UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->message.Text(), "from codex");
  ASSERT_EQ(server->requests().size(), 1u);
  EXPECT_EQ(server->requests()[0].path, "/v1/responses");
  EXPECT_EQ(server->requests()[0].headers.at("authorization"), "Bearer sk-env");
}

TEST(CreateProvider, LocalServerWithoutKey) {
  auto server = testing::StartServer(Json::array({{{"text", "local"}}}));
  ProviderOptions options;
  options.keys.env = FakeEnv({{"OLLAMA_BASE_URL", server->base_url() + "/v1"}});
  auto provider = CreateProvider("ollama/qwen3:8b", options);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  testing::CollectingCallbacks callbacks;
  CompletionResult result = (*provider)->Complete(
      testing::UserRequest("hi"), callbacks, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(server->requests()[0].headers.count("authorization"), 0u);
  EXPECT_EQ(testing::BodyOf(server->requests()[0])["model"], "qwen3:8b");
}

TEST(CreateProvider, ReplayNeedsExistingFile) {
  ProviderOptions options;
  auto provider = CreateProvider("replay//no/such/file.jsonl", options);
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.status().message().find("/no/such/file.jsonl"),
            std::string::npos);
}

TEST(Services, EveryServiceHasBaseUrlVariable) {
  for (const ServiceInfo& service : AllServices()) {
    EXPECT_FALSE(service.base_url_env_var.empty()) << service.id;
    EXPECT_FALSE(service.default_base_url.empty()) << service.id;
  }
  EXPECT_EQ(FindService("gemini"), FindService("google"));
  EXPECT_EQ(FindService("nope"), nullptr);
}

}  // namespace
}  // namespace boxagnts::providers
