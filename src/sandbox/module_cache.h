// Compiled modules, cached in memory and on disk.
//
// The cache key is the SHA-256 of the module bytes and the engine's
// fingerprint (wasmtime version, target and code-affecting settings), so a
// changed module, setting or wasmtime release never reuses stale code. Disk
// entries carry a checksum of their payload: a corrupt, truncated or stale
// entry is logged, recompiled and rewritten, never fatal. Writes are atomic
// (temporary file and rename), so readers never see a partial entry.
//
// Thread safety: every member may be called from any thread.

#ifndef BOXAGNTS_SANDBOX_MODULE_CACHE_H_
#define BOXAGNTS_SANDBOX_MODULE_CACHE_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "sandbox/engine.h"
#include "sandbox/wasm_handles.h"

namespace boxagnts::sandbox {

// A module compiled for one engine, with its imports already resolved
// against the engine's linker. Immutable and shareable between threads.
struct CompiledModule {
  ModuleHandle module;
  InstancePreHandle instance_pre;
  std::string key;  // cache key, hex
};

struct ModuleCacheStats {
  uint64_t memory_hits = 0;
  uint64_t disk_hits = 0;
  uint64_t compiles = 0;
  uint64_t disk_rejects = 0;  // corrupt or stale disk entries replaced
};

class ModuleCache {
 public:
  // Entries kept in memory; the least recently used one is dropped first.
  static constexpr size_t kMaxMemoryEntries = 64;

  // `disk_dir` empty keeps the cache in memory only. The folder is created
  // with mode 0700 on first write.
  ModuleCache(Engine* engine, std::string disk_dir);

  // Returns the compiled form of `bytes`, a binary module or WAT text.
  // `name` is used in error messages.
  Result<std::shared_ptr<const CompiledModule>> Get(std::string_view bytes,
                                                    std::string_view name);

  // Like Get for the file at `path`. A file whose path, inode, size and
  // modification time are unchanged is not read or hashed again.
  Result<std::shared_ptr<const CompiledModule>> GetFile(
      const std::string& path);

  // Forgets the in-memory entries, so the next Get loads from disk.
  void ClearMemory();

  Engine* engine() const { return engine_; }

  ModuleCacheStats stats() const;

 private:
  Result<std::shared_ptr<const CompiledModule>> LoadOrCompile(
      const std::string& key, std::string_view wasm, std::string_view name);
  Result<ModuleHandle> LoadFromDisk(const std::string& key);
  void StoreOnDisk(const std::string& key, const wasmtime_module_t* module);
  Result<std::shared_ptr<const CompiledModule>> Finish(const std::string& key,
                                                       ModuleHandle module,
                                                       std::string_view name);
  std::shared_ptr<const CompiledModule> Lookup(const std::string& key);
  void Insert(const std::shared_ptr<const CompiledModule>& compiled);

  Engine* const engine_;
  const std::string disk_dir_;

  mutable std::mutex mu_;
  // Most recently used first. Guarded by mu_.
  std::list<std::shared_ptr<const CompiledModule>> lru_;
  std::map<std::string, std::list<std::shared_ptr<const CompiledModule>>::iterator>
      by_key_;                                      // guarded by mu_
  std::map<std::string, std::string> file_keys_;    // guarded by mu_
  ModuleCacheStats stats_;                          // guarded by mu_
};

}  // namespace boxagnts::sandbox

#endif  // BOXAGNTS_SANDBOX_MODULE_CACHE_H_
