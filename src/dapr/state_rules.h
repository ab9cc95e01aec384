#pragma once
// The rules every state store applies the same way: how etags, first-write concurrency and
// TTL metadata are read. Stores call these so the conformance behaviour cannot drift.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

// Our etags are decimal versions. Absent or empty → nullopt; anything else that is not a
// decimal number → InvalidArgument (the API answers 400, as Dapr does for a bad etag).
Result<std::optional<uint64_t>, Error> parse_etag(const std::optional<std::string>& etag);

// Whether a write (or delete) may replace the key's current version (nullopt: no such key).
// A missing key may always be written; an etag must match; first-write without an etag
// only creates.
Result<void, Error> check_concurrency(std::optional<uint64_t> current_version,
                                      std::optional<uint64_t> etag, Concurrency concurrency,
                                      const std::string& key);

// `ttlInSeconds` from request metadata: nullopt when absent, 0 or -1 (never expires);
// InvalidArgument when not an integer or below -1.
Result<std::optional<std::chrono::seconds>, Error> parse_ttl(const Metadata& metadata);

// RFC 3339 UTC with second precision, as Dapr reports ttlExpireTime.
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace wasmdapr::dapr
