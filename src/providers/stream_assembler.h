// Builds a Response from the deltas of a stream, whatever the protocol,
// and forwards each delta to the caller's StreamCallbacks as it arrives.
//
// Blocks are addressed by a "slot", an integer the decoder chooses (the
// Anthropic content index, an OpenAI tool-call index, ...). A block is
// created the first time its slot is used, so blocks keep the order in
// which they started.

#ifndef BOXAGNTS_PROVIDERS_STREAM_ASSEMBLER_H_
#define BOXAGNTS_PROVIDERS_STREAM_ASSEMBLER_H_

#include <map>
#include <string>
#include <string_view>

#include "core/json.h"
#include "providers/provider.h"

namespace boxagnts::providers {

class StreamAssembler {
 public:
  // `callbacks` must outlive the assembler.
  explicit StreamAssembler(StreamCallbacks& callbacks)
      : callbacks_(callbacks) {}

  void AppendText(int slot, std::string_view delta);
  void AppendThinking(int slot, std::string_view delta);
  // Appends to the signature of the thinking block at `slot`, creating
  // the block when needed.
  void AppendThinkingSignature(int slot, std::string_view signature);
  void SetThinkingId(int slot, std::string id);
  void AddRedactedThinking(int slot, std::string data);
  // Starts a tool call and reports it through OnToolUseStart.
  void StartToolUse(int slot, std::string id, std::string name);
  // Appends raw argument text to the tool call at `slot`.
  void AppendToolInput(int slot, std::string_view partial_json);
  // Sets the whole argument text, replacing what was appended.
  void SetToolInput(int slot, std::string raw_json);
  bool HasSlot(int slot) const { return slots_.count(slot) > 0; }
  bool HasToolUse() const;

  Usage& usage() { return response_.usage; }
  void set_stop_reason(StopReason reason) { response_.stop_reason = reason; }
  void set_stop_sequence(std::string sequence) {
    response_.stop_sequence = std::move(sequence);
  }
  void set_model(std::string model) { response_.model = std::move(model); }

  // Parses every tool call's arguments and returns the response, or a
  // kMalformedToolArguments error holding the response when some tool
  // call's arguments are not a JSON object. Empty arguments mean {}.
  CompletionResult Finish(std::string_view provider);

 private:
  ContentBlock& Slot(int slot, ContentBlock initial);

  StreamCallbacks& callbacks_;
  Response response_;
  std::map<int, size_t> slots_;  // slot -> index in response_.message
};

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_STREAM_ASSEMBLER_H_
