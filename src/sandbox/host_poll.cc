#include "sandbox/host_poll.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "sandbox/guest_memory.h"
#include "sandbox/run_state.h"

namespace boxagnts::sandbox {

namespace {

// WASI preview 1 values (wasi_snapshot_preview1.witx).
constexpr int32_t kErrnoSuccess = 0;
constexpr int32_t kErrnoFault = 21;
constexpr int32_t kErrnoInval = 28;
constexpr uint8_t kEventTypeClock = 0;
constexpr uint32_t kClockRealtime = 0;
constexpr uint32_t kClockMonotonic = 1;
constexpr uint32_t kClockProcessCputime = 2;
constexpr uint32_t kClockThreadCputime = 3;
constexpr uint16_t kSubclockAbstime = 1;
constexpr uint64_t kSubscriptionSize = 48;
constexpr uint64_t kEventSize = 32;

using Clock = std::chrono::steady_clock;

struct Subscription {
  uint64_t userdata = 0;
  uint8_t tag = 0;
  uint32_t clock_id = 0;
  uint64_t timeout_ns = 0;
  uint16_t flags = 0;
};

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

Subscription ParseSubscription(const uint8_t* p) {
  Subscription s;
  s.userdata = Load<uint64_t>(p);
  s.tag = p[8];
  s.clock_id = Load<uint32_t>(p + 16);
  s.timeout_ns = Load<uint64_t>(p + 24);
  s.flags = Load<uint16_t>(p + 40);
  return s;
}

void WriteEvent(uint8_t* p, uint64_t userdata, uint16_t error, uint8_t type) {
  std::memset(p, 0, kEventSize);
  std::memcpy(p, &userdata, 8);
  std::memcpy(p + 8, &error, 2);
  p[10] = type;
}

// Converts a clock subscription to a point on the steady clock, or returns
// false for an unknown clock.
bool WakeTime(const Subscription& s, const RunState& state, Clock::time_point now,
              Clock::time_point* wake) {
  auto capped_ns = [](uint64_t ns) {
    // Cap at a year so the arithmetic below cannot overflow.
    return std::chrono::nanoseconds(
        std::min<uint64_t>(ns, 365ULL * 24 * 3600 * 1'000'000'000ULL));
  };
  if (s.clock_id != kClockRealtime && s.clock_id != kClockMonotonic &&
      s.clock_id != kClockProcessCputime && s.clock_id != kClockThreadCputime) {
    return false;
  }
  if ((s.flags & kSubclockAbstime) == 0) {
    *wake = now + capped_ns(s.timeout_ns);
    return true;
  }
  if (s.clock_id == kClockRealtime) {
    auto real_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    uint64_t real_ns = static_cast<uint64_t>(real_now);
    *wake = s.timeout_ns <= real_ns ? now
                                    : now + capped_ns(s.timeout_ns - real_ns);
    return true;
  }
  // wasmtime's monotonic clock counts from the creation of the WASI
  // context, which the runner records as `start`.
  *wake = state.start + capped_ns(s.timeout_ns);
  return true;
}

}  // namespace

wasm_trap_t* HostPollOneoff(void* env, wasmtime_caller_t* caller,
                            const wasmtime_val_t* args, size_t nargs,
                            wasmtime_val_t* results, size_t nresults) {
  RunState& state = RunStateOf(caller);
  uint32_t in = static_cast<uint32_t>(args[0].of.i32);
  uint32_t out = static_cast<uint32_t>(args[1].of.i32);
  uint32_t count = static_cast<uint32_t>(args[2].of.i32);
  uint32_t nevents_ptr = static_cast<uint32_t>(args[3].of.i32);
  if (count == 0) return ReturnI32(results, kErrnoInval);

  GuestMemory memory(caller);
  const uint8_t* subs_bytes = memory.Range(in, count * kSubscriptionSize);
  if (subs_bytes == nullptr || memory.Range(out, count * kEventSize) == nullptr ||
      memory.Range(nevents_ptr, 4) == nullptr) {
    return ReturnI32(results, kErrnoFault);
  }
  std::vector<Subscription> subs;
  subs.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    subs.push_back(ParseSubscription(subs_bytes + i * kSubscriptionSize));
  }

  // Ready descriptors and invalid clocks complete at once.
  Clock::time_point now = Clock::now();
  std::vector<Clock::time_point> wake(count, Clock::time_point::max());
  bool immediate = false;
  Clock::time_point earliest = Clock::time_point::max();
  for (uint32_t i = 0; i < count; ++i) {
    if (subs[i].tag != kEventTypeClock ||
        !WakeTime(subs[i], state, now, &wake[i])) {
      immediate = true;
      continue;
    }
    earliest = std::min(earliest, wake[i]);
  }

  // Sleep until the earliest clock is due, unless the run must stop first.
  if (!immediate && earliest > now) {
    std::unique_lock<std::mutex> lock(state.sleep_mu);
    state.sleep_cv.wait_until(lock, std::min(earliest, state.deadline), [&] {
      return state.stop() != HostStop::kNone;
    });
  }
  if (state.stop() != HostStop::kNone || state.CheckDeadline()) {
    const char kMessage[] = "boxagnts: run stopped during poll_oneoff";
    return wasmtime_trap_new(kMessage, sizeof(kMessage) - 1);
  }

  // Memory cannot have moved: the guest is single-threaded and blocked here.
  uint8_t* events = memory.Range(out, count * kEventSize);
  now = Clock::now();
  uint32_t written = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const Subscription& s = subs[i];
    uint8_t* event = events + written * kEventSize;
    if (s.tag != kEventTypeClock) {
      WriteEvent(event, s.userdata, kErrnoSuccess, s.tag);
    } else if (wake[i] == Clock::time_point::max()) {
      WriteEvent(event, s.userdata, kErrnoInval, kEventTypeClock);
    } else if (wake[i] <= now) {
      WriteEvent(event, s.userdata, kErrnoSuccess, kEventTypeClock);
    } else {
      continue;
    }
    ++written;
  }
  memory.WriteU32(nevents_ptr, written);
  return ReturnI32(results, kErrnoSuccess);
}

}  // namespace boxagnts::sandbox
