#include "query/path_locks.h"

#include <algorithm>
#include <filesystem>

namespace boxagnts::query {

PathLocks::Hold::~Hold() {
  if (owner_ != nullptr) owner_->Release(paths_);
}

PathLocks::Hold PathLocks::LockFor(const tools::ToolSpec& spec,
                                   const Json& input,
                                   const std::string& work_dir) {
  Hold hold;
  if (spec.read_only) return hold;
  for (const std::string& field : spec.path_fields) {
    auto it = input.find(field);
    if (it == input.end() || !it->is_string()) continue;
    std::filesystem::path path(it->get<std::string>());
    if (path.is_relative()) path = std::filesystem::path(work_dir) / path;
    // Symlinks are not resolved: both writers name the same text in
    // practice, and the lock only needs to order them.
    hold.paths_.push_back(path.lexically_normal().string());
  }
  if (hold.paths_.empty()) return hold;
  // One order for everyone, so that two holders never wait on each other.
  std::sort(hold.paths_.begin(), hold.paths_.end());
  hold.paths_.erase(std::unique(hold.paths_.begin(), hold.paths_.end()),
                    hold.paths_.end());
  std::unique_lock<std::mutex> lock(mu_);
  released_.wait(lock, [&] {
    return std::none_of(hold.paths_.begin(), hold.paths_.end(),
                        [&](const std::string& p) { return held_.count(p); });
  });
  held_.insert(hold.paths_.begin(), hold.paths_.end());
  hold.owner_ = this;
  return hold;
}

void PathLocks::Release(const std::vector<std::string>& paths) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& p : paths) held_.erase(p);
  }
  released_.notify_all();
}

}  // namespace boxagnts::query
