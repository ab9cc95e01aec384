#pragma once
// Bounds-checked access to a guest's linear memory for host functions. Every (pointer,
// length) pair a guest passes is checked here before a single byte is touched, so a bad
// pointer becomes an error code and never reaches host memory.

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "wasm/store.h"

namespace wasmdapr::hostabi {

class GuestMemory {
 public:
  explicit GuestMemory(wasm::Memory* memory) : memory_(memory) {}

  bool exists() const { return memory_ != nullptr; }
  bool in_bounds(uint32_t ptr, uint32_t len) const {
    return memory_ && memory_->in_bounds(ptr, len);
  }

  // The guest bytes [ptr, ptr+len), or nullopt when any of them is outside the memory.
  std::optional<std::string_view> bytes(uint32_t ptr, uint32_t len) const {
    if (!memory_ || !memory_->in_bounds(ptr, len)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(memory_->data()) + ptr, len);
  }

  // Writes `data` at ptr; false (and nothing written) when it does not fit.
  bool write(uint32_t ptr, std::string_view data) const {
    if (!memory_ || !memory_->in_bounds(ptr, data.size())) return false;
    if (!data.empty()) std::memcpy(memory_->data() + ptr, data.data(), data.size());
    return true;
  }

  // Little-endian scalars, as the ABIs define them.
  bool write_u32(uint32_t ptr, uint32_t value) const { return write_le(ptr, value); }
  bool write_u16(uint32_t ptr, uint16_t value) const { return write_le(ptr, value); }

 private:
  template <typename T>
  bool write_le(uint32_t ptr, T value) const {
    uint8_t raw[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) raw[i] = static_cast<uint8_t>(value >> (8 * i));
    return write(ptr, std::string_view(reinterpret_cast<const char*>(raw), sizeof(T)));
  }

  wasm::Memory* memory_;
};

}  // namespace wasmdapr::hostabi
