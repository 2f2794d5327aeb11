#include "core/cancellation.h"

#include <condition_variable>
#include <thread>
#include <vector>

namespace boxagnts {
namespace internal {

struct CancellationState {
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  std::condition_variable callback_done;
  std::string reason;                                 // guarded by mu
  uint64_t next_id = 1;                               // guarded by mu
  std::map<uint64_t, std::function<void()>> callbacks;  // guarded by mu
  uint64_t running_id = 0;                            // guarded by mu
  std::thread::id running_thread;                     // guarded by mu
};

}  // namespace internal

using internal::CancellationState;

CancellationRegistration::CancellationRegistration(
    CancellationRegistration&& other) noexcept
    : state_(std::move(other.state_)), id_(other.id_) {
  other.id_ = 0;
}

CancellationRegistration& CancellationRegistration::operator=(
    CancellationRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    state_ = std::move(other.state_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void CancellationRegistration::Reset() {
  if (!state_ || id_ == 0) return;
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->callbacks.erase(id_);
  // Wait out a callback that another thread is running right now, unless
  // this thread is that one (a callback that resets its own registration).
  state_->callback_done.wait(lock, [&] {
    return state_->running_id != id_ ||
           state_->running_thread == std::this_thread::get_id();
  });
  state_.reset();
  id_ = 0;
}

CancellationToken::CancellationToken()
    : state_(std::make_shared<CancellationState>()) {}

bool CancellationToken::IsCancelled() const {
  return state_->cancelled.load(std::memory_order_acquire);
}

std::string CancellationToken::Reason() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->reason;
}

CancellationRegistration CancellationToken::OnCancel(
    std::function<void()> callback) const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->cancelled.load(std::memory_order_acquire)) {
      uint64_t id = state_->next_id++;
      state_->callbacks.emplace(id, std::move(callback));
      return CancellationRegistration(state_, id);
    }
  }
  callback();
  return CancellationRegistration();
}

CancellationSource::CancellationSource()
    : state_(std::make_shared<CancellationState>()) {}

CancellationSource::CancellationSource(const CancellationToken& parent)
    : CancellationSource() {
  std::weak_ptr<CancellationState> weak = state_;
  parent_registration_ = parent.OnCancel([weak, parent] {
    if (auto state = weak.lock()) {
      CancellationSource child_view;
      child_view.state_ = state;
      child_view.Cancel(parent.Reason());
    }
  });
}

void CancellationSource::Cancel(const std::string& reason) {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (state_->cancelled.load(std::memory_order_acquire)) return;
  state_->reason = reason;
  state_->cancelled.store(true, std::memory_order_release);
  // Run callbacks one at a time without holding the lock, so a callback may
  // register or reset other registrations.
  while (!state_->callbacks.empty()) {
    auto it = state_->callbacks.begin();
    uint64_t id = it->first;
    std::function<void()> callback = std::move(it->second);
    state_->callbacks.erase(it);
    state_->running_id = id;
    state_->running_thread = std::this_thread::get_id();
    lock.unlock();
    callback();
    lock.lock();
    state_->running_id = 0;
    state_->callback_done.notify_all();
  }
}

}  // namespace boxagnts
