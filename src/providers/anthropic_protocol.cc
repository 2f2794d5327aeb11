// The Anthropic Messages API with streaming (POST /v1/messages).

#include <map>
#include <set>
#include <utility>

#include "providers/protocol_factories.h"
#include "providers/protocol_util.h"
#include "providers/stream_assembler.h"

namespace boxagnts::providers {
namespace {

constexpr std::string_view kName = "anthropic";
constexpr char kApiVersion[] = "2023-06-01";

Json ImageJson(const ImageBlock& image) {
  if (!image.url.empty()) {
    return {{"type", "image"},
            {"source", {{"type", "url"}, {"url", image.url}}}};
  }
  return {{"type", "image"},
          {"source",
           {{"type", "base64"},
            {"media_type", image.media_type},
            {"data", image.data}}}};
}

// Returns the wire form of `block`, or null for a block to leave out.
Json BlockJson(const ContentBlock& block) {
  if (const auto* text = std::get_if<TextBlock>(&block)) {
    // The API rejects empty text blocks.
    if (text->text.empty()) return nullptr;
    return {{"type", "text"}, {"text", text->text}};
  }
  if (const auto* image = std::get_if<ImageBlock>(&block)) {
    return ImageJson(*image);
  }
  if (const auto* use = std::get_if<ToolUseBlock>(&block)) {
    // NOTE: a malformed call goes back with empty input, since the API
    // requires an object; the paired tool_result carries the error.
    return {{"type", "tool_use"},
            {"id", use->id},
            {"name", use->name},
            {"input", use->input.is_object() ? use->input : Json::object()}};
  }
  if (const auto* result = std::get_if<ToolResultBlock>(&block)) {
    Json content = Json::array();
    for (const ToolResultContent& part : result->content) {
      if (const auto* text = std::get_if<TextBlock>(&part)) {
        if (!text->text.empty()) {
          content.push_back({{"type", "text"}, {"text", text->text}});
        }
      } else {
        content.push_back(ImageJson(std::get<ImageBlock>(part)));
      }
    }
    Json out = {{"type", "tool_result"},
                {"tool_use_id", result->tool_use_id},
                {"content", content}};
    if (result->is_error) out["is_error"] = true;
    return out;
  }
  if (const auto* thinking = std::get_if<ThinkingBlock>(&block)) {
    return {{"type", "thinking"},
            {"thinking", thinking->text},
            {"signature", thinking->signature}};
  }
  const auto& redacted = std::get<RedactedThinkingBlock>(block);
  return {{"type", "redacted_thinking"}, {"data", redacted.data}};
}

// Marks the last cacheable block of the last message as a prompt-cache
// breakpoint, so the next call reads the conversation from the cache.
void MarkLastBlockCacheable(Json& messages) {
  if (messages.empty()) return;
  Json& content = messages.back()["content"];
  for (auto it = content.rbegin(); it != content.rend(); ++it) {
    std::string type = (*it)["type"];
    if (type == "thinking" || type == "redacted_thinking") continue;
    (*it)["cache_control"] = {{"type", "ephemeral"}};
    return;
  }
}

StopReason MapStopReason(std::string_view reason) {
  if (reason == "tool_use") return StopReason::kToolUse;
  if (reason == "max_tokens" || reason == "model_context_window_exceeded") {
    return StopReason::kMaxTokens;
  }
  if (reason == "stop_sequence") return StopReason::kStopSequence;
  if (reason == "refusal") return StopReason::kRefusal;
  return StopReason::kEndTurn;  // end_turn, pause_turn
}

class AnthropicDecoder : public StreamDecoder {
 public:
  explicit AnthropicDecoder(StreamCallbacks& callbacks)
      : assembler_(callbacks) {}

  std::optional<ProviderError> OnEvent(const SseEvent& event) override {
    Json json;
    if (auto error = ParseEventJson(event, kName, &json)) return error;
    std::string type = StringField(json, "type");
    if (type.empty()) type = event.event;

    if (type == "message_start") {
      const Json& message = json.value("message", Json::object());
      assembler_.set_model(StringField(message, "model"));
      ReadUsage(message.value("usage", Json::object()));
    } else if (type == "content_block_start") {
      StartBlock(static_cast<int>(IntField(json, "index")),
                 json.value("content_block", Json::object()));
    } else if (type == "content_block_delta") {
      ApplyDelta(static_cast<int>(IntField(json, "index")),
                 json.value("delta", Json::object()));
    } else if (type == "content_block_stop") {
      int index = static_cast<int>(IntField(json, "index"));
      auto start = start_inputs_.find(index);
      if (start != start_inputs_.end() && !saw_input_delta_.count(index)) {
        assembler_.SetToolInput(index, start->second);
      }
    } else if (type == "message_delta") {
      const Json& delta = json.value("delta", Json::object());
      std::string reason = StringField(delta, "stop_reason");
      if (!reason.empty()) assembler_.set_stop_reason(MapStopReason(reason));
      assembler_.set_stop_sequence(StringField(delta, "stop_sequence"));
      ReadUsage(json.value("usage", Json::object()));
    } else if (type == "message_stop") {
      stopped_ = true;
    } else if (type == "error") {
      const Json& error = json.value("error", Json::object());
      std::string error_type = StringField(error, "type");
      return ProviderError::Make(
          KindForStreamErrorType(error_type),
          "anthropic: stream error " + error_type + ": " +
              StringField(error, "message"));
    }
    // "ping" and event types added later need no action.
    return std::nullopt;
  }

  CompletionResult Finish() override {
    if (!stopped_) {
      return ProviderError::Make(
          ProviderErrorKind::kNetwork,
          "anthropic: stream ended before message_stop");
    }
    return assembler_.Finish(kName);
  }

 private:
  void ReadUsage(const Json& usage) {
    Usage& out = assembler_.usage();
    if (usage.contains("input_tokens")) {
      out.input_tokens = IntField(usage, "input_tokens");
    }
    if (usage.contains("output_tokens")) {
      out.output_tokens = IntField(usage, "output_tokens");
    }
    if (usage.contains("cache_read_input_tokens")) {
      out.cache_read_tokens = IntField(usage, "cache_read_input_tokens");
    }
    if (usage.contains("cache_creation_input_tokens")) {
      out.cache_write_tokens = IntField(usage, "cache_creation_input_tokens");
    }
  }

  void StartBlock(int index, const Json& block) {
    std::string type = StringField(block, "type");
    if (type == "text") {
      assembler_.AppendText(index, StringField(block, "text"));
    } else if (type == "thinking") {
      assembler_.AppendThinking(index, StringField(block, "thinking"));
      assembler_.AppendThinkingSignature(index,
                                         StringField(block, "signature"));
    } else if (type == "redacted_thinking") {
      assembler_.AddRedactedThinking(index, StringField(block, "data"));
    } else if (type == "tool_use") {
      assembler_.StartToolUse(index, StringField(block, "id"),
                              StringField(block, "name"));
      const Json& input = block.value("input", Json::object());
      if (!input.empty()) start_inputs_[index] = input.dump();
    }
  }

  void ApplyDelta(int index, const Json& delta) {
    std::string type = StringField(delta, "type");
    if (type == "text_delta") {
      assembler_.AppendText(index, StringField(delta, "text"));
    } else if (type == "thinking_delta") {
      assembler_.AppendThinking(index, StringField(delta, "thinking"));
    } else if (type == "signature_delta") {
      assembler_.AppendThinkingSignature(index,
                                         StringField(delta, "signature"));
    } else if (type == "input_json_delta") {
      saw_input_delta_.insert(index);
      assembler_.AppendToolInput(index, StringField(delta, "partial_json"));
    }
  }

  StreamAssembler assembler_;
  std::map<int, std::string> start_inputs_;
  std::set<int> saw_input_delta_;
  bool stopped_ = false;
};

class AnthropicProtocol : public WireProtocol {
 public:
  std::string_view name() const override { return kName; }

  Result<WireRequest> BuildRequest(const Request& request,
                                   const Endpoint& endpoint) const override {
    Json body = {{"model", request.model.empty() ? endpoint.model
                                                 : request.model},
                 {"max_tokens", request.max_tokens},
                 {"stream", true}};
    if (!request.system.empty()) {
      Json block = {{"type", "text"},
                    {"text", request.system},
                    {"cache_control", {{"type", "ephemeral"}}}};
      body["system"] = Json::array({block});
    }
    Json messages = Json::array();
    for (const Message& message : request.messages) {
      Json content = Json::array();
      for (const ContentBlock& block : message.content) {
        Json part = BlockJson(block);
        if (!part.is_null()) content.push_back(std::move(part));
      }
      if (content.empty()) continue;
      messages.push_back(
          {{"role", message.role == Role::kUser ? "user" : "assistant"},
           {"content", std::move(content)}});
    }
    MarkLastBlockCacheable(messages);
    body["messages"] = std::move(messages);
    if (!request.tools.empty()) {
      Json tools = Json::array();
      for (const ToolDefinition& tool : request.tools) {
        tools.push_back({{"name", tool.name},
                         {"description", tool.description},
                         {"input_schema", tool.input_schema}});
      }
      tools.back()["cache_control"] = {{"type", "ephemeral"}};
      body["tools"] = std::move(tools);
    }
    if (request.temperature) body["temperature"] = *request.temperature;
    if (!request.stop_sequences.empty()) {
      body["stop_sequences"] = request.stop_sequences;
    }
    if (request.thinking_budget_tokens) {
      body["thinking"] = {{"type", "enabled"},
                          {"budget_tokens", *request.thinking_budget_tokens}};
    }

    WireRequest wire;
    wire.url = JoinUrl(endpoint.base_url, "/v1/messages");
    wire.headers = {{"content-type", "application/json"},
                    {"accept", "text/event-stream"},
                    {"anthropic-version", kApiVersion}};
    if (!endpoint.api_key.empty()) {
      wire.headers.push_back({"x-api-key", endpoint.api_key});
    }
    wire.body = std::move(body);
    return wire;
  }

  std::unique_ptr<StreamDecoder> NewDecoder(
      StreamCallbacks& callbacks) const override {
    return std::make_unique<AnthropicDecoder>(callbacks);
  }
};

}  // namespace

std::unique_ptr<WireProtocol> MakeAnthropicProtocol() {
  return std::make_unique<AnthropicProtocol>();
}

}  // namespace boxagnts::providers
