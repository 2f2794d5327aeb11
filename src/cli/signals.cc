#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "core/log.h"

namespace boxagnts::cli {

void CancelOnInterrupt(CancellationSource* source) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, source] {
    int count = 0;
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (++count >= 2) {
        // The user insists: stop now, without cleanup.
        _exit(130);
      }
      spdlog::info("received signal {}: cancelling", sig);
      source->Cancel(sig == SIGINT ? "interrupted" : "terminated");
    }
  }).detach();
}

}  // namespace boxagnts::cli
