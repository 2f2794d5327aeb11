#include "sandbox/module_cache.h"

#include <sys/stat.h>

#include <unistd.h>

#include <cerrno>

#include "core/files.h"
#include "core/log.h"

namespace boxagnts::sandbox {

namespace {

// Disk entry layout: magic, hex SHA-256 of the payload, payload (the
// output of wasmtime_module_serialize).
constexpr std::string_view kDiskMagic = "BXAGCWM1";
constexpr size_t kDigestHexSize = 64;

bool IsBinaryModule(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("\0asm", 4);
}

// Returns the binary form of `bytes`, converting WAT text when needed.
Result<std::string> ToBinary(std::string_view bytes, std::string_view name) {
  if (IsBinaryModule(bytes)) return std::string(bytes);
  wasm_byte_vec_t out;
  ErrorHandle error(wasmtime_wat2wasm(bytes.data(), bytes.size(), &out));
  if (error) {
    return Status::InvalidArgument(
        "module \"" + std::string(name) +
        "\" is neither a WebAssembly binary nor valid WAT text: " +
        ErrorMessage(error.get()));
  }
  std::string binary(out.data, out.size);
  wasm_byte_vec_delete(&out);
  return binary;
}

}  // namespace

ModuleCache::ModuleCache(Engine* engine, std::string disk_dir)
    : engine_(engine), disk_dir_(std::move(disk_dir)) {}

Result<std::shared_ptr<const CompiledModule>> ModuleCache::Get(
    std::string_view bytes, std::string_view name) {
  Result<std::string> wasm = ToBinary(bytes, name);
  if (!wasm.ok()) return wasm.status();
  std::string key = Sha256Hex(Sha256Hex(*wasm) + "\n" + engine_->fingerprint());
  return LoadOrCompile(key, *wasm, name);
}

Result<std::shared_ptr<const CompiledModule>> ModuleCache::GetFile(
    const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::FromErrno("open module \"" + path + "\"", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("module \"" + path +
                                   "\" is not a regular file");
  }
  std::string identity = path + "\n" + std::to_string(st.st_dev) + ":" +
                         std::to_string(st.st_ino) + ":" +
                         std::to_string(st.st_size) + ":" +
                         std::to_string(st.st_mtim.tv_sec) + "." +
                         std::to_string(st.st_mtim.tv_nsec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = file_keys_.find(identity);
    if (it != file_keys_.end()) {
      auto found = by_key_.find(it->second);
      if (found != by_key_.end()) {
        lru_.splice(lru_.begin(), lru_, found->second);
        ++stats_.memory_hits;
        return *found->second;
      }
    }
  }
  Result<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status().WithPrefix("read module");
  Result<std::shared_ptr<const CompiledModule>> compiled = Get(*bytes, path);
  if (compiled.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    file_keys_[identity] = (*compiled)->key;
  }
  return compiled;
}

Result<std::shared_ptr<const CompiledModule>> ModuleCache::LoadOrCompile(
    const std::string& key, std::string_view wasm, std::string_view name) {
  if (auto hit = Lookup(key)) return hit;

  Result<ModuleHandle> from_disk = LoadFromDisk(key);
  if (from_disk.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.disk_hits;
    }
    return Finish(key, std::move(*from_disk), name);
  }

  wasmtime_module_t* raw = nullptr;
  ErrorHandle error(wasmtime_module_new(
      engine_->raw(), reinterpret_cast<const uint8_t*>(wasm.data()),
      wasm.size(), &raw));
  if (error) {
    return Status::InvalidArgument("compile module \"" + std::string(name) +
                                   "\": " + ErrorMessage(error.get()));
  }
  ModuleHandle module(raw);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.compiles;
  }
  StoreOnDisk(key, module.get());
  return Finish(key, std::move(module), name);
}

Result<ModuleHandle> ModuleCache::LoadFromDisk(const std::string& key) {
  if (disk_dir_.empty()) return Status::NotFound("no disk cache");
  std::string path = disk_dir_ + "/" + key + ".cwasm";
  // Compiled code runs natively, so trust only entries that no other user
  // could have written: the folder and the file must belong to
  // this user and be writable by no one else, and the entry must be a
  // regular file (a FIFO would block the load).
  struct stat dir_stat, file_stat;
  if (lstat(path.c_str(), &file_stat) != 0) {
    return Status::FromErrno("open \"" + path + "\"", errno);
  }
  if (stat(disk_dir_.c_str(), &dir_stat) != 0 || !S_ISDIR(dir_stat.st_mode) ||
      dir_stat.st_uid != geteuid() || (dir_stat.st_mode & 022) != 0 ||
      !S_ISREG(file_stat.st_mode) || file_stat.st_uid != geteuid() ||
      (file_stat.st_mode & 022) != 0) {
    spdlog::warn("module cache: ignoring \"{}\": the entry or its folder is "
                 "not a private file of this user; recompiling",
                 path);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.disk_rejects;
    return Status::PermissionDenied("untrusted cache entry");
  }
  Result<std::string> data = ReadFileToString(path);
  if (!data.ok()) return data.status();

  auto reject = [&](const std::string& why) -> Status {
    spdlog::warn("module cache: entry \"{}\" {}; recompiling", path, why);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.disk_rejects;
    return Status::DataLoss(why);
  };
  std::string_view view(*data);
  size_t header = kDiskMagic.size() + kDigestHexSize;
  if (view.size() < header || view.substr(0, kDiskMagic.size()) != kDiskMagic) {
    return reject("has an unknown format");
  }
  std::string_view digest = view.substr(kDiskMagic.size(), kDigestHexSize);
  std::string_view payload = view.substr(header);
  if (Sha256Hex(payload) != digest) return reject("fails its checksum");

  wasmtime_module_t* raw = nullptr;
  ErrorHandle error(wasmtime_module_deserialize(
      engine_->raw(), reinterpret_cast<const uint8_t*>(payload.data()),
      payload.size(), &raw));
  if (error) return reject("cannot be loaded: " + ErrorMessage(error.get()));
  return ModuleHandle(raw);
}

void ModuleCache::StoreOnDisk(const std::string& key,
                              const wasmtime_module_t* module) {
  if (disk_dir_.empty()) return;
  wasm_byte_vec_t serialized;
  ErrorHandle error(wasmtime_module_serialize(
      module, &serialized));
  if (error) {
    spdlog::warn("module cache: serialising {} failed: {}", key,
                 ErrorMessage(error.get()));
    return;
  }
  std::string_view payload(serialized.data, serialized.size);
  std::string contents;
  contents.reserve(kDiskMagic.size() + kDigestHexSize + payload.size());
  contents += kDiskMagic;
  contents += Sha256Hex(payload);
  contents += payload;
  wasm_byte_vec_delete(&serialized);

  Status status = CreateDirectories(disk_dir_);
  if (status.ok()) ::chmod(disk_dir_.c_str(), 0700);
  if (status.ok()) {
    status = WriteFileAtomic(disk_dir_ + "/" + key + ".cwasm", contents, 0600);
  }
  // A cache that cannot be written costs a compile next time, nothing more.
  if (!status.ok()) {
    spdlog::warn("module cache: writing {} failed: {}", key, status.message());
  }
}

Result<std::shared_ptr<const CompiledModule>> ModuleCache::Finish(
    const std::string& key, ModuleHandle module, std::string_view name) {
  wasmtime_instance_pre_t* pre = nullptr;
  ErrorHandle error(wasmtime_linker_instantiate_pre(engine_->linker(),
                                                    module.get(), &pre));
  if (error) {
    return Status::InvalidArgument(
        "module \"" + std::string(name) +
        "\" needs imports the sandbox does not provide (it offers WASI "
        "preview 1 and the boxagnts host functions): " +
        ErrorMessage(error.get()));
  }
  auto compiled = std::make_shared<CompiledModule>();
  compiled->module = std::move(module);
  compiled->instance_pre.reset(pre);
  compiled->key = key;
  Insert(compiled);
  return std::shared_ptr<const CompiledModule>(compiled);
}

std::shared_ptr<const CompiledModule> ModuleCache::Lookup(
    const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  ++stats_.memory_hits;
  return *it->second;
}

void ModuleCache::Insert(const std::shared_ptr<const CompiledModule>& compiled) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_key_.count(compiled->key) != 0) return;
  lru_.push_front(compiled);
  by_key_[compiled->key] = lru_.begin();
  while (lru_.size() > kMaxMemoryEntries) {
    by_key_.erase(lru_.back()->key);
    lru_.pop_back();
  }
}

void ModuleCache::ClearMemory() {
  std::lock_guard<std::mutex> lock(mu_);
  lru_.clear();
  by_key_.clear();
  file_keys_.clear();
}

ModuleCacheStats ModuleCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace boxagnts::sandbox
