// The OpenAI Responses API with streaming (POST /responses), which some
// OpenAI models (the -pro and -codex families) require.

#include <utility>

#include "providers/protocol_factories.h"
#include "providers/protocol_util.h"
#include "providers/stream_assembler.h"

namespace boxagnts::providers {
namespace {

constexpr std::string_view kName = "openai-responses";

std::string ImageUrl(const ImageBlock& image) {
  if (!image.url.empty()) return image.url;
  return "data:" + image.media_type + ";base64," + image.data;
}

void AppendUserItems(const Message& message, Json& input) {
  Json parts = Json::array();
  for (const ContentBlock& block : message.content) {
    if (const auto* result = std::get_if<ToolResultBlock>(&block)) {
      std::string text = result->Text();
      if (result->is_error) text = "Error: " + text;
      input.push_back({{"type", "function_call_output"},
                       {"call_id", result->tool_use_id},
                       {"output", text}});
    } else if (const auto* text = std::get_if<TextBlock>(&block)) {
      parts.push_back({{"type", "input_text"}, {"text", text->text}});
    } else if (const auto* image = std::get_if<ImageBlock>(&block)) {
      parts.push_back(
          {{"type", "input_image"}, {"image_url", ImageUrl(*image)}});
    }
  }
  if (!parts.empty()) {
    input.push_back({{"role", "user"}, {"content", std::move(parts)}});
  }
}

void AppendAssistantItems(const Message& message, Json& input) {
  for (const ContentBlock& block : message.content) {
    if (const auto* text = std::get_if<TextBlock>(&block)) {
      if (text->text.empty()) continue;
      input.push_back(
          {{"type", "message"},
           {"role", "assistant"},
           {"content", {{{"type", "output_text"}, {"text", text->text}}}}});
    } else if (const auto* use = std::get_if<ToolUseBlock>(&block)) {
      std::string arguments =
          use->malformed() ? use->raw_input : use->input.dump();
      input.push_back({{"type", "function_call"},
                       {"call_id", use->id},
                       {"name", use->name},
                       {"arguments", arguments}});
    } else if (const auto* thinking = std::get_if<ThinkingBlock>(&block)) {
      // Reasoning can only be resent with its encrypted content.
      // NOTE: this item form follows the API reference and was tested only
      // against the loopback test server.
      if (thinking->signature.empty()) continue;
      Json item = {{"type", "reasoning"},
                   {"summary", Json::array()},
                   {"encrypted_content", thinking->signature}};
      if (!thinking->id.empty()) item["id"] = thinking->id;
      if (!thinking->text.empty()) {
        item["summary"].push_back(
            {{"type", "summary_text"}, {"text", thinking->text}});
      }
      input.push_back(std::move(item));
    }
  }
}

class OpenAiResponsesDecoder : public StreamDecoder {
 public:
  explicit OpenAiResponsesDecoder(StreamCallbacks& callbacks)
      : assembler_(callbacks) {}

  std::optional<ProviderError> OnEvent(const SseEvent& event) override {
    Json json;
    if (auto error = ParseEventJson(event, kName, &json)) return error;
    std::string type = StringField(json, "type");
    if (type.empty()) type = event.event;
    int slot = static_cast<int>(IntField(json, "output_index"));

    if (type == "response.created" || type == "response.in_progress") {
      const Json& response = json.value("response", Json::object());
      assembler_.set_model(StringField(response, "model"));
    } else if (type == "response.output_item.added") {
      StartItem(slot, json.value("item", Json::object()));
    } else if (type == "response.output_text.delta") {
      assembler_.AppendText(slot, StringField(json, "delta"));
    } else if (type == "response.refusal.delta") {
      refused_ = true;
      assembler_.AppendText(slot, StringField(json, "delta"));
    } else if (type == "response.reasoning_summary_text.delta" ||
               type == "response.reasoning_text.delta") {
      assembler_.AppendThinking(slot, StringField(json, "delta"));
    } else if (type == "response.function_call_arguments.delta") {
      assembler_.AppendToolInput(slot, StringField(json, "delta"));
    } else if (type == "response.function_call_arguments.done") {
      if (json.contains("arguments")) {
        assembler_.SetToolInput(slot, StringField(json, "arguments"));
      }
    } else if (type == "response.output_item.done") {
      FinishItem(slot, json.value("item", Json::object()));
    } else if (type == "response.completed" ||
               type == "response.incomplete") {
      Complete(json.value("response", Json::object()));
    } else if (type == "response.failed") {
      const Json& response = json.value("response", Json::object());
      return StreamError(response.value("error", Json::object()));
    } else if (type == "error") {
      return StreamError(json.contains("error") ? json["error"] : json);
    }
    return std::nullopt;
  }

  CompletionResult Finish() override {
    if (!completed_) {
      return ProviderError::Make(
          ProviderErrorKind::kNetwork,
          "openai-responses: stream ended before response.completed");
    }
    return assembler_.Finish(kName);
  }

 private:
  static ProviderError StreamError(const Json& error) {
    std::string code = StringField(error, "code");
    if (code.empty()) code = StringField(error, "type");
    return ProviderError::Make(KindForStreamErrorType(code),
                               "openai-responses: stream error " + code +
                                   ": " + StringField(error, "message"));
  }

  void StartItem(int slot, const Json& item) {
    std::string type = StringField(item, "type");
    if (type == "function_call") {
      assembler_.StartToolUse(slot, StringField(item, "call_id"),
                              StringField(item, "name"));
      assembler_.AppendToolInput(slot, StringField(item, "arguments"));
    } else if (type == "reasoning") {
      assembler_.SetThinkingId(slot, StringField(item, "id"));
    }
  }

  void FinishItem(int slot, const Json& item) {
    std::string type = StringField(item, "type");
    if (type == "reasoning") {
      std::string encrypted = StringField(item, "encrypted_content");
      if (!encrypted.empty()) {
        assembler_.AppendThinkingSignature(slot, encrypted);
      }
    } else if (type == "function_call" && !assembler_.HasSlot(slot)) {
      assembler_.StartToolUse(slot, StringField(item, "call_id"),
                              StringField(item, "name"));
      assembler_.SetToolInput(slot, StringField(item, "arguments"));
    }
  }

  void Complete(const Json& response) {
    completed_ = true;
    const Json& usage = response.value("usage", Json::object());
    int64_t cached = IntField(
        usage.value("input_tokens_details", Json::object()), "cached_tokens");
    Usage& out = assembler_.usage();
    out.input_tokens = IntField(usage, "input_tokens") - cached;
    out.cache_read_tokens = cached;
    out.output_tokens = IntField(usage, "output_tokens");
    std::string model = StringField(response, "model");
    if (!model.empty()) assembler_.set_model(model);

    StopReason reason = assembler_.HasToolUse() ? StopReason::kToolUse
                                                : StopReason::kEndTurn;
    if (StringField(response, "status") == "incomplete") {
      std::string incomplete_reason = StringField(
          response.value("incomplete_details", Json::object()), "reason");
      reason = incomplete_reason == "content_filter" ? StopReason::kRefusal
                                                     : StopReason::kMaxTokens;
    }
    if (refused_) reason = StopReason::kRefusal;
    assembler_.set_stop_reason(reason);
  }

  StreamAssembler assembler_;
  bool completed_ = false;
  bool refused_ = false;
};

std::string EffortForBudget(int64_t budget_tokens) {
  if (budget_tokens <= 2048) return "low";
  if (budget_tokens <= 8192) return "medium";
  return "high";
}

class OpenAiResponsesProtocol : public WireProtocol {
 public:
  std::string_view name() const override { return kName; }

  Result<WireRequest> BuildRequest(const Request& request,
                                   const Endpoint& endpoint) const override {
    if (!request.stop_sequences.empty()) {
      return Status::InvalidArgument(
          "openai-responses: the Responses API has no stop sequences; remove "
          "them or use a Chat Completions model");
    }
    Json input = Json::array();
    for (const Message& message : request.messages) {
      if (message.role == Role::kUser) {
        AppendUserItems(message, input);
      } else {
        AppendAssistantItems(message, input);
      }
    }
    Json body = {
        {"model", request.model.empty() ? endpoint.model : request.model},
        {"input", std::move(input)},
        {"stream", true},
        {"store", false},
        {"max_output_tokens", request.max_tokens}};
    if (!request.system.empty()) body["instructions"] = request.system;
    if (!request.tools.empty()) {
      Json tools = Json::array();
      for (const ToolDefinition& tool : request.tools) {
        tools.push_back({{"type", "function"},
                         {"name", tool.name},
                         {"description", tool.description},
                         {"parameters", tool.input_schema}});
      }
      body["tools"] = std::move(tools);
    }
    if (request.temperature) body["temperature"] = *request.temperature;
    if (request.thinking_budget_tokens) {
      body["reasoning"] = {
          {"effort", EffortForBudget(*request.thinking_budget_tokens)},
          {"summary", "auto"}};
      body["include"] = Json::array({"reasoning.encrypted_content"});
    }

    WireRequest wire;
    wire.url = JoinUrl(endpoint.base_url, "/responses");
    wire.headers = {{"content-type", "application/json"},
                    {"accept", "text/event-stream"}};
    if (!endpoint.api_key.empty()) {
      wire.headers.push_back({"authorization", "Bearer " + endpoint.api_key});
    }
    wire.body = std::move(body);
    return wire;
  }

  std::unique_ptr<StreamDecoder> NewDecoder(
      StreamCallbacks& callbacks) const override {
    return std::make_unique<OpenAiResponsesDecoder>(callbacks);
  }
};

}  // namespace

std::unique_ptr<WireProtocol> MakeOpenAiResponsesProtocol() {
  return std::make_unique<OpenAiResponsesProtocol>();
}

}  // namespace boxagnts::providers
