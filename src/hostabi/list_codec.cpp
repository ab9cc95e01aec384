#include "hostabi/list_codec.h"

namespace wasmdapr::hostabi {

ListEncoder& ListEncoder::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return *this;
}

ListEncoder& ListEncoder::bytes(std::string_view b) {
  u32(static_cast<uint32_t>(b.size()));
  out_.append(b);
  return *this;
}

std::optional<uint32_t> ListDecoder::u32() {
  if (in_.size() < 4) return std::nullopt;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
  in_.remove_prefix(4);
  return v;
}

std::optional<std::string_view> ListDecoder::bytes() {
  auto n = u32();
  if (!n || *n > in_.size()) return std::nullopt;
  auto b = in_.substr(0, *n);
  in_.remove_prefix(*n);
  return b;
}

namespace {

// A count is plausible only if every record could still fit: each takes at least
// `min_record` bytes. This keeps a hostile count from reserving huge vectors.
std::optional<uint32_t> record_count(ListDecoder& in, size_t min_record) {
  auto n = in.u32();
  if (!n || *n > in.remaining() / min_record) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::vector<std::string>> decode_key_list(std::string_view encoded) {
  ListDecoder in(encoded);
  auto n = record_count(in, 4);
  if (!n) return std::nullopt;
  std::vector<std::string> keys;
  keys.reserve(*n);
  for (uint32_t i = 0; i < *n; ++i) {
    auto key = in.bytes();
    if (!key) return std::nullopt;
    keys.emplace_back(*key);
  }
  if (!in.at_end()) return std::nullopt;
  return keys;
}

std::optional<std::vector<std::pair<std::string, std::string>>> decode_pairs(
    std::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (encoded.empty()) return pairs;
  ListDecoder in(encoded);
  auto n = record_count(in, 8);
  if (!n) return std::nullopt;
  pairs.reserve(*n);
  for (uint32_t i = 0; i < *n; ++i) {
    auto name = in.bytes();
    auto value = name ? in.bytes() : std::nullopt;
    if (!value) return std::nullopt;
    pairs.emplace_back(*name, *value);
  }
  if (!in.at_end()) return std::nullopt;
  return pairs;
}

std::optional<std::vector<dapr::TransactionOperation>> decode_transaction(
    std::string_view encoded) {
  using Kind = dapr::TransactionOperation::Kind;
  ListDecoder in(encoded);
  auto n = record_count(in, 16);
  if (!n) return std::nullopt;
  std::vector<dapr::TransactionOperation> ops;
  ops.reserve(*n);
  for (uint32_t i = 0; i < *n; ++i) {
    auto kind = in.u32();
    auto key = in.bytes();
    auto value = in.bytes();
    auto etag = in.bytes();
    if (!kind || *kind > 1 || !key || !value || !etag) return std::nullopt;
    dapr::TransactionOperation op;
    std::optional<std::string> etag_value;
    if (!etag->empty()) etag_value = std::string(*etag);
    if (*kind == 0) {
      op.kind = Kind::Upsert;
      op.upsert.key = std::string(*key);
      op.upsert.value = std::string(*value);
      op.upsert.etag = std::move(etag_value);
    } else {
      op.kind = Kind::Delete;
      op.del.key = std::string(*key);
      op.del.etag = std::move(etag_value);
    }
    ops.push_back(std::move(op));
  }
  if (!in.at_end()) return std::nullopt;
  return ops;
}

}  // namespace wasmdapr::hostabi
