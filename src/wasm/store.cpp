#include "wasm/store.h"

#include <sys/mman.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "wasm/compiled_code.h"
#include "wasm/instance.h"

namespace wasmdapr::wasm {

// ---- Memory ----------------------------------------------------------------------------

Result<std::unique_ptr<Memory>, std::string> Memory::create(const MemoryType& type,
                                                            uint32_t max_pages_limit) {
  uint32_t max_pages =
      std::min<uint32_t>(type.limits.max.value_or(kMaxPages), std::min(max_pages_limit, kMaxPages));
  if (type.limits.min > max_pages) {
    return unexpected("memory of " + std::to_string(type.limits.min) +
                      " pages exceeds the limit of " + std::to_string(max_pages) + " pages");
  }
  auto m = std::make_unique<Memory>();
  m->type_ = type;
  m->max_pages_ = max_pages;
  // Reserve the whole maximum (at least one page of address space) so data() never moves.
  m->reserved_bytes_ = std::max<uint64_t>(uint64_t(max_pages) * kPageSize, kPageSize);
  void* base = mmap(nullptr, m->reserved_bytes_, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return unexpected(std::string("cannot reserve linear memory"));
  m->base_ = static_cast<uint8_t*>(base);
  if (m->grow(type.limits.min) < 0) return unexpected(std::string("cannot commit linear memory"));
  return m;
}

Memory::~Memory() {
  if (base_) munmap(base_, reserved_bytes_);
}

int64_t Memory::grow(uint32_t delta_pages) {
  uint64_t old_pages = pages();
  uint64_t new_pages = old_pages + delta_pages;
  if (new_pages > max_pages_) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  uint64_t new_size = new_pages * kPageSize;
  if (mprotect(base_ + size_bytes_, new_size - size_bytes_, PROT_READ | PROT_WRITE) != 0) {
    return -1;
  }
  size_bytes_ = new_size;
  return static_cast<int64_t>(old_pages);
}

// ---- Table -----------------------------------------------------------------------------

Table::Table(const TableType& type, uint32_t max_elements_limit, RawValue init)
    : elements(type.limits.min, init), type_(type) {
  max_size_ = std::min<uint32_t>(type.limits.max.value_or(0xFFFFFFFFu), max_elements_limit);
}

int64_t Table::grow(uint32_t delta, RawValue init) {
  uint64_t old = elements.size();
  if (old + delta > max_size_) return -1;
  elements.resize(old + delta, init);
  return static_cast<int64_t>(old);
}

// ---- host context and type identity ----------------------------------------------------

Memory* HostContext::memory() {
  if (!caller_) return nullptr;
  if (Memory* m = caller_->exported_memory()) return m;
  return caller_->memories.empty() ? nullptr : caller_->memories[0];
}

uint32_t canonical_type_id(const FuncType& type) {
  static std::mutex mutex;
  static std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> ids;
  std::lock_guard lock(mutex);
  auto [it, inserted] =
      ids.try_emplace({type.params, type.results}, static_cast<uint32_t>(ids.size() + 1));
  return it->second;
}

// ---- SlotStack -------------------------------------------------------------------------

SlotStack::SlotStack(size_t slots) {
  void* p = mmap(nullptr, slots * sizeof(RawValue), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;  // size() stays 0: every call then reports stack exhaustion
  data_ = static_cast<RawValue*>(p);
  size_ = slots;
}

SlotStack::~SlotStack() {
  if (data_) munmap(data_, size_ * sizeof(RawValue));
}

// ---- Store -----------------------------------------------------------------------------

Store::Store(StoreConfig config) : config_(config) {}
Store::~Store() = default;

Result<Memory*, std::string> Store::new_memory(const MemoryType& type) {
  auto m = Memory::create(type, config_.max_memory_pages);
  if (!m) return unexpected(std::move(m).error());
  memories_.push_back(std::move(*m));
  return memories_.back().get();
}

Table* Store::new_table(const TableType& type, RawValue init) {
  tables_.emplace_back(type, config_.max_table_elements, init);
  return &tables_.back();
}

Global* Store::new_global(const GlobalType& type, RawValue value) {
  globals_.push_back(Global{type, value});
  return &globals_.back();
}

Function* Store::new_host_function(const HostFunctionDef& def) {
  Function f;
  f.type = &def.type;
  f.type_id = canonical_type_id(def.type);
  f.host = &def;
  functions_.push_back(f);
  return &functions_.back();
}

Function* Store::new_function(Function f) {
  functions_.push_back(f);
  return &functions_.back();
}

Instance* Store::adopt(std::unique_ptr<Instance> instance) {
  instances_.push_back(std::move(instance));
  return instances_.back().get();
}

ExecState& Store::exec() {
  if (!exec_) {
    exec_ = std::make_unique<ExecState>(config_.value_stack_slots);
    exec_->frames.reserve(config_.max_call_depth + 1);
  }
  return *exec_;
}

Result<void, Trap> Store::check_interrupt() {
  constexpr int64_t kChunk = 10'000;
  ExecState& st = exec();
  if (interrupt_requested_.exchange(false, std::memory_order_relaxed)) {
    return unexpected(Trap::make(Trap::Kind::Interrupted, "interrupted by the host"));
  }
  if (st.deadline && std::chrono::steady_clock::now() >= *st.deadline) {
    return unexpected(Trap::make(Trap::Kind::Interrupted));
  }
  int64_t chunk = kChunk;
  if (st.fuel) {
    // The units used since the last refill: the chunk handed out minus what is left of it.
    if (*st.fuel == 0) return unexpected(Trap::make(Trap::Kind::OutOfFuel));
    chunk = static_cast<int64_t>(std::min<uint64_t>(*st.fuel, kChunk));
    *st.fuel -= static_cast<uint64_t>(chunk);
  }
  st.budget = chunk;
  return {};
}

}  // namespace wasmdapr::wasm
