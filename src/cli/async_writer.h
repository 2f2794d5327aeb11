// Writes to a file descriptor on its own thread, so a slow reader of the
// command's output cannot slow down the work that produces it.

#ifndef BOXAGNTS_CLI_ASYNC_WRITER_H_
#define BOXAGNTS_CLI_ASYNC_WRITER_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace boxagnts::cli {

class AsyncWriter {
 public:
  explicit AsyncWriter(int fd);
  // Waits until everything queued is written (or the reader went away).
  ~AsyncWriter();

  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Queues `bytes` and returns at once. The caller bounds the total, as
  // the sandbox's output caps do.
  void Write(std::string_view bytes);

 private:
  void Loop();

  const int fd_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::string pending_;  // guarded by mu_
  bool closing_ = false; // guarded by mu_
  std::thread thread_;
};

}  // namespace boxagnts::cli

#endif  // BOXAGNTS_CLI_ASYNC_WRITER_H_
