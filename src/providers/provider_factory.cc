#include "providers/provider_factory.h"

#include "providers/http_provider.h"
#include "providers/services.h"
#include "providers/wire_protocol.h"

namespace boxagnts::providers {

Result<ModelRef> ParseModelId(std::string_view id) {
  size_t slash = id.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == id.size()) {
    return Status::InvalidArgument(
        "invalid model id \"" + std::string(id) +
        "\": use provider/model, such as anthropic/claude-sonnet-4-5");
  }
  return ModelRef{std::string(id.substr(0, slash)),
                  std::string(id.substr(slash + 1))};
}

Result<std::unique_ptr<Provider>> CreateProvider(
    std::string_view model_id, const ProviderOptions& options) {
  Result<ModelRef> ref = ParseModelId(model_id);
  if (!ref.ok()) return ref.status();
  if (ref->service == "replay") {
    Result<std::unique_ptr<ReplayProvider>> replay =
        ReplayProvider::Open(ref->model, options.replay_ignore_paths);
    if (!replay.ok()) return replay.status();
    return std::unique_ptr<Provider>(std::move(*replay));
  }

  const ServiceInfo* service = FindService(ref->service);
  if (service == nullptr) {
    std::string known;
    for (const ServiceInfo& s : AllServices()) {
      known += (known.empty() ? "" : ", ") + s.id;
    }
    return Status::NotFound("unknown provider \"" + ref->service +
                            "\" in model id \"" + std::string(model_id) +
                            "\"; known providers: " + known + ", replay");
  }

  Protocol protocol = service->protocol;
  if (options.catalog != nullptr) {
    const ModelInfo* info = options.catalog->Find(model_id);
    if (info != nullptr && info->protocol == "openai-responses") {
      protocol = Protocol::kOpenAiResponses;
    }
  }

  Endpoint endpoint;
  endpoint.service = service->id;
  endpoint.model = ref->model;
  endpoint.quirks = service->quirks;
  Result<std::string> key = ResolveApiKey(*service, options.keys);
  if (!key.ok()) return key.status();
  endpoint.api_key = std::move(*key);
  Result<std::string> base_url = ResolveBaseUrl(*service, options.keys);
  if (!base_url.ok()) return base_url.status();
  endpoint.base_url = std::move(*base_url);

  HttpProviderOptions http;
  http.retry = options.retry;
  http.connect_timeout_ms = options.connect_timeout_ms;
  http.stall_timeout_ms = options.stall_timeout_ms;
  http.max_response_bytes = options.max_response_bytes;
  http.recorder = options.recorder;
  return std::unique_ptr<Provider>(std::make_unique<HttpProvider>(
      service->id + "/" + ref->model, MakeWireProtocol(protocol),
      std::move(endpoint), std::move(http)));
}

}  // namespace boxagnts::providers
