#include "query/executor_pool.h"

#include <chrono>

#include "core/log.h"
#include "providers/model_catalog.h"

namespace boxagnts::query {

namespace {

std::string StatusFor(const QueryResult& result) {
  switch (result.stop) {
    case StopKind::kEndTurn: return "completed";
    case StopKind::kMaxTurns: return "max_turns";
    case StopKind::kBudget: return "budget";
    case StopKind::kCancelled: return "cancelled";
    case StopKind::kError: return "error";
  }
  return "error";
}

}  // namespace

std::string ExecutorReport::ToText() const {
  std::string text = "Executor " + id + " (" + description + "): " + status;
  if (status != "not_started") {
    text += ", " + std::to_string(result.num_turns) + " model call(s), cost " +
            (result.cost_known ? providers::FormatUsd(result.cost_pico_usd)
                               : std::string("unknown"));
  }
  text += ".\n";
  if (!error.empty()) text += "Error: " + error + "\n";
  if (sandbox_stops > 0) {
    text += std::to_string(sandbox_stops) +
            " tool call(s) were stopped by the sandbox.\n";
  }
  if (tool_errors > 0) {
    text += std::to_string(tool_errors) +
            " tool call(s) failed; the last: " + last_tool_error + "\n";
  }
  if (!result.result.empty()) text += "\n" + result.result + "\n";
  if (worktree) {
    text += "\nWorktree branch " + worktree->branch + " (base " +
            worktree->base_commit.substr(0, 12) + "), " +
            std::to_string(worktree->commits.size()) + " commit(s):\n";
    for (const std::string& commit : worktree->commits) {
      text += "  " + commit + "\n";
    }
    if (!worktree->diff_stat.empty()) text += worktree->diff_stat + "\n";
    text += worktree->kept ? "The worktree is kept at " + worktree->path + "\n"
                           : "The worktree was removed; the branch remains.\n";
  }
  return text;
}

Json ExecutorReport::ToJson() const {
  Json json = {{"executor_id", id},
               {"description", description},
               {"model", model},
               {"status", status},
               {"stop_reason", StopKindName(result.stop)},
               {"num_turns", result.num_turns},
               {"cost_usd", result.cost_known
                                ? Json(double(result.cost_pico_usd) / 1e12)
                                : Json(nullptr)},
               {"tool_errors", tool_errors},
               {"sandbox_stops", sandbox_stops},
               {"is_error", is_error()},
               {"duration_ms", duration_ms}};
  if (!error.empty()) json["error"] = error;
  if (worktree) {
    json["branch"] = worktree->branch;
    json["commits"] = worktree->commits;
  }
  return json;
}

ExecutorPool::ExecutorPool(
    ExecutorRunner* runner, ExecutorPoolLimits limits,
    CancellationToken session_cancel, std::function<std::string()> can_start,
    std::function<void(const std::string&, const Json&)> on_event)
    : runner_(runner),
      limits_(limits),
      session_cancel_(std::move(session_cancel)),
      can_start_(std::move(can_start)),
      on_event_(std::move(on_event)) {}

ExecutorPool::~ExecutorPool() { Shutdown(); }

void ExecutorPool::Shutdown() {
  CancelAll();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& executor : executors_) {
      if (executor->thread.joinable()) {
        threads.push_back(std::move(executor->thread));
      }
    }
  }
  for (std::thread& thread : threads) thread.join();
}

Result<std::string> ExecutorPool::Submit(ExecutorSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (int(executors_.size()) >= limits_.max_total) {
    return Status::ResourceExhausted(
        "this session already created " + std::to_string(executors_.size()) +
        " executors, the limit (max_executors); finish with the reports "
        "you have");
  }
  auto executor = std::make_unique<Executor>();
  executor->id = "ex-" + std::to_string(executors_.size() + 1);
  executor->spec = std::move(spec);
  executor->cancel = std::make_unique<CancellationSource>(session_cancel_);
  Executor* raw = executor.get();
  executors_.push_back(std::move(executor));
  waiting_.push_back(raw);
  raw->thread = std::thread([this, raw] { Main(raw); });
  return raw->id;
}

void ExecutorPool::Main(Executor* executor) {
  const std::string& id = executor->id;
  on_event_("executor_queued", {{"executor_id", id},
                                {"description", executor->spec.description},
                                {"message", id + " queued: " +
                                                executor->spec.description}});
  CancellationToken cancel = executor->cancel->token();
  std::string refusal;
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] {
      return cancel.IsCancelled() ||
             (running_ < limits_.max_concurrent && waiting_.front() == executor);
    });
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), executor));
    if (cancel.IsCancelled()) {
      refusal = "cancelled before it started";
    } else {
      refusal = can_start_ ? can_start_() : "";
    }
    if (refusal.empty()) {
      ++running_;
      peak_running_ = std::max(peak_running_, running_);
      executor->state = ExecutorState::kRunning;
    }
  }
  changed_.notify_all();

  ExecutorReport report;
  auto started = std::chrono::steady_clock::now();
  if (!refusal.empty()) {
    report.id = id;
    report.description = executor->spec.description;
    report.status = cancel.IsCancelled() ? "cancelled" : "not_started";
    report.result.stop =
        cancel.IsCancelled() ? StopKind::kCancelled : StopKind::kBudget;
    report.result.is_error = true;
    report.error = refusal;
    spdlog::info("executor not started: executor={} reason={}", id, refusal);
  } else {
    on_event_("executor_start",
              {{"executor_id", id},
               {"description", executor->spec.description},
               {"isolation", executor->spec.worktree ? "worktree" : "none"},
               {"message", id + " started: " + executor->spec.description}});
    spdlog::info("executor started: executor={}", id);
    report = runner_->RunExecutor(id, executor->spec, cancel);
    report.id = id;
    report.description = executor->spec.description;
    if (report.status.empty()) report.status = StatusFor(report.result);
  }
  report.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  Json finished = report.ToJson();
  finished["message"] = id + " " + report.status;
  on_event_(report.status == "cancelled" ? "executor_cancelled"
                                         : "executor_finish",
            finished);
  spdlog::info("executor stopped: executor={} status={}", id, report.status);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (refusal.empty()) --running_;
    executor->state = ExecutorState::kFinished;
    executor->report = std::move(report);
  }
  changed_.notify_all();
}

Result<std::optional<ExecutorReport>> ExecutorPool::Wait(
    const std::string& id, const CancellationToken& cancel) {
  // Wake the wait below when the caller is cancelled.
  CancellationRegistration wake = cancel.OnCancel([this] {
    std::lock_guard<std::mutex> lock(mu_);
    changed_.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu_);
  Executor* executor = nullptr;
  for (auto& e : executors_) {
    if (e->id == id) executor = e.get();
  }
  if (executor == nullptr) {
    return Status::NotFound("no executor \"" + id + "\" in this session");
  }
  changed_.wait(lock, [&] {
    return executor->state == ExecutorState::kFinished || cancel.IsCancelled();
  });
  if (executor->state != ExecutorState::kFinished) {
    return std::optional<ExecutorReport>();
  }
  return std::optional<ExecutorReport>(*executor->report);
}

Status ExecutorPool::Cancel(const std::string& id) {
  CancellationSource* source = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& e : executors_) {
      if (e->id == id) source = e->cancel.get();
    }
  }
  if (source == nullptr) {
    return Status::NotFound("no executor \"" + id + "\" in this session");
  }
  source->Cancel("executor " + id + " cancelled");
  std::lock_guard<std::mutex> lock(mu_);
  changed_.notify_all();
  return Status::Ok();
}

void ExecutorPool::CancelAll() {
  std::vector<CancellationSource*> sources;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& e : executors_) {
      if (e->state != ExecutorState::kFinished) sources.push_back(e->cancel.get());
    }
  }
  for (CancellationSource* source : sources) source->Cancel("session ended");
  std::lock_guard<std::mutex> lock(mu_);
  changed_.notify_all();
}

Json ExecutorPool::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  Json list = Json::array();
  for (const auto& e : executors_) {
    Json item = {{"executor_id", e->id}, {"description", e->spec.description}};
    if (e->state == ExecutorState::kFinished) {
      item["state"] = "finished";
      item["report"] = e->report->ToJson();
    } else {
      item["state"] = e->state == ExecutorState::kQueued ? "queued" : "running";
    }
    list.push_back(std::move(item));
  }
  return list;
}

std::vector<std::string> ExecutorPool::Unfinished() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& e : executors_) {
    if (e->state != ExecutorState::kFinished) ids.push_back(e->id);
  }
  return ids;
}

int ExecutorPool::peak_running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_running_;
}

int ExecutorPool::created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return int(executors_.size());
}

}  // namespace boxagnts::query
