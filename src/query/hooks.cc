#include "query/hooks.h"

#include <re2/re2.h>
#include <signal.h>
#include <string.h>

#include <utility>

#include "core/log.h"
#include "core/utf8.h"
#include "query/hook_output.h"
#include "query/hook_process.h"
#include "tools/truncate.h"

namespace boxagnts::query {
namespace {

// Cap on the stderr excerpt quoted in a failure message, in bytes.
constexpr uint64_t kMaxStderrExcerptBytes = 1'000;

enum class StepKind { kSuccess, kBlock, kFailure };

// The result of one hook, before the event's rules apply to it.
struct HookStep {
  StepKind kind = StepKind::kSuccess;
  std::string text;  // the block reason or the failure message
  HookReply reply;   // for kSuccess
};

// Replaces invalid UTF-8 with U+FFFD, drops trailing whitespace and caps
// the text at `max_bytes`, so it can go into a JSON message.
std::string CleanText(std::string_view text, uint64_t max_bytes) {
  std::string valid = ReplaceInvalidUtf8(text);
  size_t end = valid.find_last_not_of(" \t\r\n");
  valid.resize(end == std::string::npos ? 0 : end + 1);
  return tools::TruncateHeadTail(valid, max_bytes);
}

std::string Describe(const HookCommand& hook) {
  std::string text = "hook \"" + CleanText(hook.command, 500) + "\"";
  if (!hook.source.empty()) text += " (from " + hook.source + ")";
  return text;
}

std::string FormatDuration(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// Returns ": stderr: TEXT" for a non-empty stderr, else "".
std::string StderrSuffix(const HookProcessResult& run) {
  std::string excerpt = CleanText(run.stderr_bytes, kMaxStderrExcerptBytes);
  return excerpt.empty() ? "" : ": stderr: " + excerpt;
}

std::string SignalText(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  std::string text = "signal " + std::to_string(signal_number);
  if (abbrev != nullptr) text += " (SIG" + std::string(abbrev) + ")";
  return text;
}

HookStep Failure(const HookCommand& hook, const std::string& problem) {
  return {StepKind::kFailure, Describe(hook) + " " + problem, {}};
}

HookStep Block(std::string reason, HookReply reply = {}) {
  return {StepKind::kBlock, std::move(reason), std::move(reply)};
}

// Reads the exit status and output of a finished hook.
HookStep Interpret(const HookCommand& hook, const HookProcessResult& run) {
  switch (run.end) {
    case HookProcessEnd::kTimedOut:
      return Failure(hook, "timed out after " +
                               FormatDuration(hook.timeout_ms) +
                               " and was killed");
    case HookProcessEnd::kCancelled:
      return Failure(hook, "was cancelled and killed");
    case HookProcessEnd::kSignaled:
      return Failure(hook, "crashed with " + SignalText(run.signal) +
                               StderrSuffix(run));
    case HookProcessEnd::kExited:
      break;
  }
  if (run.exit_code == 2) {
    std::string reason = CleanText(run.stderr_bytes, kMaxHookTextBytes);
    if (reason.empty()) {
      reason = Describe(hook) + " exited with code 2 (block) and gave no "
                                "reason on stderr";
    }
    return Block(std::move(reason));
  }
  if (run.exit_code != 0) {
    return Failure(hook, "failed with exit code " +
                             std::to_string(run.exit_code) +
                             StderrSuffix(run));
  }
  if (run.stdout_total_bytes > run.stdout_bytes.size()) {
    return Failure(hook, "printed " + std::to_string(run.stdout_total_bytes) +
                             " bytes on stdout, more than the limit of " +
                             std::to_string(kMaxHookOutputBytes));
  }
  Result<HookReply> reply = ParseHookReply(run.stdout_bytes);
  if (!reply.ok()) {
    return Failure(hook, "printed invalid output on stdout: " +
                             CleanText(reply.status().message(),
                                       kMaxStderrExcerptBytes));
  }
  if (reply->decision == HookDecision::kBlock) {
    std::string reason = CleanText(reply->reason, kMaxHookTextBytes);
    if (reason.empty()) {
      reason = Describe(hook) + " blocked it without giving a reason";
    }
    return Block(std::move(reason), std::move(*reply));
  }
  return {StepKind::kSuccess, "", std::move(*reply)};
}

HookStep RunHook(HookEvent event, const HookCommand& hook,
                 const std::string& work_dir, const Json& payload,
                 const CancellationToken& cancel) {
  HookProcessRequest request;
  request.command = hook.command;
  request.work_dir = work_dir;
  request.stdin_bytes =
      payload.dump(-1, ' ', false, Json::error_handler_t::replace);
  request.extra_env = {
      {"BOXAGNTS_HOOK_EVENT", std::string(HookEventName(event))},
      {"BOXAGNTS_PROJECT_DIR", work_dir}};
  request.timeout_ms = hook.timeout_ms;
  Result<HookProcessResult> run = RunHookProcess(request, cancel);
  if (!run.ok()) {
    return Failure(hook, "could not start: " + run.status().message());
  }
  spdlog::debug("hook ran: event={} pid={} exit_code={} signal={} "
                "elapsed_ms={}",
                HookEventName(event), run->pid, run->exit_code, run->signal,
                run->elapsed_ms);
  return Interpret(hook, *run);
}

bool EventCanBlock(HookEvent event) {
  return event == HookEvent::kPreToolUse ||
         event == HookEvent::kUserPromptSubmit || event == HookEvent::kStop;
}

bool EventTakesContext(HookEvent event) {
  return event == HookEvent::kSessionStart ||
         event == HookEvent::kUserPromptSubmit ||
         event == HookEvent::kPostToolUse;
}

void AppendParagraph(const std::string& text, std::string* to) {
  if (text.empty()) return;
  if (!to->empty()) *to += "\n\n";
  *to += text;
}

// Applies a successful hook's reply. `payload` is the input of the next
// hook, whose tool_input follows the reply's updated_input.
void ApplyReply(HookEvent event, const HookCommand& hook,
                const HookReply& reply, Json* payload,
                HookOutcome* outcome) {
  std::string name(HookEventName(event));
  if (reply.updated_input && event == HookEvent::kPreToolUse) {
    (*payload)["tool_input"] = *reply.updated_input;
    outcome->updated_input = *reply.updated_input;
  } else if (reply.updated_input) {
    outcome->errors.push_back(Describe(hook) + " returned updated_input, "
                              "which only PreToolUse hooks can, so it was "
                              "ignored");
  }
  std::string context = CleanText(reply.additional_context,
                                   kMaxHookTextBytes);
  if (EventTakesContext(event)) {
    AppendParagraph(context, &outcome->additional_context);
  } else if (!context.empty()) {
    outcome->errors.push_back(Describe(hook) + " returned "
                              "additional_context, which " + name +
                              " hooks cannot add, so it was ignored");
  }
}

// Records a failed hook: it blocks a PreToolUse call and is an error
// otherwise. Returns true when the chain stops.
bool ApplyFailure(HookEvent event, const std::string& message,
                  HookOutcome* outcome) {
  if (event == HookEvent::kPreToolUse) {
    outcome->block = true;
    outcome->reason = message +
                      ". The tool call is blocked because a failing "
                      "PreToolUse hook blocks the call.";
    return true;
  }
  outcome->errors.push_back(message);
  return false;
}

// Applies one hook's step to `outcome`. Returns true when the chain stops.
bool ApplyStep(HookEvent event, const HookCommand& hook, const HookStep& step,
               Json* payload, HookOutcome* outcome) {
  std::string name(HookEventName(event));
  switch (step.kind) {
    case StepKind::kFailure:
      return ApplyFailure(event, step.text, outcome);
    case StepKind::kBlock:
      if (EventCanBlock(event)) {
        outcome->block = true;
        outcome->reason = step.text;
        return true;
      }
      if (event == HookEvent::kPostToolUse) {
        AppendParagraph(step.text, &outcome->additional_context);
        return false;
      }
      outcome->errors.push_back(Describe(hook) + " requested a block, "
                                "which " + name + " hooks cannot do: " +
                                step.text);
      return false;
    case StepKind::kSuccess:
      ApplyReply(event, hook, step.reply, payload, outcome);
      return false;
  }
  return false;
}

void LogOutcome(HookEvent event, const Json& payload,
                const HookOutcome& outcome) {
  auto id = payload.find("session_id");
  std::string session =
      id != payload.end() && id->is_string() ? id->get<std::string>() : "";
  for (const std::string& error : outcome.errors) {
    spdlog::warn("hook error: event={} session={} {}", HookEventName(event),
                 session, error);
  }
  if (outcome.block) {
    spdlog::info("hook blocked: event={} session={} reason={}",
                 HookEventName(event), session, outcome.reason);
  }
}

}  // namespace

HookRunner::HookRunner(HookConfig config, std::string work_dir)
    : work_dir_(std::move(work_dir)) {
  for (auto& [event, commands] : config.hooks) {
    for (HookCommand& command : commands) {
      Entry entry;
      const std::string& pattern = command.matcher;
      if (HookEventHasMatcher(event) && !pattern.empty() && pattern != "*") {
        auto regex = std::make_shared<const RE2>(pattern, RE2::Quiet);
        if (regex->ok()) {
          entry.matcher = std::move(regex);
        } else {
          entry.matcher_error = "has an invalid matcher regex \"" + pattern +
                                "\": " + regex->error();
        }
      }
      entry.command = std::move(command);
      entries_[event].push_back(std::move(entry));
    }
  }
}

bool HookRunner::HasHooks(HookEvent event) const {
  auto it = entries_.find(event);
  return it != entries_.end() && !it->second.empty();
}

HookOutcome HookRunner::Run(HookEvent event, const Json& payload,
                            std::string_view tool_name,
                            const CancellationToken& cancel) const {
  HookOutcome outcome;
  auto it = entries_.find(event);
  if (it == entries_.end() || it->second.empty()) return outcome;
  std::string name(HookEventName(event));
  if (!payload.is_object()) {
    ApplyFailure(event,
                 name + " hooks did not run because their payload is a " +
                     payload.type_name() + ", not a JSON object",
                 &outcome);
    LogOutcome(event, Json::object(), outcome);
    return outcome;
  }

  Json current = payload;
  current["hook_event_name"] = name;
  for (const Entry& entry : it->second) {
    HookStep step;
    if (!entry.matcher_error.empty()) {
      step = Failure(entry.command, entry.matcher_error);
    } else if (entry.matcher != nullptr &&
               !RE2::FullMatch(tool_name, *entry.matcher)) {
      continue;
    } else if (cancel.IsCancelled()) {
      step = Failure(entry.command, "did not start because the " + name +
                                        " hooks were cancelled");
    } else {
      step = RunHook(event, entry.command, work_dir_, current, cancel);
    }
    if (ApplyStep(event, entry.command, step, &current, &outcome)) break;
    if (cancel.IsCancelled()) break;
  }
  LogOutcome(event, current, outcome);
  return outcome;
}

}  // namespace boxagnts::query
