#include "dapr/state_rules.h"

#include <charconv>
#include <ctime>

namespace wasmdapr::dapr {

Result<std::optional<uint64_t>, Error> parse_etag(const std::optional<std::string>& etag) {
  if (!etag || etag->empty()) return std::optional<uint64_t>{};
  uint64_t version = 0;
  auto [end, ec] = std::from_chars(etag->data(), etag->data() + etag->size(), version);
  if (ec != std::errc() || end != etag->data() + etag->size()) {
    return unexpected(Error{Error::Code::InvalidArgument, "invalid etag value: " + *etag});
  }
  return std::optional<uint64_t>(version);
}

Result<void, Error> check_concurrency(std::optional<uint64_t> current_version,
                                      std::optional<uint64_t> etag, Concurrency concurrency,
                                      const std::string& key) {
  if (!current_version) return {};
  if (etag ? *etag == *current_version : concurrency == Concurrency::LastWrite) return {};
  return unexpected(Error{Error::Code::EtagMismatch,
                          "possible etag mismatch. error from state store: key " + key +
                              (etag ? " has a different etag" : " already exists (first-write)")});
}

Result<std::optional<std::chrono::seconds>, Error> parse_ttl(const Metadata& metadata) {
  auto it = metadata.find("ttlInSeconds");
  if (it == metadata.end()) return std::optional<std::chrono::seconds>{};
  const std::string& text = it->second;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < -1) {
    return unexpected(Error{Error::Code::InvalidArgument,
                            "ttlInSeconds must be an integer of -1 or more, got '" + text + "'"});
  }
  if (seconds <= 0) return std::optional<std::chrono::seconds>{};  // 0 and -1: no expiry
  return std::optional<std::chrono::seconds>(seconds);
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace wasmdapr::dapr
