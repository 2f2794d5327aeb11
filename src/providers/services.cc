#include "providers/services.h"

namespace boxagnts::providers {

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kAnthropic:
      return "anthropic";
    case Protocol::kOpenAiChat:
      return "openai-chat";
    case Protocol::kOpenAiResponses:
      return "openai-responses";
    case Protocol::kGemini:
      return "gemini";
  }
  return "openai-chat";
}

namespace {

ServiceInfo Hosted(std::string id, Protocol protocol, std::string base_url,
                   std::vector<std::string> key_env_vars,
                   std::string base_url_env_var, ServiceQuirks quirks = {}) {
  return ServiceInfo{std::move(id), protocol,
                     std::move(base_url), std::move(key_env_vars),
                     true, std::move(base_url_env_var),
                     quirks};
}

// Local servers: no key needed, though one is sent when configured.
ServiceInfo Local(std::string id, std::string base_url, std::string key_env,
                  std::string base_url_env_var) {
  return ServiceInfo{std::move(id), Protocol::kOpenAiChat,
                     std::move(base_url), {std::move(key_env)},
                     false, std::move(base_url_env_var),
                     ServiceQuirks{}};
}

std::vector<ServiceInfo> BuildServices() {
  ServiceQuirks openai;
  openai.max_completion_tokens = true;
  ServiceQuirks no_stream_options;
  no_stream_options.stream_options = false;
  return {
      Hosted("anthropic", Protocol::kAnthropic, "https://api.anthropic.com",
             {"ANTHROPIC_API_KEY"}, "ANTHROPIC_BASE_URL"),
      Hosted("openai", Protocol::kOpenAiChat, "https://api.openai.com/v1",
             {"OPENAI_API_KEY"}, "OPENAI_BASE_URL", openai),
      Hosted("openai-responses", Protocol::kOpenAiResponses,
             "https://api.openai.com/v1", {"OPENAI_API_KEY"},
             "OPENAI_BASE_URL"),
      Hosted("google", Protocol::kGemini,
             "https://generativelanguage.googleapis.com",
             {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, "GEMINI_BASE_URL"),
      Hosted("deepseek", Protocol::kOpenAiChat, "https://api.deepseek.com",
             {"DEEPSEEK_API_KEY"}, "DEEPSEEK_BASE_URL"),
      Hosted("openrouter", Protocol::kOpenAiChat,
             "https://openrouter.ai/api/v1", {"OPENROUTER_API_KEY"},
             "OPENROUTER_BASE_URL"),
      Hosted("groq", Protocol::kOpenAiChat, "https://api.groq.com/openai/v1",
             {"GROQ_API_KEY"}, "GROQ_BASE_URL"),
      Hosted("mistral", Protocol::kOpenAiChat, "https://api.mistral.ai/v1",
             {"MISTRAL_API_KEY"}, "MISTRAL_BASE_URL", no_stream_options),
      Hosted("xai", Protocol::kOpenAiChat, "https://api.x.ai/v1",
             {"XAI_API_KEY"}, "XAI_BASE_URL"),
      Hosted("together", Protocol::kOpenAiChat, "https://api.together.xyz/v1",
             {"TOGETHER_API_KEY"}, "TOGETHER_BASE_URL"),
      Hosted("fireworks", Protocol::kOpenAiChat,
             "https://api.fireworks.ai/inference/v1", {"FIREWORKS_API_KEY"},
             "FIREWORKS_BASE_URL"),
      Local("ollama", "http://127.0.0.1:11434/v1", "OLLAMA_API_KEY",
            "OLLAMA_BASE_URL"),
      Local("lmstudio", "http://127.0.0.1:1234/v1", "LMSTUDIO_API_KEY",
            "LMSTUDIO_BASE_URL"),
      Local("vllm", "http://127.0.0.1:8000/v1", "VLLM_API_KEY",
            "VLLM_BASE_URL"),
      Local("llamacpp", "http://127.0.0.1:8080/v1", "LLAMACPP_API_KEY",
            "LLAMACPP_BASE_URL"),
  };
}

}  // namespace

const std::vector<ServiceInfo>& AllServices() {
  static const std::vector<ServiceInfo> services = BuildServices();
  return services;
}

const ServiceInfo* FindService(std::string_view id) {
  if (id == "gemini") id = "google";
  if (id == "llama.cpp") id = "llamacpp";
  for (const ServiceInfo& service : AllServices()) {
    if (service.id == id) return &service;
  }
  return nullptr;
}

}  // namespace boxagnts::providers
