// `boxagnts ask --model ID "prompt"`: one streamed completion, no tools.

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/signals.h"
#include "core/files.h"
#include "core/units.h"
#include "providers/model_catalog.h"
#include "providers/provider_factory.h"

namespace boxagnts::cli {
namespace {

struct AskFlags {
  std::string model;
  std::string prompt;
  std::string system;
  std::string record;
  std::string secrets;
  std::string models_file;
  std::string stall_timeout = "90s";
  int64_t max_tokens = 4096;
  int max_attempts = 4;
};

// Prints text deltas to stdout as they arrive.
class PrintingCallbacks : public providers::StreamCallbacks {
 public:
  void OnTextDelta(std::string_view text) override {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    ended_with_newline_ = !text.empty() && text.back() == '\n';
    printed_ = printed_ || !text.empty();
  }
  bool NeedsNewline() const { return printed_ && !ended_with_newline_; }

 private:
  bool printed_ = false;
  bool ended_with_newline_ = false;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "boxagnts ask: %s\n", message.c_str());
  return 1;
}

int RunAsk(const AskFlags& flags) {
  static CancellationSource cancel;
  CancelOnInterrupt(&cancel);

  providers::ProviderOptions options;
  Result<providers::ModelCatalog> catalog =
      flags.models_file.empty()
          ? providers::ModelCatalog::LoadDefault()
          : providers::ModelCatalog::LoadFile(flags.models_file);
  if (!catalog.ok()) return Fail(catalog.status().message());
  options.catalog = &*catalog;
  if (!flags.secrets.empty()) {
    auto secrets = providers::LoadSecretsFile(flags.secrets);
    if (!secrets.ok()) return Fail(secrets.status().message());
    options.keys.secrets = std::move(*secrets);
    options.keys.secrets_path = flags.secrets;
  }
  Result<uint64_t> stall_ms = ParseDurationMs(flags.stall_timeout);
  if (!stall_ms.ok()) {
    return Fail("--stall-timeout: " + stall_ms.status().message());
  }
  options.stall_timeout_ms = static_cast<int64_t>(*stall_ms);
  if (flags.max_attempts < 1) {
    return Fail("--max-attempts must be at least 1, got " +
                std::to_string(flags.max_attempts));
  }
  options.retry.max_attempts = flags.max_attempts;
  if (!flags.record.empty()) {
    auto recorder = providers::SessionRecorder::Open(flags.record);
    if (!recorder.ok()) return Fail(recorder.status().message());
    options.recorder = std::move(*recorder);
  }

  auto provider = providers::CreateProvider(flags.model, options);
  if (!provider.ok()) return Fail(provider.status().message());

  providers::Request request;
  request.system = flags.system;
  request.max_tokens = flags.max_tokens;
  request.messages.push_back(providers::Message::UserText(flags.prompt));
  PrintingCallbacks callbacks;
  providers::CompletionResult result =
      (*provider)->Complete(request, callbacks, cancel.token());
  if (callbacks.NeedsNewline()) std::printf("\n");
  if (!result.ok()) {
    return Fail(result.status().message() + " [" +
                std::string(providers::ProviderErrorKindName(
                    result.error().kind)) +
                "]");
  }

  // Usage and cost go to stderr so that stdout contains only the model's text.
  const providers::Usage& usage = result->usage;
  std::string cost = "unknown (model not in the catalogue)";
  if (const providers::ModelInfo* info = catalog->Find(flags.model)) {
    cost = providers::FormatUsd(
        providers::ComputeCost(info->prices, usage).total_pico_usd());
  }
  std::fprintf(stderr,
               "[%s] stop=%s input=%lld output=%lld cache_read=%lld "
               "cache_write=%lld cost=%s\n",
               flags.model.c_str(),
               std::string(providers::StopReasonName(result->stop_reason))
                   .c_str(),
               static_cast<long long>(usage.input_tokens),
               static_cast<long long>(usage.output_tokens),
               static_cast<long long>(usage.cache_read_tokens),
               static_cast<long long>(usage.cache_write_tokens),
               cost.c_str());
  return 0;
}

}  // namespace

void AddAskCommand(CLI::App& app, int* exit_code) {
  CLI::App* ask = app.add_subcommand(
      "ask", "Stream one completion of a prompt to stdout (no tools)");
  auto flags = std::make_shared<AskFlags>();
  ask->add_option("--model", flags->model,
                  "Model id provider/model, or replay/FILE to replay a "
                  "recording")
      ->required();
  ask->add_option("prompt", flags->prompt, "The prompt")->required();
  ask->add_option("--system", flags->system, "System prompt");
  ask->add_option("--max-tokens", flags->max_tokens,
                  "Maximum output tokens (default 4096)")
      ->check(CLI::PositiveNumber);
  ask->add_option("--record", flags->record,
                  "Record every request and response to this JSON Lines "
                  "file (keys redacted)");
  ask->add_option("--secrets", flags->secrets,
                  "KEY=VALUE file of API keys and base URLs (mode 0600)");
  ask->add_option("--models-file", flags->models_file,
                  "Model catalogue file to use instead of the shipped one");
  ask->add_option("--stall-timeout", flags->stall_timeout,
                  "Fail when the stream is silent this long (default 90s)");
  ask->add_option("--max-attempts", flags->max_attempts,
                  "HTTP attempts in all, retries included (default 4)");
  ask->callback([flags, exit_code] { *exit_code = RunAsk(*flags); });
}

}  // namespace boxagnts::cli
