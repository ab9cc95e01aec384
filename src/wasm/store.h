#pragma once
// Runtime objects: memories, tables, globals and functions, owned by a Store.
//
// A Store is the unit of single-threaded use (like Wasmtime's): it owns every object created
// for the instances in it, and the execution state (value stack, limits) of calls into them.
// Objects are addressed by plain pointers that stay valid for the Store's lifetime. Several
// Stores may share one compiled Module on different threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "wasm/trap.h"
#include "wasm/types.h"
#include "wasm/value.h"

namespace wasmdapr::wasm {

class Instance;
class Store;
struct CompiledFunction;

// Linear memory. The base address never moves: the full maximum is reserved up front as
// inaccessible address space and committed as the memory grows, so the interpreter and host
// functions may cache data() across calls except across a grow of a different size.
class Memory {
 public:
  // max_pages_limit: the host's cap (≤ kMaxPages); the effective maximum is the smaller of it
  // and the type's own maximum.
  static Result<std::unique_ptr<Memory>, std::string> create(const MemoryType& type,
                                                             uint32_t max_pages_limit);
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  uint8_t* data() const { return base_; }
  uint64_t size_bytes() const { return size_bytes_; }
  uint32_t pages() const { return static_cast<uint32_t>(size_bytes_ / kPageSize); }
  uint32_t max_pages() const { return max_pages_; }
  const MemoryType& type() const { return type_; }

  // memory.grow semantics: returns the old size in pages, or -1 when the new size would pass
  // the maximum or cannot be committed. Never traps.
  int64_t grow(uint32_t delta_pages);

  // Bounds-checked access for host functions: true iff [offset, offset+length) is inside.
  bool in_bounds(uint64_t offset, uint64_t length) const {
    return offset <= size_bytes_ && length <= size_bytes_ - offset;
  }

  // An empty memory with no address space; create() is the way to make a usable one.
  Memory() = default;

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_bytes_ = 0;
  uint64_t reserved_bytes_ = 0;
  uint32_t max_pages_ = 0;
  MemoryType type_;
};

class Table {
 public:
  Table(const TableType& type, uint32_t max_elements_limit, RawValue init);
  std::vector<RawValue> elements;  // funcref: Function* bits; externref: host word; 0 = null
  const TableType& type() const { return type_; }
  uint32_t size() const { return static_cast<uint32_t>(elements.size()); }
  uint32_t max_size() const { return max_size_; }
  // table.grow semantics: old size, or -1 when past the maximum.
  int64_t grow(uint32_t delta, RawValue init);

 private:
  TableType type_;
  uint32_t max_size_ = 0;
};

struct Global {
  GlobalType type;
  RawValue value = 0;
};

// What a host function sees of its call.
class HostContext {
 public:
  HostContext(Store& store, Instance* caller, void* data)
      : store_(store), caller_(caller), data_(data) {}
  Store& store() { return store_; }
  Instance* caller() { return caller_; }  // the calling instance, or nullptr from the host
  void* data() { return data_; }          // the pointer bound with the function
  Memory* memory();                       // caller's memory 0 (exported "memory"), or nullptr

 private:
  Store& store_;
  Instance* caller_;
  void* data_;
};

// A host function: reads args (one RawValue per parameter), writes results (one per result).
using HostCallback = std::function<Result<void, Trap>(HostContext&, std::span<const RawValue> args,
                                                      std::span<RawValue> results)>;

struct HostFunctionDef {
  FuncType type;
  HostCallback callback;
  void* data = nullptr;
};

// A function object: a wasm function of some instance, or a host function.
struct Function {
  const FuncType* type = nullptr;
  uint32_t type_id =
      0;  // canonical: equal ids <=> structurally equal types (see canonical_type_id)
  // Wasm functions:
  Instance* instance = nullptr;
  uint32_t index = 0;  // function index in its module
  const CompiledFunction* code = nullptr;
  // Host functions:
  const HostFunctionDef* host = nullptr;

  bool is_host() const { return host != nullptr; }
};

// Process-wide interning of function types, so call_indirect compares one integer.
uint32_t canonical_type_id(const FuncType& type);

struct CallLimits {
  std::optional<uint64_t> fuel;  // units: one per function entry and per loop iteration
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct StoreConfig {
  uint32_t max_memory_pages = kMaxPages;  // host cap on every memory
  uint32_t max_table_elements = 10'000'000;
  uint32_t max_call_depth = 10'000;     // wasm frames before "call stack exhausted"
  size_t value_stack_slots = 1u << 20;  // operand + local slots for all active frames
};

// A suspended wasm caller while its callee runs (interpreter-private fields).
struct CallFrameRecord {
  const uint64_t* return_pc = nullptr;
  RawValue* fp = nullptr;
  const CompiledFunction* function = nullptr;
  Instance* instance = nullptr;
};

// The value stack's memory: address space mapped on demand, so a Store that runs one short
// call touches only the pages it uses (no up-front zero fill of megabytes).
class SlotStack {
 public:
  SlotStack() = default;
  explicit SlotStack(size_t slots);
  ~SlotStack();
  SlotStack(const SlotStack&) = delete;
  SlotStack& operator=(const SlotStack&) = delete;
  RawValue* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  RawValue* data_ = nullptr;
  size_t size_ = 0;
};

// Per-store execution state used by the interpreter. Owned by the Store; allocated lazily.
struct ExecState {
  explicit ExecState(size_t stack_slots) : stack(stack_slots) {}
  std::vector<CallFrameRecord> frames;  // reserved to max_call_depth: never reallocates
  uint32_t host_reentries = 0;          // nested invoke() activations through host calls
  SlotStack stack;                      // value stack shared by nested invocations
  size_t stack_top = 0;                 // first free slot
  uint32_t call_depth = 0;
  // Interruption: the interpreter decrements `budget` at function entries and loop back
  // edges; when it reaches zero it calls Store::check_interrupt() which refills it or traps.
  int64_t budget = 0;
  std::optional<uint64_t> fuel;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

class Store {
 public:
  explicit Store(StoreConfig config = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreConfig& config() const { return config_; }

  // Object creation; the returned pointers live as long as the Store.
  Result<Memory*, std::string> new_memory(const MemoryType& type);
  Table* new_table(const TableType& type, RawValue init);
  Global* new_global(const GlobalType& type, RawValue value);
  Function* new_host_function(const HostFunctionDef& def);  // def must outlive the Store
  Function* new_function(Function f);
  Instance* adopt(std::unique_ptr<Instance> instance);

  // Asks any running call in this store to stop with Trap::Kind::Interrupted. Thread-safe.
  void interrupt() { interrupt_requested_.store(true, std::memory_order_relaxed); }
  // Called by the interpreter when ExecState::budget runs out: refills it, or returns the trap.
  Result<void, Trap> check_interrupt();

  ExecState& exec();  // maps the value stack on first use

  // One pointer of embedder state per store (e.g. the WASI context of the instance running
  // in it), so host functions defined once on a Linker find their per-store state.
  void set_host_state(void* state) { host_state_ = state; }
  void* host_state() const { return host_state_; }

  // Further per-store embedder state, owned by the store, one slot per key (each host
  // library uses the address of one of its own statics as its key). Destroyed with the store.
  void set_extension(const void* key, std::shared_ptr<void> state) {
    for (auto& [k, v] : extensions_) {
      if (k == key) {
        v = std::move(state);
        return;
      }
    }
    extensions_.emplace_back(key, std::move(state));
  }
  void* extension(const void* key) const {
    for (const auto& [k, v] : extensions_) {
      if (k == key) return v.get();
    }
    return nullptr;
  }

 private:
  StoreConfig config_;
  std::deque<std::unique_ptr<Memory>> memories_;
  std::deque<Table> tables_;
  std::deque<Global> globals_;
  std::deque<Function> functions_;
  std::deque<std::unique_ptr<Instance>> instances_;
  std::atomic<bool> interrupt_requested_{false};
  std::unique_ptr<ExecState> exec_;
  void* host_state_ = nullptr;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> extensions_;
};

}  // namespace wasmdapr::wasm
