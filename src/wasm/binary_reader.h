#pragma once
// Bounds-checked reading of the WebAssembly binary format: bytes, LEB128 integers with the
// spec's length and unused-bit rules, IEEE floats, UTF-8 names. A failed read records the
// first error (message and offset) and every later read fails too, so callers may check once
// per construct instead of after every byte.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace wasmdapr::wasm {

class BinaryReader {
 public:
  BinaryReader(const uint8_t* data, size_t size, size_t base_offset = 0)
      : begin_(data), p_(data), end_(data + size), base_(base_offset) {}

  bool ok() const { return error_.empty(); }
  bool at_end() const { return p_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  // Offset in the whole module of the next byte.
  size_t offset() const { return base_ + static_cast<size_t>(p_ - begin_); }
  const uint8_t* position() const { return p_; }
  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_offset_; }

  // Records an error at the current offset (the first one wins). Always returns false.
  bool fail(std::string message) { return fail_at(offset(), std::move(message)); }
  bool fail_at(size_t at, std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = at;
    }
    p_ = end_;
    return false;
  }

  bool u8(uint8_t& out) {
    if (p_ >= end_) return fail("unexpected end");
    out = *p_++;
    return true;
  }

  bool skip(size_t n) {
    if (n > remaining()) return fail("unexpected end");
    p_ += n;
    return true;
  }

  bool bytes(size_t n, const uint8_t*& out) {
    if (n > remaining()) return fail("unexpected end");
    out = p_;
    p_ += n;
    return true;
  }

  bool u32(uint32_t& out) { return unsigned_leb<uint32_t, 32>(out); }
  bool u64(uint64_t& out) { return unsigned_leb<uint64_t, 64>(out); }
  bool s32(int32_t& out) { return signed_leb<int32_t, 32>(out); }
  bool s33(int64_t& out) { return signed_leb<int64_t, 33>(out); }
  bool s64(int64_t& out) { return signed_leb<int64_t, 64>(out); }

  bool f32_bits(uint32_t& out) { return fixed(out); }
  bool f64_bits(uint64_t& out) { return fixed(out); }

  // A vector length that must be plausible: each element needs at least one byte.
  bool count(uint32_t& out) {
    if (!u32(out)) return false;
    if (out > remaining()) return fail("length out of bounds");
    return true;
  }

  bool name(std::string& out);

 private:
  template <typename T>
  bool fixed(T& out) {
    if (remaining() < sizeof(T)) return fail("unexpected end");
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(p_[i]) << (8 * i);
    p_ += sizeof(T);
    out = v;
    return true;
  }

  template <typename T, unsigned kBits>
  bool unsigned_leb(T& out) {
    T result = 0;
    unsigned shift = 0;
    constexpr unsigned kMaxBytes = (kBits + 6) / 7;
    for (unsigned i = 0; i < kMaxBytes; ++i) {
      if (p_ >= end_) return fail("unexpected end");
      uint8_t b = *p_++;
      if (i == kMaxBytes - 1) {
        // The last byte may only carry the bits that remain, and no continuation.
        if (b & 0x80) return fail("integer representation too long");
        unsigned used = kBits - shift;
        if (used < 7 && (b >> used) != 0) return fail("integer too large");
      }
      result |= static_cast<T>(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        out = result;
        return true;
      }
      shift += 7;
    }
    return fail("integer representation too long");
  }

  template <typename T, unsigned kBits>
  bool signed_leb(T& out) {
    using U = std::make_unsigned_t<T>;
    U result = 0;
    unsigned shift = 0;
    constexpr unsigned kMaxBytes = (kBits + 6) / 7;
    for (unsigned i = 0; i < kMaxBytes; ++i) {
      if (p_ >= end_) return fail("unexpected end");
      uint8_t b = *p_++;
      if (i == kMaxBytes - 1) {
        if (b & 0x80) return fail("integer representation too long");
        // The bits of the last byte past the value's width must all copy its sign bit.
        unsigned used = kBits - shift;
        if (used < 7) {
          unsigned sign = (b >> (used - 1)) & 1;
          unsigned upper = (b & 0x7Fu) >> used;
          if (upper != (sign ? (0x7Fu >> used) : 0u)) return fail("integer too large");
        }
      }
      if (shift < sizeof(U) * 8) result |= static_cast<U>(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if (shift < sizeof(U) * 8 && (b & 0x40)) result |= ~U{0} << shift;
        out = static_cast<T>(result);
        return true;
      }
    }
    return fail("integer representation too long");
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  size_t base_;
  std::string error_;
  size_t error_offset_ = 0;
};

}  // namespace wasmdapr::wasm
