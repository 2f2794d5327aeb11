#include "providers/message.h"

#include <utility>

namespace boxagnts::providers {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Json ImageToJson(const ImageBlock& image) {
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

Result<ImageBlock> ImageFromJson(const Json& json) {
  const Json& source = json.value("source", Json::object());
  ImageBlock image;
  std::string type = source.value("type", "");
  if (type == "url") {
    image.url = source.value("url", "");
  } else if (type == "base64") {
    image.media_type = source.value("media_type", "");
    image.data = source.value("data", "");
  } else {
    return Status::InvalidArgument("image block: invalid source type \"" +
                                   type + "\": use \"base64\" or \"url\"");
  }
  return image;
}

std::string StringField(const Json& json, const char* name) {
  auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<ContentBlock> BlockFromJson(const Json& json) {
  if (!json.is_object()) {
    return Status::InvalidArgument("content block must be a JSON object");
  }
  std::string type = StringField(json, "type");
  if (type == "text") return ContentBlock(TextBlock{StringField(json, "text")});
  if (type == "image") {
    Result<ImageBlock> image = ImageFromJson(json);
    if (!image.ok()) return image.status();
    return ContentBlock(*image);
  }
  if (type == "tool_use") {
    ToolUseBlock use{StringField(json, "id"), StringField(json, "name"),
                     json.value("input", Json::object()),
                     StringField(json, "input_error"),
                     StringField(json, "raw_input")};
    return ContentBlock(use);
  }
  if (type == "tool_result") {
    ToolResultBlock result;
    result.tool_use_id = StringField(json, "tool_use_id");
    result.is_error = json.value("is_error", false);
    const Json content = json.value("content", Json::array());
    if (content.is_string()) {
      result.content.push_back(TextBlock{content.get<std::string>()});
    } else {
      for (const Json& part : content) {
        Result<ContentBlock> block = BlockFromJson(part);
        if (!block.ok()) return block.status();
        if (auto* text = std::get_if<TextBlock>(&*block)) {
          result.content.push_back(*text);
        } else if (auto* image = std::get_if<ImageBlock>(&*block)) {
          result.content.push_back(*image);
        } else {
          return Status::InvalidArgument(
              "tool_result content may hold only text and image blocks");
        }
      }
    }
    return ContentBlock(result);
  }
  if (type == "thinking") {
    return ContentBlock(ThinkingBlock{StringField(json, "thinking"),
                                      StringField(json, "signature"),
                                      StringField(json, "id")});
  }
  if (type == "redacted_thinking") {
    return ContentBlock(RedactedThinkingBlock{StringField(json, "data")});
  }
  return Status::InvalidArgument(
      "invalid content block type \"" + type +
      "\": use text, image, tool_use, tool_result, thinking or "
      "redacted_thinking");
}

}  // namespace

std::string ToolResultBlock::Text() const {
  std::string out;
  for (const ToolResultContent& part : content) {
    if (const auto* text = std::get_if<TextBlock>(&part)) {
      if (!out.empty()) out += "\n";
      out += text->text;
    }
  }
  return out;
}

Message Message::UserText(std::string text) {
  return Message{Role::kUser, {TextBlock{std::move(text)}}};
}

Message Message::AssistantText(std::string text) {
  return Message{Role::kAssistant, {TextBlock{std::move(text)}}};
}

std::string Message::Text() const {
  std::string out;
  for (const ContentBlock& block : content) {
    if (const auto* text = std::get_if<TextBlock>(&block)) out += text->text;
  }
  return out;
}

std::vector<const ToolUseBlock*> Message::ToolUses() const {
  std::vector<const ToolUseBlock*> out;
  for (const ContentBlock& block : content) {
    if (const auto* use = std::get_if<ToolUseBlock>(&block)) {
      out.push_back(use);
    }
  }
  return out;
}

Usage& Usage::operator+=(const Usage& other) {
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_tokens += other.cache_read_tokens;
  cache_write_tokens += other.cache_write_tokens;
  return *this;
}

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kEndTurn:
      return "end_turn";
    case StopReason::kToolUse:
      return "tool_use";
    case StopReason::kMaxTokens:
      return "max_tokens";
    case StopReason::kStopSequence:
      return "stop_sequence";
    case StopReason::kRefusal:
      return "refusal";
  }
  return "end_turn";
}

Json ContentBlockToJson(const ContentBlock& block) {
  return std::visit(
      Overloaded{
          [](const TextBlock& b) -> Json {
            return {{"type", "text"}, {"text", b.text}};
          },
          [](const ImageBlock& b) -> Json { return ImageToJson(b); },
          [](const ToolUseBlock& b) -> Json {
            Json out = {{"type", "tool_use"},
                        {"id", b.id},
                        {"name", b.name},
                        {"input", b.input}};
            if (b.malformed()) {
              out["input_error"] = b.input_error;
              out["raw_input"] = b.raw_input;
            }
            return out;
          },
          [](const ToolResultBlock& b) -> Json {
            Json content = Json::array();
            for (const ToolResultContent& part : b.content) {
              if (const auto* text = std::get_if<TextBlock>(&part)) {
                content.push_back({{"type", "text"}, {"text", text->text}});
              } else {
                content.push_back(ImageToJson(std::get<ImageBlock>(part)));
              }
            }
            return {{"type", "tool_result"},
                    {"tool_use_id", b.tool_use_id},
                    {"content", content},
                    {"is_error", b.is_error}};
          },
          [](const ThinkingBlock& b) -> Json {
            Json out = {{"type", "thinking"},
                        {"thinking", b.text},
                        {"signature", b.signature}};
            if (!b.id.empty()) out["id"] = b.id;
            return out;
          },
          [](const RedactedThinkingBlock& b) -> Json {
            return {{"type", "redacted_thinking"}, {"data", b.data}};
          },
      },
      block);
}

Json MessageToJson(const Message& message) {
  Json content = Json::array();
  for (const ContentBlock& block : message.content) {
    content.push_back(ContentBlockToJson(block));
  }
  return {{"role", message.role == Role::kUser ? "user" : "assistant"},
          {"content", content}};
}

Json UsageToJson(const Usage& usage) {
  return {{"input_tokens", usage.input_tokens},
          {"output_tokens", usage.output_tokens},
          {"cache_read_tokens", usage.cache_read_tokens},
          {"cache_write_tokens", usage.cache_write_tokens}};
}

Json ResponseToJson(const Response& response) {
  Json out = {{"message", MessageToJson(response.message)},
              {"usage", UsageToJson(response.usage)},
              {"stop_reason", StopReasonName(response.stop_reason)},
              {"model", response.model}};
  if (!response.stop_sequence.empty()) {
    out["stop_sequence"] = response.stop_sequence;
  }
  return out;
}

Result<Message> MessageFromJson(const Json& json) {
  if (!json.is_object()) {
    return Status::InvalidArgument("message must be a JSON object");
  }
  Message message;
  std::string role = StringField(json, "role");
  if (role == "user") {
    message.role = Role::kUser;
  } else if (role == "assistant") {
    message.role = Role::kAssistant;
  } else {
    return Status::InvalidArgument("invalid message role \"" + role +
                                   "\": use \"user\" or \"assistant\"");
  }
  const Json content = json.value("content", Json::array());
  if (content.is_string()) {
    message.content.push_back(TextBlock{content.get<std::string>()});
    return message;
  }
  if (!content.is_array()) {
    return Status::InvalidArgument(
        "message content must be a string or an array of blocks");
  }
  for (size_t i = 0; i < content.size(); ++i) {
    Result<ContentBlock> block = BlockFromJson(content[i]);
    if (!block.ok()) {
      return block.status().WithPrefix("content[" + std::to_string(i) + "]");
    }
    message.content.push_back(std::move(*block));
  }
  return message;
}

}  // namespace boxagnts::providers
