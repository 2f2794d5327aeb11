// Per-run state shared between the runner and the host functions the guest
// calls. The store's data pointer points at it for the whole run.

#ifndef BOXAGNTS_SANDBOX_RUN_STATE_H_
#define BOXAGNTS_SANDBOX_RUN_STATE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/cancellation.h"

namespace boxagnts::sandbox {

class NetworkBroker;

// The reason the host stopped a run before the guest finished.
enum class HostStop : int { kNone = 0, kTimeout, kCancelled };

// Captures one output stream up to a byte cap. Bytes past the cap are
// dropped and `truncated` is set; the guest still gets success for those writes.
struct OutputCapture {
  uint64_t max_bytes = 0;
  std::string bytes;
  bool truncated = false;
  // Receives each accepted chunk as it is written, when set.
  std::function<void(std::string_view)> sink;

  void Append(std::string_view chunk);
};

struct RunState {
  using Clock = std::chrono::steady_clock;

  Clock::time_point start;
  Clock::time_point deadline;
  std::string run_id;

  // Cancelled by the caller's token or by the host when the run times
  // out, so blocking host calls (sleeps, HTTP) end at once.
  CancellationSource stop_source;
  std::atomic<int> host_stop{static_cast<int>(HostStop::kNone)};

  // Wakes a guest that sleeps in poll_oneoff.
  std::mutex sleep_mu;
  std::condition_variable sleep_cv;

  OutputCapture stdout_capture;
  OutputCapture stderr_capture;

  // Null when the run has no network.
  std::shared_ptr<NetworkBroker> network;
  // Response of the last http_request, waiting for http_read_response.
  std::string pending_response;

  HostStop stop() const {
    return static_cast<HostStop>(host_stop.load(std::memory_order_acquire));
  }

  // Records why the run must stop (the first reason wins), cancels
  // blocking host calls and wakes a sleeping guest.
  void RequestStop(HostStop reason);

  // Returns true, after recording a timeout, when the deadline has passed.
  bool CheckDeadline();
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_RUN_STATE_H_
