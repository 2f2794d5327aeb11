#include "query/query_loop.h"

#include <chrono>
#include <map>
#include <set>

#include "core/log.h"
#include "query/hooks.h"
#include "query/tool_round.h"

namespace boxagnts::query {

namespace {

using providers::Message;
using providers::ProviderErrorKind;
using providers::Role;

constexpr char kMaxTokensRecovery[] =
    "Your reply was cut off by the output token limit. Resume exactly where "
    "it stopped, mid-sentence if needed, with no apology and no recap. Split "
    "the remaining work into smaller steps, such as several smaller tool "
    "calls instead of one large one.";

constexpr char kCutToolCall[] =
    "Not run: the reply was cut off by the output token limit, so this call "
    "may be incomplete. Make it again, in smaller pieces if it was large.";

constexpr char kInterruptedToolCall[] =
    "Not answered: the run stopped before this call finished, so its "
    "effects are unknown. Check the state before repeating it.";

// The smallest output allowance worth a call when money is short.
constexpr int64_t kMinBudgetedOutputTokens = 1'024;

int64_t MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Adjacent messages of one role become one message, since some providers
// require roles to alternate.
std::vector<Message> MergeAdjacentRoles(const std::vector<Message>& history) {
  std::vector<Message> merged;
  merged.reserve(history.size());
  for (const Message& message : history) {
    if (!merged.empty() && merged.back().role == message.role) {
      merged.back().content.insert(merged.back().content.end(),
                                   message.content.begin(),
                                   message.content.end());
    } else {
      merged.push_back(message);
    }
  }
  return merged;
}

// Returns the tool_use ids of the last assistant message that no later
// message has a tool_result for.
std::vector<std::string> UnansweredToolUses(const std::vector<Message>& h) {
  size_t last = h.size();
  while (last > 0 && h[last - 1].role != Role::kAssistant) --last;
  if (last == 0) return {};
  std::set<std::string> answered;
  for (size_t i = last; i < h.size(); ++i) {
    for (const auto& block : h[i].content) {
      if (const auto* r = std::get_if<providers::ToolResultBlock>(&block)) {
        answered.insert(r->tool_use_id);
      }
    }
  }
  std::vector<std::string> missing;
  for (const providers::ToolUseBlock* use : h[last - 1].ToolUses()) {
    if (!answered.count(use->id)) missing.push_back(use->id);
  }
  return missing;
}

// Gives every tool_use of `reply` a non-empty id no other call of the
// reply has, since each result must name exactly one call. A model may
// send empty or repeated ids; the history keeps the ids given here.
void GiveToolUsesUniqueIds(Message* reply, int turn) {
  std::set<std::string> seen;
  int index = 0;
  for (providers::ContentBlock& block : reply->content) {
    auto* use = std::get_if<providers::ToolUseBlock>(&block);
    if (use == nullptr) continue;
    ++index;
    if (use->id.empty() || seen.count(use->id)) {
      std::string original = use->id;
      use->id = "boxagnts_" + std::to_string(turn) + "_" + std::to_string(index);
      spdlog::warn("tool call id \"{}\" was empty or repeated; using {}",
                   original, use->id);
    }
    seen.insert(use->id);
  }
}

class ForwardingCallbacks : public providers::StreamCallbacks {
 public:
  explicit ForwardingCallbacks(QueryObserver* observer) : observer_(observer) {}
  void OnTextDelta(std::string_view text) override {
    if (observer_ != nullptr) observer_->OnTextDelta(text);
  }
  void OnThinkingDelta(std::string_view text) override {
    if (observer_ != nullptr) observer_->OnThinkingDelta(text);
  }

 private:
  QueryObserver* observer_;
};

}  // namespace

std::string_view StopKindName(StopKind kind) {
  switch (kind) {
    case StopKind::kEndTurn: return "end_turn";
    case StopKind::kMaxTurns: return "max_turns";
    case StopKind::kBudget: return "budget";
    case StopKind::kCancelled: return "cancelled";
    case StopKind::kError: return "error";
  }
  return "error";
}

class QueryLoop::Impl {
 public:
  Impl(QueryDeps deps, QueryConfig config, std::vector<Message> history)
      : deps_(std::move(deps)),
        config_(std::move(config)),
        history_(std::move(history)) {
    provider_ = deps_.provider;
    SetModel(config_.model_id);
    for (const auto& tool : deps_.registry->List()) {
      const tools::ToolSpec& spec = tool->spec();
      if (!deps_.tool_names.empty() &&
          std::find(deps_.tool_names.begin(), deps_.tool_names.end(),
                    spec.name) == deps_.tool_names.end()) {
        continue;
      }
      tool_definitions_.push_back({spec.name, spec.description,
                                   spec.input_schema});
    }
    resumed_ = !history_.empty();
  }

  QueryResult Run(const std::string& prompt, const CancellationToken& cancel);
  const std::vector<Message>& history() const { return history_; }

 private:
  void SetModel(const std::string& model_id) {
    model_id_ = model_id;
    model_ = deps_.catalog != nullptr ? deps_.catalog->Find(model_id) : nullptr;
  }
  void Notice(std::string_view kind, Json data) {
    if (deps_.observer != nullptr) deps_.observer->OnNotice(kind, data);
    pending_events_.emplace_back(std::string(kind), std::move(data));
  }
  // Appends to the history, reports and stores one step.
  Status Commit(std::vector<Message> messages, std::vector<ModelCallInfo> calls,
                std::vector<ToolCallRecord> tool_calls);
  QueryResult Finish(StopKind stop, std::string message = "");
  Status RepairInterruptedToolUses();
  Result<bool> CompactNow(const std::string& trigger,
                          const CancellationToken& cancel);
  // Reserves the worst case of the next call; sets *max_tokens to what the
  // budget allows. Returns false (and sets the stop) when it cannot.
  bool PreFlight(const std::vector<Message>& request_messages,
                 int64_t* max_tokens, std::optional<Reservation>* reservation);
  int64_t MaxOutputTokens() const;
  std::string ActiveSkillsReminder() const;
  void AddCost(const ModelCallInfo& call) {
    result_.usage += call.usage;
    if (call.cost_pico_usd >= 0) {
      result_.cost_pico_usd += call.cost_pico_usd;
    } else {
      result_.cost_known = false;
    }
  }

  QueryDeps deps_;
  QueryConfig config_;
  std::vector<Message> history_;
  providers::Provider* provider_ = nullptr;
  std::string model_id_;
  const providers::ModelInfo* model_ = nullptr;
  std::unique_ptr<providers::Provider> fallback_;
  std::unique_ptr<providers::Provider> summariser_;
  bool switched_to_fallback_ = false;
  std::vector<providers::ToolDefinition> tool_definitions_;
  bool resumed_ = false;
  bool session_started_ = false;

  // Usage of the last turn call, for the next estimate and compaction.
  std::optional<int64_t> last_input_tokens_;
  size_t last_request_messages_ = 0;
  int64_t last_context_tokens_ = 0;
  int compaction_failures_ = 0;
  bool auto_compaction_off_ = false;
  std::map<std::string, std::string> active_skills_;

  QueryResult result_;
  std::vector<std::pair<std::string, Json>> pending_events_;
};

Status QueryLoop::Impl::Commit(std::vector<Message> messages,
                               std::vector<ModelCallInfo> calls,
                               std::vector<ToolCallRecord> tool_calls) {
  StepWrite step;
  step.messages = std::move(messages);
  step.model_calls = std::move(calls);
  step.tool_calls = std::move(tool_calls);
  step.events = std::move(pending_events_);
  pending_events_.clear();
  Status written = Status::Ok();
  if (deps_.writer != nullptr) written = deps_.writer->WriteStep(step);
  for (Message& message : step.messages) {
    if (message.role == Role::kUser && deps_.observer != nullptr) {
      deps_.observer->OnUserMessage(message);
    }
    history_.push_back(std::move(message));
  }
  if (!written.ok()) {
    spdlog::error("session store write failed: session={} {}",
                  deps_.tool_context.session_id, written.message());
  }
  return written;
}

QueryResult QueryLoop::Impl::Finish(StopKind stop, std::string message) {
  result_.stop = stop;
  result_.is_error = stop != StopKind::kEndTurn;
  if (!message.empty()) result_.result = std::move(message);
  spdlog::info("query loop stopped: session={} stop={} turns={} cost_pusd={}",
               deps_.tool_context.session_id, StopKindName(stop),
               result_.num_turns, result_.cost_pico_usd);
  if (deps_.writer != nullptr) {
    const char* status = stop == StopKind::kEndTurn     ? "completed"
                         : stop == StopKind::kCancelled ? "interrupted"
                         : stop == StopKind::kError     ? "error"
                                                        : "stopped";
    if (!pending_events_.empty()) {
      Status events = Commit({}, {}, {});
      if (!events.ok()) spdlog::error("{}", events.message());
    }
    Status written =
        deps_.writer->WriteStop(std::string(StopKindName(stop)), status);
    if (!written.ok()) {
      spdlog::error("session store write failed: session={} {}",
                    deps_.tool_context.session_id, written.message());
    }
  }
  return result_;
}

Status QueryLoop::Impl::RepairInterruptedToolUses() {
  std::vector<std::string> missing = UnansweredToolUses(history_);
  if (missing.empty()) return Status::Ok();
  spdlog::info("adding error results for {} interrupted tool call(s) of a "
               "resumed session: "
               "session={}",
               missing.size(), deps_.tool_context.session_id);
  Message answers;
  answers.role = Role::kUser;
  for (const std::string& id : missing) {
    providers::ToolResultBlock block;
    block.tool_use_id = id;
    block.is_error = true;
    block.content.push_back(providers::TextBlock{kInterruptedToolCall});
    answers.content.push_back(std::move(block));
  }
  return Commit({std::move(answers)}, {}, {});
}

int64_t QueryLoop::Impl::MaxOutputTokens() const {
  if (config_.max_output_tokens > 0) {
    // Never more than the model can produce, which also bounds the
    // budget reservation.
    if (model_ != nullptr && model_->max_output_tokens > 0) {
      return std::min(config_.max_output_tokens, model_->max_output_tokens);
    }
    return config_.max_output_tokens;
  }
  if (model_ != nullptr && model_->max_output_tokens > 0) {
    return std::min(model_->max_output_tokens, kDefaultMaxOutputTokens);
  }
  return kDefaultMaxOutputTokens;
}

bool QueryLoop::Impl::PreFlight(const std::vector<Message>& request_messages,
                                int64_t* max_tokens,
                                std::optional<Reservation>* reservation) {
  BudgetPool& budget = *deps_.budget;
  if (model_ == nullptr) {
    if (budget.available_pico_usd()) {
      Finish(StopKind::kError,
             "the prices of model \"" + model_id_ +
                 "\" are unknown, so the budget cannot be kept; add them "
                 "under [models.\"" + model_id_ + "\"] in the config, or run "
                 "without a budget");
      return false;
    }
    return true;
  }
  InputEstimate input = EstimateInputTokens(
      deps_.system_prompt, tool_definitions_, request_messages,
      last_input_tokens_, last_request_messages_);
  int64_t worst = WorstCaseCost(model_->prices, input.tokens, *max_tokens);
  *reservation = budget.TryReserve(worst);
  if (*reservation) return true;
  // Try a smaller output allowance before giving up.
  std::optional<int64_t> available = budget.available_pico_usd();
  int64_t output_price = model_->prices.output_micro_usd_per_mtok;
  if (available && output_price > 0) {
    int64_t input_cost = WorstCaseCost(model_->prices, input.tokens, 0);
    int64_t fit = (*available - input_cost) / output_price;
    if (fit >= std::min(kMinBudgetedOutputTokens, *max_tokens)) {
      int64_t smaller = WorstCaseCost(model_->prices, input.tokens, fit);
      *reservation = budget.TryReserve(smaller);
      if (*reservation) {
        *max_tokens = fit;
        return true;
      }
    }
  }
  // The smallest call that was tried is what no longer fits.
  int64_t smallest = WorstCaseCost(
      model_->prices, input.tokens,
      std::min(kMinBudgetedOutputTokens, *max_tokens));
  budget.MarkExhausted(smallest);
  worst = smallest;
  Notice("budget", {{"message", "the next call could cost up to " +
                                    providers::FormatUsd(worst) +
                                    ", more than the budget left"},
                    {"worst_case_pico_usd", worst},
                    {"spent_pico_usd", budget.spent_pico_usd()}});
  Finish(StopKind::kBudget,
         "budget reached: the next model call could cost up to " +
             providers::FormatUsd(worst) + " and only " +
             providers::FormatUsd(std::max<int64_t>(available.value_or(0), 0)) +
             " is left");
  return false;
}

std::string QueryLoop::Impl::ActiveSkillsReminder() const {
  std::string text;
  for (const auto& [name, instructions] : active_skills_) {
    text += "<active-skill name=\"" + name + "\">\n" + instructions +
            "\n</active-skill>\n";
  }
  if (!deps_.compaction_reminder.empty()) {
    text += deps_.compaction_reminder;
  }
  return text;
}

Result<bool> QueryLoop::Impl::CompactNow(const std::string& trigger,
                                         const CancellationToken& cancel) {
  const CompactionConfig& cc = config_.compaction;
  if (deps_.hooks != nullptr && deps_.hooks->HasHooks(HookEvent::kPreCompact)) {
    HookOutcome hook = deps_.hooks->Run(
        HookEvent::kPreCompact,
        {{"session_id", deps_.tool_context.session_id},
         {"cwd", deps_.tool_context.work_dir},
         {"trigger", trigger}},
        "", cancel);
    for (const std::string& error : hook.errors) {
      spdlog::warn("PreCompact hook failed: session={} {}",
                   deps_.tool_context.session_id, error);
    }
  }
  providers::Provider* summariser = provider_;
  const providers::ModelInfo* summary_model = model_;
  if (!cc.model_id.empty() && cc.model_id != model_id_) {
    if (summariser_ == nullptr) {
      if (!deps_.provider_factory) {
        return Status::FailedPrecondition(
            "compaction model \"" + cc.model_id + "\" cannot be created here");
      }
      Result<std::unique_ptr<providers::Provider>> made =
          deps_.provider_factory(cc.model_id);
      if (!made.ok()) return made.status().WithPrefix("compaction model");
      summariser_ = std::move(*made);
    }
    summariser = summariser_.get();
    summary_model =
        deps_.catalog != nullptr ? deps_.catalog->Find(cc.model_id) : nullptr;
  }
  if (summary_model == nullptr && deps_.budget->available_pico_usd()) {
    return Status::FailedPrecondition(
        "compaction: the prices of the summarising model are unknown, so "
        "the budget cannot be kept");
  }
  CompactionRequest request;
  request.history = &history_;
  request.provider = summariser;
  request.model = summary_model;
  request.budget = deps_.budget.get();
  request.config = cc;
  request.reminder = ActiveSkillsReminder();
  std::vector<ModelCallInfo> calls;
  request.on_call = [&](const ModelCallInfo& call) {
    AddCost(call);
    calls.push_back(call);
  };
  int64_t tokens_before = last_context_tokens_;
  Result<CompactionResult> compacted = Compact(request, cancel);
  if (!compacted.ok()) {
    ++compaction_failures_;
    Json data = {{"message", compacted.status().message()},
                 {"trigger", trigger},
                 {"failures", compaction_failures_}};
    for (const ModelCallInfo& call : calls) {
      data["cost_pico_usd"] = call.cost_pico_usd;
    }
    Notice("compaction_failed", data);
    if (compaction_failures_ >= cc.max_failures && !auto_compaction_off_) {
      auto_compaction_off_ = true;
      Notice("warning",
             {{"message", "automatic compaction is off for this session after " +
                              std::to_string(compaction_failures_) +
                              " failures in a row"}});
    }
    // A paid summary call is stored even though its reply is not used.
    if (!calls.empty() && deps_.writer != nullptr) {
      Status s = Commit({}, calls, {});
      if (!s.ok()) return s;
    }
    return compacted.status();
  }
  compaction_failures_ = 0;
  size_t kept = compacted->kept_messages;
  std::vector<Message> next;
  next.reserve(kept + 1);
  next.push_back(compacted->summary);
  next.insert(next.end(), history_.end() - kept, history_.end());
  if (deps_.writer != nullptr) {
    BOXAGNTS_RETURN_IF_ERROR(deps_.writer->WriteCompaction(
        compacted->summary, kept, tokens_before, compacted->call));
  }
  size_t before = history_.size();
  history_ = std::move(next);
  // Token counts of the old history no longer apply.
  last_input_tokens_.reset();
  last_request_messages_ = 0;
  last_context_tokens_ = 0;
  Notice("compaction", {{"message", "compacted " +
                                        std::to_string(before - kept) +
                                        " messages into a summary"},
                        {"trigger", trigger},
                        {"summarised_messages", before - kept},
                        {"kept_messages", kept},
                        {"tokens_before", tokens_before},
                        {"cost_pico_usd", compacted->call.cost_pico_usd}});
  return true;
}

QueryResult QueryLoop::Impl::Run(const std::string& prompt,
                                 const CancellationToken& cancel) {
  result_ = QueryResult();
  const std::string& session_id = deps_.tool_context.session_id;
  spdlog::info("query loop started: session={} model={} resumed={}",
               session_id, model_id_, resumed_);
  Status repaired = RepairInterruptedToolUses();
  if (!repaired.ok()) return Finish(StopKind::kError, repaired.message());

  std::vector<providers::ContentBlock> prompt_blocks;
  Json base_payload = {{"session_id", session_id},
                       {"cwd", deps_.tool_context.work_dir}};
  if (!session_started_) {
    session_started_ = true;
    if (deps_.hooks != nullptr &&
        deps_.hooks->HasHooks(HookEvent::kSessionStart)) {
      Json payload = base_payload;
      payload["source"] = resumed_ ? "resume" : "startup";
      HookOutcome hook =
          deps_.hooks->Run(HookEvent::kSessionStart, payload, "", cancel);
      for (const std::string& e : hook.errors) {
        spdlog::warn("SessionStart hook failed: session={} {}", session_id, e);
      }
      if (!hook.additional_context.empty()) {
        prompt_blocks.push_back(providers::TextBlock{hook.additional_context});
      }
    }
  }
  if (deps_.hooks != nullptr &&
      deps_.hooks->HasHooks(HookEvent::kUserPromptSubmit)) {
    Json payload = base_payload;
    payload["prompt"] = prompt;
    HookOutcome hook =
        deps_.hooks->Run(HookEvent::kUserPromptSubmit, payload, "", cancel);
    for (const std::string& e : hook.errors) {
      spdlog::warn("UserPromptSubmit hook failed: session={} {}", session_id, e);
    }
    if (hook.block) {
      return Finish(StopKind::kError,
                    "the prompt was blocked by a UserPromptSubmit hook: " +
                        hook.reason);
    }
    if (!hook.additional_context.empty()) {
      prompt_blocks.push_back(providers::TextBlock{hook.additional_context});
    }
  }
  prompt_blocks.push_back(providers::TextBlock{prompt});
  Status written = Commit({Message{Role::kUser, std::move(prompt_blocks)}}, {}, {});
  if (!written.ok()) return Finish(StopKind::kError, written.message());

  int recovery_attempts = 0;
  int stall_retries = 0;
  bool overflow_retried = false;
  bool stop_hook_active = false;
  ForwardingCallbacks callbacks(deps_.observer);
  while (true) {
    if (cancel.IsCancelled()) return Finish(StopKind::kCancelled, "cancelled");
    if (result_.num_turns >= config_.max_turns) {
      return Finish(StopKind::kMaxTurns,
                    "reached the limit of " +
                        std::to_string(config_.max_turns) +
                        " model calls (max_turns)");
    }
    const CompactionConfig& cc = config_.compaction;
    if (cc.enabled && !auto_compaction_off_ && model_ != nullptr &&
        model_->context_window_tokens > 0 &&
        last_context_tokens_ >=
            cc.threshold * double(model_->context_window_tokens)) {
      Result<bool> compacted = CompactNow("auto", cancel);
      if (cancel.IsCancelled()) return Finish(StopKind::kCancelled, "cancelled");
      if (!compacted.ok() && deps_.budget->exhausted()) {
        return Finish(StopKind::kBudget, compacted.status().message());
      }
    }

    std::vector<Message> messages = MergeAdjacentRoles(history_);
    int64_t max_tokens = MaxOutputTokens();
    std::optional<Reservation> reservation;
    if (!PreFlight(history_, &max_tokens, &reservation)) return result_;

    providers::Request request;
    request.system = deps_.system_prompt;
    request.messages = std::move(messages);
    request.tools = tool_definitions_;
    request.max_tokens = max_tokens;
    request.temperature = config_.temperature;
    ++result_.num_turns;
    auto started = std::chrono::steady_clock::now();
    providers::CompletionResult completion =
        provider_->Complete(request, callbacks, cancel);
    int64_t duration_ms = MillisSince(started);

    if (!completion.ok()) {
      providers::ProviderError& error = completion.error();
      if (reservation) reservation->Settle(0);
      if (error.kind == ProviderErrorKind::kCancelled || cancel.IsCancelled()) {
        return Finish(StopKind::kCancelled, "cancelled");
      }
      Json details = {{"kind", providers::ProviderErrorKindName(error.kind)},
                      {"model", model_id_},
                      {"message", error.status.message()}};
      spdlog::warn("model call failed: session={} model={} kind={} {}",
                   session_id, model_id_,
                   providers::ProviderErrorKindName(error.kind),
                   error.status.message());
      if (error.kind == ProviderErrorKind::kStall &&
          stall_retries < config_.max_stall_retries) {
        ++stall_retries;
        details["attempt"] = stall_retries;
        Notice("retry", details);
        continue;
      }
      if (error.kind == ProviderErrorKind::kContextOverflow &&
          !overflow_retried) {
        overflow_retried = true;
        Notice("recovery", details);
        Result<bool> compacted = CompactNow("overflow", cancel);
        if (cancel.IsCancelled()) return Finish(StopKind::kCancelled, "cancelled");
        if (compacted.ok()) continue;
        return Finish(StopKind::kError,
                      "the conversation no longer fits the context window "
                      "of " + model_id_ + " and compaction failed: " +
                          compacted.status().message());
      }
      if (error.kind == ProviderErrorKind::kOverloaded &&
          !config_.fallback_model_id.empty() && !switched_to_fallback_ &&
          deps_.provider_factory) {
        Result<std::unique_ptr<providers::Provider>> fallback =
            deps_.provider_factory(config_.fallback_model_id);
        if (fallback.ok()) {
          switched_to_fallback_ = true;
          fallback_ = std::move(*fallback);
          provider_ = fallback_.get();
          std::string from = model_id_;
          SetModel(config_.fallback_model_id);
          last_input_tokens_.reset();
          Notice("fallback", {{"message", from + " is overloaded; switching to " +
                                              model_id_},
                              {"from", from},
                              {"to", model_id_}});
          continue;
        }
        details["fallback_error"] = fallback.status().message();
      }
      if (error.kind != ProviderErrorKind::kMalformedToolArguments ||
          !error.response) {
        pending_events_.emplace_back("error", details);
        return Finish(StopKind::kError, error.status.message());
      }
      completion = std::move(*error.response);
    }

    providers::Response& response = completion.value();
    stall_retries = 0;
    overflow_retried = false;
    ModelCallInfo call;
    call.model_id = model_id_;
    call.purpose = "turn";
    call.usage = response.usage;
    call.duration_ms = duration_ms;
    call.stop_reason = std::string(providers::StopReasonName(response.stop_reason));
    if (model_ != nullptr) {
      call.cost_pico_usd =
          providers::ComputeCost(model_->prices, response.usage).total_pico_usd();
    }
    if (reservation) reservation->Settle(std::max<int64_t>(call.cost_pico_usd, 0));
    AddCost(call);
    const providers::Usage& u = response.usage;
    last_input_tokens_ = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens;
    last_request_messages_ = history_.size();
    last_context_tokens_ = *last_input_tokens_ + u.output_tokens;

    Message reply = std::move(response.message);
    GiveToolUsesUniqueIds(&reply, result_.num_turns);
    bool empty_reply = reply.content.empty();
    std::string reply_text = reply.Text();
    std::vector<Message> step;
    if (!empty_reply) step.push_back(reply);
    if (deps_.observer != nullptr) deps_.observer->OnAssistantMessage(reply, call);
    written = Commit(std::move(step), {call}, {});
    if (!written.ok()) return Finish(StopKind::kError, written.message());
    if (!reply_text.empty()) result_.result = reply_text;

    // Points into the history's last message; used before it grows.
    std::vector<const providers::ToolUseBlock*> uses;
    if (!empty_reply) uses = history_.back().ToolUses();
    bool cut = response.stop_reason == providers::StopReason::kMaxTokens;
    if (cut) {
      ++recovery_attempts;
      Notice("recovery",
             {{"message", "the reply was cut off by the output token limit"},
              {"reason", "max_tokens"},
              {"attempt", recovery_attempts},
              {"max_attempts", config_.max_recovery_attempts}});
      spdlog::info("output cut by the token limit: session={} attempt={}/{}",
                   session_id, recovery_attempts,
                   config_.max_recovery_attempts);
    }
    if (!uses.empty()) {
      ToolRoundRequest round_request;
      round_request.calls = uses;
      round_request.registry = deps_.registry;
      round_request.executor = deps_.executor;
      round_request.context = &deps_.tool_context;
      round_request.hooks = deps_.hooks;
      round_request.observer = deps_.observer;
      round_request.max_parallel = config_.max_parallel_tools;
      round_request.path_locks = deps_.path_locks;
      if (cut) round_request.reject_all_reason = kCutToolCall;
      ToolRoundResult round = RunToolRound(round_request, cancel);
      for (size_t i = 0; i < round.records.size(); ++i) {
        const ToolCallRecord& record = round.records[i];
        if (record.tool == "Skill" && !record.is_error &&
            record.input.contains("name")) {
          active_skills_[record.input["name"].get<std::string>()] =
              std::get<providers::ToolResultBlock>(round.message.content[i])
                  .Text();
        }
      }
      if (cut && recovery_attempts <= config_.max_recovery_attempts) {
        round.message.content.push_back(providers::TextBlock{kMaxTokensRecovery});
      }
      if (round.executed > 0 && !cut) recovery_attempts = 0;
      written = Commit({std::move(round.message)}, {}, std::move(round.records));
      if (!written.ok()) return Finish(StopKind::kError, written.message());
      if (cancel.IsCancelled()) return Finish(StopKind::kCancelled, "cancelled");
    } else if (cut && recovery_attempts <= config_.max_recovery_attempts) {
      written = Commit({Message::UserText(kMaxTokensRecovery)}, {}, {});
      if (!written.ok()) return Finish(StopKind::kError, written.message());
    }
    if (cut) {
      if (recovery_attempts > config_.max_recovery_attempts) {
        return Finish(StopKind::kError,
                      "the reply was cut off by the output token limit " +
                          std::to_string(recovery_attempts) +
                          " times in a row; stopping after " +
                          std::to_string(config_.max_recovery_attempts) +
                          " recovery attempts");
      }
      continue;
    }
    if (!uses.empty()) continue;

    // The model ended its turn.
    if (deps_.hooks != nullptr && deps_.hooks->HasHooks(HookEvent::kStop)) {
      Json payload = base_payload;
      payload["stop_reason"] = call.stop_reason;
      payload["stop_hook_active"] = stop_hook_active;
      HookOutcome hook = deps_.hooks->Run(HookEvent::kStop, payload, "", cancel);
      for (const std::string& e : hook.errors) {
        spdlog::warn("Stop hook failed: session={} {}", session_id, e);
      }
      if (hook.block && !cancel.IsCancelled()) {
        stop_hook_active = true;
        Notice("hook", {{"event", "Stop"},
                        {"message", "continuing: " + hook.reason}});
        written = Commit(
            {Message::UserText("A Stop hook asks you to continue: " +
                               hook.reason)},
            {}, {});
        if (!written.ok()) return Finish(StopKind::kError, written.message());
        continue;
      }
    }
    if (response.stop_reason == providers::StopReason::kRefusal) {
      return Finish(StopKind::kError,
                    reply_text.empty() ? "the model refused the request"
                                       : reply_text);
    }
    return Finish(StopKind::kEndTurn);
  }
}

QueryLoop::QueryLoop(QueryDeps deps, QueryConfig config,
                     std::vector<Message> history)
    : impl_(std::make_unique<Impl>(std::move(deps), std::move(config),
                                   std::move(history))) {}

QueryLoop::~QueryLoop() = default;

QueryResult QueryLoop::Run(const std::string& prompt,
                           const CancellationToken& cancel) {
  return impl_->Run(prompt, cancel);
}

const std::vector<Message>& QueryLoop::history() const {
  return impl_->history();
}

}  // namespace boxagnts::query
