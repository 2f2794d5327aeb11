// Serialises tool calls that change the same file, so that two agents
// sharing a work dir never interleave a read-modify-write (an Edit) with
// another write to that file. Calls on different files run in parallel.
#ifndef BOXAGNTS_QUERY_PATH_LOCKS_H_
#define BOXAGNTS_QUERY_PATH_LOCKS_H_

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "tools/tool.h"

namespace boxagnts::query {

class PathLocks {
 public:
  // Holds the locks of a set of paths until destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept
        : owner_(other.owner_), paths_(std::move(other.paths_)) {
      other.owner_ = nullptr;
    }
    Hold& operator=(Hold&&) = delete;
    ~Hold();

   private:
    friend class PathLocks;
    PathLocks* owner_ = nullptr;
    std::vector<std::string> paths_;
  };

  // For a tool that changes files (not read-only): locks every path its
  // input names in a path field, resolved against `work_dir`, waiting for
  // other holders. Read-only tools get an empty hold.
  Hold LockFor(const tools::ToolSpec& spec, const Json& input,
               const std::string& work_dir);

 private:
  void Release(const std::vector<std::string>& paths);

  std::mutex mu_;
  std::condition_variable released_;
  std::set<std::string> held_;  // guarded by mu_
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_PATH_LOCKS_H_
