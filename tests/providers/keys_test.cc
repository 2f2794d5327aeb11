#include "providers/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"

namespace boxagnts::providers {
namespace {

std::string WriteSecrets(const std::string& name, const std::string& text,
                         int mode) {
  std::string path = ::testing::TempDir() + "/" + name + "-" +
                     std::to_string(::getpid());
  EXPECT_TRUE(WriteFileAtomic(path, text, mode).ok());
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Secrets, ParsesNameValueLines) {
  std::string path = WriteSecrets(
      "secrets-ok",
      "# keys\n\nANTHROPIC_API_KEY=sk-ant-1\nexport OPENAI_API_KEY = "
      "\"sk-oa 2\"\nGROQ_API_KEY='gsk'\n",
      0600);
  auto secrets = LoadSecretsFile(path);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(*secrets, (std::map<std::string, std::string>{
                          {"ANTHROPIC_API_KEY", "sk-ant-1"},
                          {"OPENAI_API_KEY", "sk-oa 2"},
                          {"GROQ_API_KEY", "gsk"}}));
  std::remove(path.c_str());
}

TEST(Secrets, RejectsGroupReadableFile) {
  std::string path = WriteSecrets("secrets-open", "A=1\n", 0644);
  auto secrets = LoadSecretsFile(path);
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(secrets.status().message().find("mode 0644"), std::string::npos);
  EXPECT_NE(secrets.status().message().find("chmod 600 " + path),
            std::string::npos);
  std::remove(path.c_str());
}

TEST(Secrets, BadLineNamesNumberNotValue) {
  std::string path =
      WriteSecrets("secrets-bad", "A=1\nsk-leaked-value-without-name\n", 0600);
  auto secrets = LoadSecretsFile(path);
  ASSERT_FALSE(secrets.ok());
  EXPECT_NE(secrets.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(secrets.status().message().find("sk-leaked"), std::string::npos);
  std::remove(path.c_str());
}

TEST(Keys, EnvironmentWinsOverSecrets) {
  KeySources sources;
  sources.env = FakeEnv({{"ANTHROPIC_API_KEY", "from-env"}});
  sources.secrets = {{"ANTHROPIC_API_KEY", "from-file"},
                     {"OPENAI_API_KEY", "oa-file"}};
  EXPECT_EQ(*ResolveApiKey(*FindService("anthropic"), sources), "from-env");
  EXPECT_EQ(*ResolveApiKey(*FindService("openai"), sources), "oa-file");
}

TEST(Keys, GeminiAcceptsGoogleApiKey) {
  KeySources sources;
  sources.env = FakeEnv({{"GOOGLE_API_KEY", "g-key"}});
  EXPECT_EQ(*ResolveApiKey(*FindService("gemini"), sources), "g-key");
}

TEST(Keys, MissingKeyNamesVariables) {
  KeySources sources;
  sources.env = FakeEnv({});
  sources.secrets_path = "/ws/.boxagnts/secrets";
  auto key = ResolveApiKey(*FindService("google"), sources);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(key.status().message(),
            "no API key for google: set GEMINI_API_KEY or GOOGLE_API_KEY in "
            "the environment or \"/ws/.boxagnts/secrets\"");
}

TEST(Keys, LocalServersNeedNoKey) {
  KeySources sources;
  sources.env = FakeEnv({});
  auto key = ResolveApiKey(*FindService("ollama"), sources);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "");
}

TEST(Keys, BaseUrlOverrideAndValidation) {
  KeySources sources;
  sources.env = FakeEnv({{"OPENAI_BASE_URL", "http://127.0.0.1:9999/v1/"}});
  EXPECT_EQ(*ResolveBaseUrl(*FindService("openai"), sources),
            "http://127.0.0.1:9999/v1");
  EXPECT_EQ(*ResolveBaseUrl(*FindService("anthropic"), sources),
            "https://api.anthropic.com");
  sources.env = FakeEnv({{"GROQ_BASE_URL", "ftp://example.invalid"}});
  auto url = ResolveBaseUrl(*FindService("groq"), sources);
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("GROQ_BASE_URL"), std::string::npos);
}

}  // namespace
}  // namespace boxagnts::providers
