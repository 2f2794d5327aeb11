#include "query/compaction.h"

#include <chrono>

#include "providers/message.h"

namespace boxagnts::query {

namespace {

using providers::Message;

constexpr char kSummaryInstructions[] =
    "You write the working summary of a coding session so that it can "
    "continue without the full transcript. Write it for the assistant that "
    "will carry on. Cover, in this order:\n"
    "1. The user's requests and constraints, quoting exact wording where it "
    "matters.\n"
    "2. Decisions taken and why.\n"
    "3. Files read, created or changed, with what changed and their current "
    "state; include short code excerpts only where the next step needs "
    "them.\n"
    "4. Errors met and how they were resolved.\n"
    "5. Work still pending, and the exact step in progress when the "
    "transcript ends.\n"
    "Be factual and complete; do not invent anything the transcript does "
    "not say. Do not call tools. Reply with the summary only.";

std::string Clip(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t head = max_chars / 2;
  size_t tail = max_chars - head;
  return text.substr(0, head) + "\n[... " +
         std::to_string(text.size() - head - tail) + " characters left out ...]\n" +
         text.substr(text.size() - tail);
}

}  // namespace

size_t FindCompactionCut(const std::vector<Message>& history,
                         int keep_recent_turns) {
  std::vector<size_t> assistant_starts;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].role == providers::Role::kAssistant) {
      assistant_starts.push_back(i);
    }
  }
  if (assistant_starts.empty()) return 0;
  size_t keep = keep_recent_turns < 0 ? 0 : size_t(keep_recent_turns);
  // At least one assistant message must be summarised.
  if (keep >= assistant_starts.size()) keep = assistant_starts.size() - 1;
  if (keep == 0) return history.size();
  return assistant_starts[assistant_starts.size() - keep];
}

std::string RenderTranscript(const std::vector<Message>& messages,
                             size_t max_block_chars) {
  std::string out;
  for (const Message& message : messages) {
    bool user = message.role == providers::Role::kUser;
    for (const providers::ContentBlock& block : message.content) {
      std::visit(
          [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, providers::TextBlock>) {
              out += user ? "USER: " : "ASSISTANT: ";
              out += Clip(b.text, max_block_chars);
            } else if constexpr (std::is_same_v<T, providers::ImageBlock>) {
              out += user ? "USER: [image]" : "ASSISTANT: [image]";
            } else if constexpr (std::is_same_v<T, providers::ToolUseBlock>) {
              out += "TOOL CALL " + b.name + " (" + b.id + "): ";
              out += Clip(b.malformed() ? b.raw_input : b.input.dump(),
                          max_block_chars);
            } else if constexpr (std::is_same_v<T,
                                                providers::ToolResultBlock>) {
              out += std::string("TOOL RESULT (") + b.tool_use_id +
                     (b.is_error ? ", error" : "") + "): ";
              out += Clip(b.Text(), max_block_chars);
            } else if constexpr (std::is_same_v<T, providers::ThinkingBlock>) {
              out += "ASSISTANT (thinking): " + Clip(b.text, max_block_chars);
            } else {
              out += "ASSISTANT (thinking, redacted)";
            }
          },
          block);
      out += "\n\n";
    }
  }
  return out;
}

Message MakeSummaryMessage(const std::string& summary,
                           const std::string& reminder) {
  std::string text =
      "This session was compacted: the earlier conversation is replaced by "
      "the summary below. Continue from where it ends.\n\n<summary>\n" +
      summary + "\n</summary>";
  if (!reminder.empty()) text += "\n\n" + reminder;
  return Message::UserText(std::move(text));
}

Result<CompactionResult> Compact(const CompactionRequest& request,
                                 const CancellationToken& cancel) {
  const std::vector<Message>& history = *request.history;
  size_t cut = FindCompactionCut(history, request.config.keep_recent_turns);
  if (cut == 0) {
    return Status::FailedPrecondition(
        "compaction: nothing to summarise, the history has no finished "
        "assistant turn");
  }
  std::vector<Message> older(history.begin(), history.begin() + cut);
  providers::Request call;
  call.system = kSummaryInstructions;
  call.max_tokens = request.config.max_summary_tokens;
  if (request.model != nullptr && request.model->max_output_tokens > 0) {
    call.max_tokens = std::min(call.max_tokens, request.model->max_output_tokens);
  }
  call.messages.push_back(Message::UserText(
      "Summarise this transcript.\n\n<transcript>\n" +
      RenderTranscript(older, request.config.max_block_chars) +
      "</transcript>"));

  std::optional<Reservation> reservation;
  if (request.model != nullptr) {
    InputEstimate input = EstimateInputTokens(call.system, call.tools,
                                              call.messages, std::nullopt, 0);
    int64_t worst = WorstCaseCost(request.model->prices, input.tokens,
                                  call.max_tokens);
    reservation = request.budget->TryReserve(worst);
    if (!reservation) {
      request.budget->MarkExhausted(worst);
      return Status::ResourceExhausted(
          "compaction: the summary call could cost up to " +
          providers::FormatUsd(worst) + ", more than the budget left");
    }
  }
  providers::StreamCallbacks quiet;
  auto started = std::chrono::steady_clock::now();
  providers::CompletionResult response =
      request.provider->Complete(call, quiet, cancel);
  CompactionResult result;
  result.call.model_id = request.provider->id();
  result.call.purpose = "compaction";
  result.call.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started)
          .count();
  if (!response.ok()) {
    if (reservation) reservation->Settle(0);
    return response.status().WithPrefix("compaction");
  }
  result.call.usage = response->usage;
  result.call.stop_reason =
      std::string(providers::StopReasonName(response->stop_reason));
  if (request.model != nullptr) {
    result.call.cost_pico_usd =
        providers::ComputeCost(request.model->prices, response->usage)
            .total_pico_usd();
    reservation->Settle(result.call.cost_pico_usd);
  }
  if (request.on_call) request.on_call(result.call);
  std::string summary = response->message.Text();
  if (summary.empty()) {
    return Status::Internal("compaction: the model returned no summary text");
  }
  result.summary = MakeSummaryMessage(summary, request.reminder);
  result.kept_messages = history.size() - cut;
  return result;
}

}  // namespace boxagnts::query
