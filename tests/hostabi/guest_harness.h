#pragma once
// Test harness: one guest module instantiated with host functions, plus helpers to place
// bytes in its memory and call its i32 exports.

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace wasmdapr::testing {

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Guest {
 public:
  // `link` defines the host functions on the linker before instantiation.
  template <typename LinkFn>
  Guest(const std::string& wasm_path, LinkFn link) {
    auto compiled = wasm::Module::compile(engine_, read_file(wasm_path));
    if (!compiled) throw std::runtime_error(compiled.error().to_string());
    module_ = *compiled;
    link(linker_);
    auto instance = linker_.instantiate(store_, module_);
    if (!instance) throw std::runtime_error(instance.error().to_string());
    instance_ = *instance;
  }

  wasm::Store& store() { return store_; }
  wasm::Memory& memory() { return *instance_->exported_memory(); }

  // Bump allocator over the guest's memory, from 1 KiB up (0..1023 stays for out-params).
  uint32_t put(std::string_view bytes) {
    uint32_t at = next_;
    std::memcpy(memory().data() + at, bytes.data(), bytes.size());
    next_ += static_cast<uint32_t>((bytes.size() + 7) & ~size_t{7});
    return at;
  }
  uint32_t reserve(uint32_t size) {
    uint32_t at = next_;
    next_ += (size + 7) & ~7u;
    return at;
  }
  std::string read(uint32_t ptr, uint32_t len) {
    return std::string(reinterpret_cast<const char*>(memory().data()) + ptr, len);
  }
  uint32_t read_u32(uint32_t ptr) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{memory().data()[ptr + i]} << (8 * i);
    return v;
  }
  uint16_t read_u16(uint32_t ptr) {
    return static_cast<uint16_t>(memory().data()[ptr] | (memory().data()[ptr + 1] << 8));
  }

  // Calls an export taking i32s and returning one i32.
  int32_t call(std::string_view name, std::vector<uint32_t> args) {
    std::vector<wasm::Value> values;
    for (uint32_t a : args) values.push_back(wasm::Value::i32(static_cast<int32_t>(a)));
    auto results = instance_->call(name, values);
    if (!results) throw std::runtime_error(results.error().to_string());
    return (*results)[0].as_i32();
  }

 private:
  wasm::Engine engine_;
  wasm::Linker linker_;
  wasm::Store store_;
  std::shared_ptr<const wasm::Module> module_;
  wasm::Instance* instance_ = nullptr;
  uint32_t next_ = 1024;
};

}  // namespace wasmdapr::testing
