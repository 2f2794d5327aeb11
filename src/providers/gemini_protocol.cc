// The Google Gemini API with streaming (POST
// /v1beta/models/MODEL:streamGenerateContent?alt=sse). The key travels in
// the x-goog-api-key header, never in the URL.

#include <map>
#include <utility>

#include "core/files.h"
#include "providers/protocol_factories.h"
#include "providers/protocol_util.h"
#include "providers/stream_assembler.h"

namespace boxagnts::providers {
namespace {

constexpr std::string_view kName = "gemini";
constexpr int kThinkingSlot = -2;
constexpr int kTextSlot = -1;

// Removes the JSON Schema keywords that Gemini's schema subset rejects.
// Keys directly under "properties" are property names and stay.
Json SanitizeSchema(const Json& schema, bool is_properties_map = false) {
  if (schema.is_array()) {
    Json out = Json::array();
    for (const Json& item : schema) out.push_back(SanitizeSchema(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  Json out = Json::object();
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    if (!is_properties_map &&
        (key == "$schema" || key == "$id" || key == "additionalProperties" ||
         key == "examples" || key == "default")) {
      continue;
    }
    out[key] = SanitizeSchema(it.value(),
                              !is_properties_map && key == "properties");
  }
  return out;
}

Json ImagePart(const ImageBlock& image) {
  if (!image.url.empty()) return {{"fileData", {{"fileUri", image.url}}}};
  return {{"inlineData",
           {{"mimeType", image.media_type}, {"data", image.data}}}};
}

// Builds the parts of a model turn. A thought signature goes on the first
// part after its thinking block, as Gemini returns it.
// NOTE: only the order of parts is kept, not which part carried the
// signature, so a turn where Gemini signed a later part may not match.
Json ModelParts(const Message& message) {
  Json parts = Json::array();
  std::string signature;
  auto take_signature = [&](Json part) {
    if (!signature.empty()) {
      part["thoughtSignature"] = signature;
      signature.clear();
    }
    return part;
  };
  for (const ContentBlock& block : message.content) {
    if (const auto* thinking = std::get_if<ThinkingBlock>(&block)) {
      if (!thinking->text.empty()) {
        parts.push_back({{"text", thinking->text}, {"thought", true}});
      }
      signature = thinking->signature;
    } else if (const auto* text = std::get_if<TextBlock>(&block)) {
      if (!text->text.empty()) {
        parts.push_back(take_signature({{"text", text->text}}));
      }
    } else if (const auto* use = std::get_if<ToolUseBlock>(&block)) {
      Json args = use->input.is_object() ? use->input : Json::object();
      parts.push_back(take_signature(
          {{"functionCall", {{"name", use->name}, {"args", args}}}}));
    }
  }
  if (!signature.empty()) {
    parts.push_back({{"text", ""}, {"thought", true},
                     {"thoughtSignature", signature}});
  }
  return parts;
}

Json UserParts(const Message& message,
               const std::map<std::string, std::string>& tool_names) {
  Json parts = Json::array();
  for (const ContentBlock& block : message.content) {
    if (const auto* text = std::get_if<TextBlock>(&block)) {
      parts.push_back({{"text", text->text}});
    } else if (const auto* image = std::get_if<ImageBlock>(&block)) {
      parts.push_back(ImagePart(*image));
    } else if (const auto* result = std::get_if<ToolResultBlock>(&block)) {
      auto name = tool_names.find(result->tool_use_id);
      const char* field = result->is_error ? "error" : "content";
      Json response = {{field, result->Text()}};
      parts.push_back(
          {{"functionResponse",
            {{"name", name == tool_names.end() ? "" : name->second},
             {"response", response}}}});
    }
  }
  return parts;
}

StopReason MapFinishReason(std::string_view reason) {
  if (reason == "MAX_TOKENS") return StopReason::kMaxTokens;
  if (reason == "STOP" || reason == "FINISH_REASON_UNSPECIFIED" ||
      reason == "OTHER") {
    return StopReason::kEndTurn;
  }
  return StopReason::kRefusal;  // SAFETY, RECITATION, BLOCKLIST, ...
}

class GeminiDecoder : public StreamDecoder {
 public:
  explicit GeminiDecoder(StreamCallbacks& callbacks) : assembler_(callbacks) {}

  std::optional<ProviderError> OnEvent(const SseEvent& event) override {
    Json json;
    if (auto error = ParseEventJson(event, kName, &json)) return error;
    if (json.contains("error") && json["error"].is_object()) {
      const Json& error = json["error"];
      std::string status = StringField(error, "status");
      return ProviderError::Make(KindForStreamErrorType(status),
                                 "gemini: stream error " + status + ": " +
                                     StringField(error, "message"));
    }
    std::string model = StringField(json, "modelVersion");
    if (!model.empty()) assembler_.set_model(model);
    if (json.contains("usageMetadata")) ReadUsage(json["usageMetadata"]);
    const Json& feedback = json.value("promptFeedback", Json::object());
    if (!StringField(feedback, "blockReason").empty()) {
      finish_reason_ = "BLOCKED";
    }
    const Json& candidates = json.value("candidates", Json::array());
    if (!candidates.is_array() || candidates.empty()) return std::nullopt;
    const Json& candidate = candidates[0];
    const Json& content = candidate.value("content", Json::object());
    for (const Json& part : content.value("parts", Json::array())) {
      ReadPart(part);
    }
    std::string finish = StringField(candidate, "finishReason");
    if (!finish.empty()) finish_reason_ = finish;
    return std::nullopt;
  }

  CompletionResult Finish() override {
    if (finish_reason_.empty()) {
      return ProviderError::Make(ProviderErrorKind::kNetwork,
                                 "gemini: stream ended before finishReason");
    }
    if (finish_reason_ == "MALFORMED_FUNCTION_CALL") {
      CompletionResult partial = assembler_.Finish(kName);
      ProviderError error = ProviderError::Make(
          ProviderErrorKind::kMalformedToolArguments,
          "gemini: the model produced a malformed function call "
          "(finishReason MALFORMED_FUNCTION_CALL)");
      if (partial.ok()) error.response = std::move(partial.value());
      return error;
    }
    StopReason reason = MapFinishReason(finish_reason_);
    if (reason == StopReason::kEndTurn && assembler_.HasToolUse()) {
      reason = StopReason::kToolUse;
    }
    assembler_.set_stop_reason(reason);
    return assembler_.Finish(kName);
  }

 private:
  void ReadUsage(const Json& usage) {
    int64_t cached = IntField(usage, "cachedContentTokenCount");
    Usage& out = assembler_.usage();
    out.input_tokens = IntField(usage, "promptTokenCount") - cached;
    out.cache_read_tokens = cached;
    out.output_tokens = IntField(usage, "candidatesTokenCount") +
                        IntField(usage, "thoughtsTokenCount");
  }

  void ReadPart(const Json& part) {
    if (!part.is_object()) return;
    std::string signature = StringField(part, "thoughtSignature");
    if (part.value("thought", false)) {
      std::string thought = StringField(part, "text");
      if (!thought.empty()) assembler_.AppendThinking(kThinkingSlot, thought);
    } else if (part.contains("functionCall")) {
      const Json& call = part["functionCall"];
      int slot = next_call_slot_++;
      std::string name = StringField(call, "name");
      std::string args = call.value("args", Json::object()).dump();
      std::string id = StringField(call, "id");
      if (id.empty()) {
        // Gemini calls carry no id; derive a stable one for pairing.
        id = "call_" + Sha256Hex(std::to_string(slot) + name + args)
                           .substr(0, 12);
      }
      assembler_.StartToolUse(slot, id, name);
      assembler_.SetToolInput(slot, args);
    } else if (!StringField(part, "text").empty()) {
      assembler_.AppendText(kTextSlot, StringField(part, "text"));
    }
    if (!signature.empty()) {
      assembler_.AppendThinkingSignature(kThinkingSlot, signature);
    }
  }

  StreamAssembler assembler_;
  std::string finish_reason_;
  int next_call_slot_ = 0;
};

class GeminiProtocol : public WireProtocol {
 public:
  std::string_view name() const override { return kName; }

  Result<WireRequest> BuildRequest(const Request& request,
                                   const Endpoint& endpoint) const override {
    std::map<std::string, std::string> tool_names;
    Json contents = Json::array();
    for (const Message& message : request.messages) {
      Json parts;
      if (message.role == Role::kAssistant) {
        for (const ToolUseBlock* use : message.ToolUses()) {
          tool_names[use->id] = use->name;
        }
        parts = ModelParts(message);
      } else {
        parts = UserParts(message, tool_names);
      }
      if (parts.empty()) continue;
      contents.push_back(
          {{"role", message.role == Role::kUser ? "user" : "model"},
           {"parts", std::move(parts)}});
    }
    Json body = {{"contents", std::move(contents)}};
    if (!request.system.empty()) {
      body["systemInstruction"] = {{"parts", {{{"text", request.system}}}}};
    }
    if (!request.tools.empty()) {
      Json declarations = Json::array();
      for (const ToolDefinition& tool : request.tools) {
        declarations.push_back(
            {{"name", tool.name},
             {"description", tool.description},
             {"parameters", SanitizeSchema(tool.input_schema)}});
      }
      body["tools"] = {{{"functionDeclarations", std::move(declarations)}}};
    }
    Json config = {{"maxOutputTokens", request.max_tokens}};
    if (request.temperature) config["temperature"] = *request.temperature;
    if (!request.stop_sequences.empty()) {
      config["stopSequences"] = request.stop_sequences;
    }
    if (request.thinking_budget_tokens) {
      config["thinkingConfig"] = {
          {"thinkingBudget", *request.thinking_budget_tokens},
          {"includeThoughts", true}};
    }
    body["generationConfig"] = std::move(config);

    std::string model = request.model.empty() ? endpoint.model : request.model;
    if (model.empty() || model.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                             "XYZ0123456789._-") != std::string::npos) {
      return Status::InvalidArgument(
          "gemini: invalid model name \"" + model +
          "\": use letters, digits, '.', '_' and '-' only");
    }
    WireRequest wire;
    wire.url = JoinUrl(endpoint.base_url, "/v1beta/models/" + model +
                                              ":streamGenerateContent?alt=sse");
    wire.headers = {{"content-type", "application/json"},
                    {"accept", "text/event-stream"}};
    if (!endpoint.api_key.empty()) {
      wire.headers.push_back({"x-goog-api-key", endpoint.api_key});
    }
    wire.body = std::move(body);
    return wire;
  }

  std::unique_ptr<StreamDecoder> NewDecoder(
      StreamCallbacks& callbacks) const override {
    return std::make_unique<GeminiDecoder>(callbacks);
  }
};

}  // namespace

std::unique_ptr<WireProtocol> MakeGeminiProtocol() {
  return std::make_unique<GeminiProtocol>();
}

}  // namespace boxagnts::providers
