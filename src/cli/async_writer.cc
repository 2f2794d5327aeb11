#include "cli/async_writer.h"

#include <unistd.h>

#include <cerrno>

namespace boxagnts::cli {

AsyncWriter::AsyncWriter(int fd) : fd_(fd), thread_([this] { Loop(); }) {}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  ready_.notify_all();
  thread_.join();
}

void AsyncWriter::Write(std::string_view bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.append(bytes);
  }
  ready_.notify_all();
}

void AsyncWriter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool reader_gone = false;
  while (true) {
    ready_.wait(lock, [this] { return closing_ || !pending_.empty(); });
    if (pending_.empty() && closing_) return;
    std::string chunk;
    chunk.swap(pending_);
    lock.unlock();
    std::string_view rest = chunk;
    while (!rest.empty() && !reader_gone) {
      ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      // EPIPE and other errors: the reader went away; drop the output.
      if (n <= 0) reader_gone = true;
      if (n > 0) rest.remove_prefix(static_cast<size_t>(n));
    }
    lock.lock();
  }
}

}  // namespace boxagnts::cli
