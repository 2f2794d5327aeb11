#include "sandbox/run_state.h"

namespace boxagnts::sandbox {

void OutputCapture::Append(std::string_view chunk) {
  uint64_t room = max_bytes > bytes.size() ? max_bytes - bytes.size() : 0;
  if (chunk.size() > room) {
    truncated = true;
    chunk = chunk.substr(0, room);
  }
  if (chunk.empty()) return;
  bytes.append(chunk);
  if (sink) sink(chunk);
}

void RunState::RequestStop(HostStop reason) {
  int expected = static_cast<int>(HostStop::kNone);
  host_stop.compare_exchange_strong(expected, static_cast<int>(reason),
                                    std::memory_order_acq_rel);
  stop_source.Cancel(reason == HostStop::kTimeout ? "timeout" : "cancelled");
  {
    std::lock_guard<std::mutex> lock(sleep_mu);
  }
  sleep_cv.notify_all();
}

bool RunState::CheckDeadline() {
  if (Clock::now() < deadline) return false;
  RequestStop(HostStop::kTimeout);
  return true;
}

}  // namespace boxagnts::sandbox
