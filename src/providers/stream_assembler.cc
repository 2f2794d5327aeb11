#include "providers/stream_assembler.h"

#include <utility>
#include <vector>

namespace boxagnts::providers {

ContentBlock& StreamAssembler::Slot(int slot, ContentBlock initial) {
  auto it = slots_.find(slot);
  std::vector<ContentBlock>& blocks = response_.message.content;
  if (it != slots_.end() && blocks[it->second].index() == initial.index()) {
    return blocks[it->second];
  }
  // A new slot, or a slot reused for another kind of block.
  blocks.push_back(std::move(initial));
  slots_[slot] = blocks.size() - 1;
  return blocks.back();
}

void StreamAssembler::AppendText(int slot, std::string_view delta) {
  std::get<TextBlock>(Slot(slot, TextBlock{})).text.append(delta);
  if (!delta.empty()) callbacks_.OnTextDelta(delta);
}

void StreamAssembler::AppendThinking(int slot, std::string_view delta) {
  std::get<ThinkingBlock>(Slot(slot, ThinkingBlock{})).text.append(delta);
  if (!delta.empty()) callbacks_.OnThinkingDelta(delta);
}

void StreamAssembler::AppendThinkingSignature(int slot,
                                              std::string_view signature) {
  std::get<ThinkingBlock>(Slot(slot, ThinkingBlock{}))
      .signature.append(signature);
}

void StreamAssembler::SetThinkingId(int slot, std::string id) {
  std::get<ThinkingBlock>(Slot(slot, ThinkingBlock{})).id = std::move(id);
}

void StreamAssembler::AddRedactedThinking(int slot, std::string data) {
  std::get<RedactedThinkingBlock>(Slot(slot, RedactedThinkingBlock{})).data =
      std::move(data);
}

void StreamAssembler::StartToolUse(int slot, std::string id,
                                   std::string name) {
  auto& use = std::get<ToolUseBlock>(Slot(slot, ToolUseBlock{}));
  use.id = std::move(id);
  use.name = std::move(name);
  callbacks_.OnToolUseStart(use.id, use.name);
}

void StreamAssembler::AppendToolInput(int slot,
                                      std::string_view partial_json) {
  std::get<ToolUseBlock>(Slot(slot, ToolUseBlock{}))
      .raw_input.append(partial_json);
}

void StreamAssembler::SetToolInput(int slot, std::string raw_json) {
  std::get<ToolUseBlock>(Slot(slot, ToolUseBlock{})).raw_input =
      std::move(raw_json);
}

bool StreamAssembler::HasToolUse() const {
  return !response_.message.ToolUses().empty();
}

CompletionResult StreamAssembler::Finish(std::string_view provider) {
  std::string first_error;
  for (ContentBlock& block : response_.message.content) {
    auto* use = std::get_if<ToolUseBlock>(&block);
    if (use == nullptr) continue;
    std::string raw = std::move(use->raw_input);
    use->raw_input.clear();
    if (raw.find_first_not_of(" \t\r\n") == std::string::npos) {
      use->input = Json::object();
      continue;
    }
    Result<Json> parsed = ParseJson(raw, "tool call arguments");
    if (parsed.ok() && parsed->is_object()) {
      use->input = std::move(*parsed);
      continue;
    }
    use->input = nullptr;
    use->raw_input = std::move(raw);
    use->input_error = parsed.ok() ? "arguments are JSON but not an object"
                                   : parsed.status().message();
    if (first_error.empty()) {
      std::string shown = use->raw_input.substr(0, 200);
      first_error = std::string(provider) + ": tool call \"" + use->name +
                    "\" (id " + use->id + ") has malformed arguments: " +
                    use->input_error + "; arguments received: " + shown;
    }
  }
  if (first_error.empty()) return std::move(response_);
  ProviderError error = ProviderError::Make(
      ProviderErrorKind::kMalformedToolArguments, std::move(first_error));
  error.response = std::move(response_);
  return error;
}

}  // namespace boxagnts::providers
