// The OpenAI Chat Completions API with streaming (POST /chat/completions),
// which most other services and local servers also speak.

#include <utility>

#include "providers/protocol_factories.h"
#include "providers/protocol_util.h"
#include "providers/stream_assembler.h"

namespace boxagnts::providers {
namespace {

constexpr std::string_view kName = "openai-chat";
// Slots of the assembler; tool calls use their own index (0, 1, ...).
constexpr int kThinkingSlot = -2;
constexpr int kTextSlot = -1;

std::string ImageUrl(const ImageBlock& image) {
  if (!image.url.empty()) return image.url;
  return "data:" + image.media_type + ";base64," + image.data;
}

std::string EffortForBudget(int64_t budget_tokens) {
  if (budget_tokens <= 2048) return "low";
  if (budget_tokens <= 8192) return "medium";
  return "high";
}

// Appends the wire messages for one user message: a "tool" message per
// tool result, then the remaining content as one user message.
void AppendUserMessage(const Message& message, Json& out) {
  Json parts = Json::array();
  for (const ContentBlock& block : message.content) {
    if (const auto* result = std::get_if<ToolResultBlock>(&block)) {
      std::string text = result->Text();
      if (result->is_error) text = "Error: " + text;
      out.push_back({{"role", "tool"},
                     {"tool_call_id", result->tool_use_id},
                     {"content", text}});
    } else if (const auto* text = std::get_if<TextBlock>(&block)) {
      parts.push_back({{"type", "text"}, {"text", text->text}});
    } else if (const auto* image = std::get_if<ImageBlock>(&block)) {
      parts.push_back(
          {{"type", "image_url"}, {"image_url", {{"url", ImageUrl(*image)}}}});
    }
  }
  if (parts.empty()) return;
  if (parts.size() == 1 && parts[0]["type"] == "text") {
    out.push_back({{"role", "user"}, {"content", parts[0]["text"]}});
  } else {
    out.push_back({{"role", "user"}, {"content", std::move(parts)}});
  }
}

void AppendAssistantMessage(const Message& message, const ServiceQuirks& quirks,
                            Json& out) {
  std::string text;
  std::string reasoning;
  Json tool_calls = Json::array();
  for (const ContentBlock& block : message.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      text += t->text;
    } else if (const auto* thinking = std::get_if<ThinkingBlock>(&block)) {
      reasoning += thinking->text;
    } else if (const auto* use = std::get_if<ToolUseBlock>(&block)) {
      std::string arguments =
          use->malformed() ? use->raw_input : use->input.dump();
      tool_calls.push_back(
          {{"id", use->id},
           {"type", "function"},
           {"function", {{"name", use->name}, {"arguments", arguments}}}});
    }
  }
  Json wire = {{"role", "assistant"}};
  wire["content"] = text.empty() ? Json(nullptr) : Json(text);
  if (!tool_calls.empty()) wire["tool_calls"] = std::move(tool_calls);
  if (quirks.send_reasoning_content && !reasoning.empty()) {
    wire["reasoning_content"] = reasoning;
  }
  out.push_back(std::move(wire));
}

StopReason MapFinishReason(std::string_view reason) {
  if (reason == "length") return StopReason::kMaxTokens;
  if (reason == "tool_calls" || reason == "function_call") {
    return StopReason::kToolUse;
  }
  if (reason == "content_filter") return StopReason::kRefusal;
  return StopReason::kEndTurn;
}

class OpenAiChatDecoder : public StreamDecoder {
 public:
  explicit OpenAiChatDecoder(StreamCallbacks& callbacks)
      : assembler_(callbacks) {}

  std::optional<ProviderError> OnEvent(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      done_ = true;
      return std::nullopt;
    }
    Json json;
    if (auto error = ParseEventJson(event, kName, &json)) return error;
    if (json.contains("error") && json["error"].is_object()) {
      const Json& error = json["error"];
      std::string type = StringField(error, "type");
      if (type.empty()) type = StringField(error, "code");
      return ProviderError::Make(KindForStreamErrorType(type),
                                 "openai-chat: stream error " + type + ": " +
                                     StringField(error, "message"));
    }
    std::string model = StringField(json, "model");
    if (!model.empty()) assembler_.set_model(model);
    if (json.contains("usage") && json["usage"].is_object()) {
      ReadUsage(json["usage"]);
    } else if (json.contains("x_groq") && json["x_groq"].contains("usage")) {
      ReadUsage(json["x_groq"]["usage"]);
    }
    const Json& choices = json.value("choices", Json::array());
    if (choices.is_array() && !choices.empty()) ReadChoice(choices[0]);
    return std::nullopt;
  }

  CompletionResult Finish() override {
    if (!done_ && finish_reason_.empty()) {
      return ProviderError::Make(
          ProviderErrorKind::kNetwork,
          "openai-chat: stream ended before finish_reason and [DONE]");
    }
    StopReason reason = MapFinishReason(finish_reason_);
    // Some servers report "stop" even when the turn ends in tool calls.
    if (reason == StopReason::kEndTurn && assembler_.HasToolUse()) {
      reason = StopReason::kToolUse;
    }
    if (refused_) reason = StopReason::kRefusal;
    assembler_.set_stop_reason(reason);
    return assembler_.Finish(kName);
  }

 private:
  void ReadUsage(const Json& usage) {
    Usage& out = assembler_.usage();
    int64_t prompt = IntField(usage, "prompt_tokens");
    int64_t cached =
        IntField(usage.value("prompt_tokens_details", Json::object()),
                 "cached_tokens");
    // DeepSeek reports cache hits in its own field.
    if (usage.contains("prompt_cache_hit_tokens")) {
      cached = IntField(usage, "prompt_cache_hit_tokens");
    }
    out.input_tokens = prompt - cached;
    out.cache_read_tokens = cached;
    out.output_tokens = IntField(usage, "completion_tokens");
  }

  void ReadChoice(const Json& choice) {
    const Json& delta = choice.value("delta", Json::object());
    // DeepSeek and xAI send reasoning_content, OpenRouter sends reasoning.
    for (const char* field : {"reasoning_content", "reasoning"}) {
      std::string reasoning = StringField(delta, field);
      if (!reasoning.empty()) {
        assembler_.AppendThinking(kThinkingSlot, reasoning);
      }
    }
    std::string content = StringField(delta, "content");
    if (!content.empty()) assembler_.AppendText(kTextSlot, content);
    std::string refusal = StringField(delta, "refusal");
    if (!refusal.empty()) {
      refused_ = true;
      assembler_.AppendText(kTextSlot, refusal);
    }
    const Json& calls = delta.value("tool_calls", Json::array());
    if (calls.is_array()) {
      for (const Json& call : calls) ReadToolCall(call);
    }
    std::string finish = StringField(choice, "finish_reason");
    if (!finish.empty()) finish_reason_ = finish;
  }

  // Tool calls arrive by index: the first chunk of a call carries its id
  // and name, later chunks carry pieces of the arguments, and the chunks
  // of parallel calls may interleave.
  void ReadToolCall(const Json& call) {
    int slot = static_cast<int>(IntField(call, "index"));
    const Json& function = call.value("function", Json::object());
    if (!assembler_.HasSlot(slot)) {
      std::string id = StringField(call, "id");
      if (id.empty()) id = "call_" + std::to_string(slot);
      assembler_.StartToolUse(slot, id, StringField(function, "name"));
    }
    if (function.contains("arguments")) {
      const Json& arguments = function["arguments"];
      // Some local servers send the arguments as an object.
      assembler_.AppendToolInput(slot, arguments.is_string()
                                           ? arguments.get<std::string>()
                                           : arguments.dump());
    }
  }

  StreamAssembler assembler_;
  std::string finish_reason_;
  bool done_ = false;
  bool refused_ = false;
};

class OpenAiChatProtocol : public WireProtocol {
 public:
  std::string_view name() const override { return kName; }

  Result<WireRequest> BuildRequest(const Request& request,
                                   const Endpoint& endpoint) const override {
    Json messages = Json::array();
    if (!request.system.empty()) {
      messages.push_back({{"role", "system"}, {"content", request.system}});
    }
    for (const Message& message : request.messages) {
      if (message.role == Role::kUser) {
        AppendUserMessage(message, messages);
      } else {
        AppendAssistantMessage(message, endpoint.quirks, messages);
      }
    }
    Json body = {
        {"model", request.model.empty() ? endpoint.model : request.model},
        {"messages", std::move(messages)},
        {"stream", true}};
    if (endpoint.quirks.stream_options) {
      body["stream_options"] = {{"include_usage", true}};
    }
    body[endpoint.quirks.max_completion_tokens ? "max_completion_tokens"
                                               : "max_tokens"] =
        request.max_tokens;
    if (!request.tools.empty()) {
      Json tools = Json::array();
      for (const ToolDefinition& tool : request.tools) {
        tools.push_back({{"type", "function"},
                         {"function",
                          {{"name", tool.name},
                           {"description", tool.description},
                           {"parameters", tool.input_schema}}}});
      }
      body["tools"] = std::move(tools);
    }
    if (request.temperature) body["temperature"] = *request.temperature;
    if (!request.stop_sequences.empty()) body["stop"] = request.stop_sequences;
    if (request.thinking_budget_tokens && endpoint.service == "openai") {
      body["reasoning_effort"] =
          EffortForBudget(*request.thinking_budget_tokens);
    }

    WireRequest wire;
    wire.url = JoinUrl(endpoint.base_url, "/chat/completions");
    wire.headers = {{"content-type", "application/json"},
                    {"accept", "text/event-stream"}};
    if (!endpoint.api_key.empty()) {
      wire.headers.push_back({"authorization", "Bearer " + endpoint.api_key});
    }
    if (endpoint.service == "openrouter") {
      wire.headers.push_back({"x-title", "boxagnts"});
    }
    wire.body = std::move(body);
    return wire;
  }

  std::unique_ptr<StreamDecoder> NewDecoder(
      StreamCallbacks& callbacks) const override {
    return std::make_unique<OpenAiChatDecoder>(callbacks);
  }
};

}  // namespace

std::unique_ptr<WireProtocol> MakeOpenAiChatProtocol() {
  return std::make_unique<OpenAiChatProtocol>();
}

}  // namespace boxagnts::providers
