#pragma once
// The encoded lists of the `dapr` ABI (docs/abi.md, "Encoded lists"): little-endian u32
// counts, u32-length-prefixed byte strings. Decoding never reads past its input: a
// truncated or inconsistent list is rejected whole.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dapr/state_store.h"

namespace wasmdapr::hostabi {

class ListEncoder {
 public:
  ListEncoder& u32(uint32_t v);
  ListEncoder& bytes(std::string_view b);
  const std::string& data() const { return out_; }

 private:
  std::string out_;
};

class ListDecoder {
 public:
  explicit ListDecoder(std::string_view in) : in_(in) {}
  std::optional<uint32_t> u32();
  std::optional<std::string_view> bytes();
  bool at_end() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
};

std::optional<std::vector<std::string>> decode_key_list(std::string_view encoded);
// A metadata (or header) list: count, then count (name, value) pairs. Empty input is none.
// Repeated names are kept in order.
std::optional<std::vector<std::pair<std::string, std::string>>> decode_pairs(
    std::string_view encoded);
std::optional<std::vector<dapr::TransactionOperation>> decode_transaction(std::string_view encoded);

}  // namespace wasmdapr::hostabi
