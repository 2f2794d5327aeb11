// Cancellation shared between the code that cancels and the work that is
// cancelled.
//
// A CancellationSource owns the flag; any number of CancellationTokens
// observe it. Work that blocks (a sandbox run, an HTTP stream, a wait)
// registers a callback so that Cancel() reaches it at once instead of at
// the next poll. A child source is cancelled whenever its parent is.
//
// Thread safety: every member may be called from any thread.

#ifndef BOXAGNTS_CORE_CANCELLATION_H_
#define BOXAGNTS_CORE_CANCELLATION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace boxagnts {

namespace internal {
struct CancellationState;
}  // namespace internal

class CancellationToken;

// Removes its callback from the token when destroyed, so a callback never
// runs after the object it captures is gone.
class CancellationRegistration {
 public:
  CancellationRegistration() = default;
  CancellationRegistration(std::shared_ptr<internal::CancellationState> state,
                           uint64_t id)
      : state_(std::move(state)), id_(id) {}
  ~CancellationRegistration() { Reset(); }
  CancellationRegistration(CancellationRegistration&& other) noexcept;
  CancellationRegistration& operator=(CancellationRegistration&& other) noexcept;
  CancellationRegistration(const CancellationRegistration&) = delete;
  CancellationRegistration& operator=(const CancellationRegistration&) = delete;

  // Unregisters the callback. If the callback is running on another thread,
  // waits until it returns.
  void Reset();

 private:
  std::shared_ptr<internal::CancellationState> state_;
  uint64_t id_ = 0;
};

class CancellationToken {
 public:
  // A token that is never cancelled.
  CancellationToken();

  bool IsCancelled() const;

  // Returns the reason given to Cancel(), or "" while not cancelled.
  std::string Reason() const;

  // Runs `callback` once when the token is cancelled: at once, on this
  // thread, if it already is; otherwise on the thread that calls Cancel().
  // The callback must be quick and must not call back into this token.
  [[nodiscard]] CancellationRegistration OnCancel(
      std::function<void()> callback) const;

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<internal::CancellationState> s)
      : state_(std::move(s)) {}
  std::shared_ptr<internal::CancellationState> state_;
};

class CancellationSource {
 public:
  CancellationSource();
  // Creates a source that is also cancelled when `parent` is.
  explicit CancellationSource(const CancellationToken& parent);

  // Cancels the token and runs every registered callback once. Later calls
  // do nothing.
  void Cancel(const std::string& reason = "cancelled");

  CancellationToken token() const { return CancellationToken(state_); }
  bool IsCancelled() const { return token().IsCancelled(); }

 private:
  std::shared_ptr<internal::CancellationState> state_;
  CancellationRegistration parent_registration_;
};

}  // namespace boxagnts

#endif  // BOXAGNTS_CORE_CANCELLATION_H_
