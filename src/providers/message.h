// The provider-neutral conversation model: messages made of content blocks,
// tool definitions, token usage and stop reasons. Every wire protocol in
// this layer converts to and from these types, and the query loop works on
// them alone.

#ifndef BOXAGNTS_PROVIDERS_MESSAGE_H_
#define BOXAGNTS_PROVIDERS_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace boxagnts::providers {

enum class Role { kUser, kAssistant };

struct TextBlock {
  std::string text;
  friend bool operator==(const TextBlock&, const TextBlock&) = default;
};

// An image given either inline (`media_type` plus base64 `data`) or by
// `url`. Exactly one of `data` and `url` is set.
struct ImageBlock {
  std::string media_type;  // such as "image/png"; empty for a URL image
  std::string data;        // base64, no "data:" prefix
  std::string url;
  friend bool operator==(const ImageBlock&, const ImageBlock&) = default;
};

// A tool call made by the model. `input` is the parsed JSON object of the
// arguments. When the model sent arguments that are not a JSON object,
// `input` is null, `input_error` gives the reason and `raw_input` contains
// the text as received, so the loop can return the error to the model.
struct ToolUseBlock {
  std::string id;
  std::string name;
  Json input = Json::object();
  std::string input_error;
  std::string raw_input;
  bool malformed() const { return !input_error.empty(); }
  friend bool operator==(const ToolUseBlock&, const ToolUseBlock&) = default;
};

// Content of a tool result: text or images.
using ToolResultContent = std::variant<TextBlock, ImageBlock>;

struct ToolResultBlock {
  std::string tool_use_id;
  std::vector<ToolResultContent> content;
  bool is_error = false;
  // Returns the text blocks of `content` joined by newlines.
  std::string Text() const;
  friend bool operator==(const ToolResultBlock&,
                         const ToolResultBlock&) = default;
};

// Model reasoning. `signature` is opaque provider data that must be sent
// back unchanged with the block. `id` is the provider's item id, which
// only the OpenAI Responses API uses.
struct ThinkingBlock {
  std::string text;
  std::string signature;
  std::string id;
  friend bool operator==(const ThinkingBlock&, const ThinkingBlock&) = default;
};

// Reasoning the provider returned encrypted; `data` goes back unchanged.
struct RedactedThinkingBlock {
  std::string data;
  friend bool operator==(const RedactedThinkingBlock&,
                         const RedactedThinkingBlock&) = default;
};

using ContentBlock = std::variant<TextBlock, ImageBlock, ToolUseBlock,
                                  ToolResultBlock, ThinkingBlock,
                                  RedactedThinkingBlock>;

struct Message {
  Role role = Role::kUser;
  std::vector<ContentBlock> content;

  static Message UserText(std::string text);
  static Message AssistantText(std::string text);

  // Returns the text blocks joined without separator.
  std::string Text() const;
  // Returns pointers into `content` to every tool_use block, in order.
  std::vector<const ToolUseBlock*> ToolUses() const;
  friend bool operator==(const Message&, const Message&) = default;
};

// Token counts of one call. `input_tokens` counts only the input billed at
// the plain input price: tokens read from or written to the prompt cache
// are counted in `cache_read_tokens` and `cache_write_tokens` instead.
// `output_tokens` includes reasoning tokens.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;

  Usage& operator+=(const Usage& other);
  friend bool operator==(const Usage&, const Usage&) = default;
};

enum class StopReason {
  kEndTurn,
  kToolUse,
  kMaxTokens,
  kStopSequence,
  kRefusal,  // refused by the model or blocked by a content filter
};

// Returns "end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal".
std::string_view StopReasonName(StopReason reason);

struct ToolDefinition {
  std::string name;
  std::string description;
  Json input_schema = Json::object();  // a JSON Schema of an object
};

struct Request {
  // The bare model name sent on the wire. When empty the provider uses the
  // model it was created for.
  std::string model;
  std::string system;
  std::vector<Message> messages;
  std::vector<ToolDefinition> tools;
  int64_t max_tokens = 4096;
  std::optional<double> temperature;
  std::vector<std::string> stop_sequences;
  std::optional<int64_t> thinking_budget_tokens;
};

struct Response {
  Message message{Role::kAssistant, {}};
  Usage usage;
  StopReason stop_reason = StopReason::kEndTurn;
  std::string model;          // as reported by the provider
  std::string stop_sequence;  // the matched sequence, when known
};

// JSON forms of the model, for storage and debugging. The field names
// follow the Anthropic Messages format ("type": "text", "tool_use", ...).
Json ContentBlockToJson(const ContentBlock& block);
Json MessageToJson(const Message& message);
Json UsageToJson(const Usage& usage);
Json ResponseToJson(const Response& response);
Result<Message> MessageFromJson(const Json& json);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_MESSAGE_H_
