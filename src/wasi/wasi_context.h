#pragma once
// WASI preview 1 (wasi_snapshot_preview1) with a capability sandbox.
//
// A guest sees only what its WasiContext grants: the arguments and environment given, stdio,
// and the preopened directories. Paths are resolved beneath a directory descriptor the guest
// holds (openat2 with RESOLVE_BENEATH, or a component-by-component walk where the kernel
// lacks it); no `..`, absolute path or symlink leads outside. Every descriptor carries WASI
// rights, checked on each call.
//
//   auto wasi = WasiContext::create(config);    // one per instance (per Store)
//   add_to_linker(linker);                      // once per Linker
//   store.set_host_state(wasi->get());          // host functions find their context here

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "wasm/linker.h"
#include "base/result.h"

namespace wasmdapr::wasi {

struct Preopen {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;
};

struct WasiConfig {
  std::vector<std::string> args;  // argv, including argv[0]
  std::vector<std::string> env;   // "KEY=VALUE", exactly what the guest sees
  std::vector<Preopen> preopens;  // become fds 3, 4, ... in order
  // Listening host sockets, preopened after the directories (duplicated: the caller keeps its
  // own descriptors).
  std::vector<int> listen_sockets;
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;  // host fds, duplicated (not owned)
};

// One open descriptor of the guest.
struct Descriptor {
  int host_fd = -1;      // owned, closed with the descriptor (stdio: a duplicate)
  uint8_t filetype = 0;  // WASI filetype
  uint16_t fdflags = 0;  // WASI fdflags
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  std::string preopen_name;  // non-empty for preopened directories
  bool is_preopen = false;
  // Directory listing, captured at the first fd_readdir so cookies stay stable.
  std::vector<std::pair<uint64_t, std::string>> dir_entries;  // (inode, name); d_type on read
  bool listed = false;
  ~Descriptor();
  Descriptor() = default;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
};

class WasiContext {
 public:
  // Fails when a preopen cannot be opened (naming it).
  static Result<std::unique_ptr<WasiContext>, std::string> create(const WasiConfig& config);

  const WasiConfig& config() const { return config_; }
  Descriptor* find(uint32_t fd);
  uint32_t insert(std::unique_ptr<Descriptor> d);  // lowest free number
  bool close(uint32_t fd);
  bool renumber(uint32_t from, uint32_t to);

 private:
  WasiConfig config_;
  std::map<uint32_t, std::unique_ptr<Descriptor>> fds_;
};

// Defines every function of "wasi_snapshot_preview1". Each call takes its context from
// HostContext::store().host_state(), which must point at a WasiContext.
void add_to_linker(wasm::Linker& linker);

}  // namespace wasmdapr::wasi
