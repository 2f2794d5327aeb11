#include "query/tool_round.h"

#include <chrono>
#include <thread>

#include "core/log.h"
#include "query/hooks.h"
#include "query/path_locks.h"

namespace boxagnts::query {

namespace {

using providers::ToolResultBlock;
using providers::ToolUseBlock;

// The state of one call while the round runs.
struct Slot {
  const ToolUseBlock* call = nullptr;
  std::shared_ptr<tools::Tool> tool;  // null for an unknown tool
  Json input;
  bool run = false;      // passed the loop's own checks and the hooks
  bool safe = false;     // concurrency-safe tool
  tools::ToolCallOutcome outcome;
  int64_t duration_us = 0;
};

void Execute(const ToolRoundRequest& request, Slot& slot,
             const CancellationToken& cancel) {
  auto started = std::chrono::steady_clock::now();
  if (cancel.IsCancelled()) {
    slot.outcome.result = tools::ToolResult::Error(
        "The call was cancelled before it ran.");
  } else {
    tools::ToolContext context = *request.context;
    context.call_id = slot.call->id;
    PathLocks::Hold hold =
        request.path_locks != nullptr && slot.tool != nullptr
            ? request.path_locks->LockFor(slot.tool->spec(), slot.input,
                                          context.work_dir)
            : PathLocks::Hold();
    slot.outcome =
        request.executor->Call(slot.call->name, slot.input, context, cancel);
  }
  slot.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count();
}

// Runs slots[begin, end) at once, one thread per slot beyond the first.
void ExecuteBatch(const ToolRoundRequest& request, std::vector<Slot>& slots,
                  size_t begin, size_t end, const CancellationToken& cancel) {
  std::vector<std::thread> threads;
  for (size_t i = begin + 1; i < end; ++i) {
    threads.emplace_back(
        [&request, &slots, i, &cancel] { Execute(request, slots[i], cancel); });
  }
  Execute(request, slots[begin], cancel);
  for (std::thread& thread : threads) thread.join();
}

const Json* FindSandboxFigures(const Json& metadata) {
  if (!metadata.is_object()) return nullptr;
  auto it = metadata.find("sandbox");
  return it != metadata.end() && it->is_object() ? &*it : nullptr;
}

Json HookPayload(const ToolRoundRequest& request, const ToolUseBlock& call,
                 const Json& input) {
  return {{"session_id", request.context->session_id},
          {"cwd", request.context->work_dir},
          {"tool_name", call.name},
          {"tool_use_id", call.id},
          {"tool_input", input}};
}

}  // namespace

std::string MalformedArgumentsMessage(const ToolUseBlock& call) {
  return "The arguments of this " + call.name +
         " call are not a valid JSON object (" + call.input_error +
         "). Nothing ran. Call the tool again with a JSON object that "
         "matches its input schema.";
}

ToolRoundResult RunToolRound(const ToolRoundRequest& request,
                             const CancellationToken& cancel) {
  std::vector<Slot> slots(request.calls.size());
  std::vector<std::string> hook_texts;
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& slot = slots[i];
    slot.call = request.calls[i];
    slot.input = slot.call->input;
    if (!request.reject_all_reason.empty()) {
      slot.outcome.result = tools::ToolResult::Error(request.reject_all_reason);
      continue;
    }
    if (slot.call->malformed()) {
      slot.outcome.result =
          tools::ToolResult::Error(MalformedArgumentsMessage(*slot.call));
      continue;
    }
    if (request.hooks != nullptr &&
        request.hooks->HasHooks(HookEvent::kPreToolUse)) {
      HookOutcome hook = request.hooks->Run(
          HookEvent::kPreToolUse, HookPayload(request, *slot.call, slot.input),
          slot.call->name, cancel);
      if (hook.block) {
        spdlog::info("tool call blocked by a PreToolUse hook: call={} tool={}",
                     slot.call->id, slot.call->name);
        slot.outcome.result = tools::ToolResult::Error(
            "A PreToolUse hook blocked this call: " + hook.reason);
        if (request.observer != nullptr) {
          request.observer->OnNotice(
              "hook", {{"event", "PreToolUse"},
                       {"call_id", slot.call->id},
                       {"message", "blocked: " + hook.reason}});
        }
        continue;
      }
      if (hook.updated_input) slot.input = std::move(*hook.updated_input);
    }
    slot.tool = request.registry->Find(slot.call->name);
    slot.safe = slot.tool != nullptr && slot.tool->spec().concurrency_safe;
    slot.run = true;
  }

  if (request.observer != nullptr) {
    for (const Slot& slot : slots) {
      if (slot.run) request.observer->OnToolStart(*slot.call);
    }
  }
  int max_parallel = std::max(1, request.max_parallel);
  for (size_t i = 0; i < slots.size();) {
    if (!slots[i].run) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    if (slots[i].safe) {
      while (end < slots.size() && slots[end].run && slots[end].safe &&
             end - i < size_t(max_parallel)) {
        ++end;
      }
    }
    ExecuteBatch(request, slots, i, end, cancel);
    i = end;
  }

  ToolRoundResult round;
  round.message.role = providers::Role::kUser;
  for (Slot& slot : slots) {
    const tools::ToolResult& result = slot.outcome.result;
    if (slot.outcome.executed) ++round.executed;
    ToolResultBlock block;
    block.tool_use_id = slot.call->id;
    block.is_error = result.is_error;
    block.content.push_back(providers::TextBlock{
        result.content.empty() ? "(no output)" : result.content});
    if (slot.run && request.hooks != nullptr &&
        request.hooks->HasHooks(HookEvent::kPostToolUse)) {
      Json payload = HookPayload(request, *slot.call, slot.input);
      payload["tool_response"] = {{"content", result.content},
                                  {"is_error", result.is_error}};
      HookOutcome hook = request.hooks->Run(HookEvent::kPostToolUse, payload,
                                            slot.call->name, cancel);
      if (!hook.additional_context.empty()) {
        hook_texts.push_back(hook.additional_context);
      }
      for (const std::string& error : hook.errors) {
        spdlog::warn("PostToolUse hook failed: call={} {}", slot.call->id,
                     error);
      }
    }
    if (request.observer != nullptr) {
      request.observer->OnToolResult(*slot.call, block,
                                     slot.duration_us / 1000);
    }
    ToolCallRecord record;
    record.call_id = slot.call->id;
    // The store requires a name. A call without one got the unknown-tool
  // error.
    record.tool = slot.call->name.empty() ? "(no name)" : slot.call->name;
    record.input = slot.call->malformed() ? Json(slot.call->raw_input)
                                          : slot.input;
    record.is_error = result.is_error;
    record.result_bytes = static_cast<int64_t>(result.content.size());
    record.duration_ms = slot.duration_us / 1000;
    record.duration_us = slot.duration_us;
    if (const Json* sandbox = FindSandboxFigures(result.metadata)) {
      record.sandbox_us = sandbox->value("run_us", int64_t{0});
    }
    record.permission = slot.outcome.permission;
    round.records.push_back(std::move(record));
    round.message.content.push_back(std::move(block));
  }
  for (std::string& text : hook_texts) {
    round.message.content.push_back(providers::TextBlock{std::move(text)});
  }
  return round;
}

}  // namespace boxagnts::query
