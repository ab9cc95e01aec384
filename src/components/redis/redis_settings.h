#pragma once
// How every Redis component (state.redis, configuration.redis, pubsub.redis) reads its
// connection settings from component metadata, with Dapr's names and defaults:
// `redisHost` ("host:port", required; "[::1]:6379" for IPv6), `redisPassword`, `redisUsername`,
// `redisDB` (default 0), `poolSize` (connections, default 2 x cores),
// `dialTimeout`/`readTimeout`/`writeTimeout` (Go durations such as "5s"; "0" or "-1": none;
// defaults 5s, 3s, readTimeout), `enableTLS` (only "false" is accepted). Cluster
// (`redisType` other than "node") and Sentinel failover are refused.
//
// Errors are InvalidArgument naming the field.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dapr/component.h"
#include "dapr/error.h"
#include "base/result.h"

namespace wasmdapr::components::redis {

struct Settings {
  std::string address;  // redisHost as given, for messages
  std::string host;
  int port = 0;
  std::string username;
  std::string password;
  int64_t db = 0;
  size_t pool_size = 1;
  std::chrono::microseconds dial_timeout{0};  // zero: no timeout
  std::chrono::microseconds read_timeout{0};
  std::chrono::microseconds write_timeout{0};
};

Result<Settings, dapr::Error> read_settings(const dapr::ComponentSpec& spec);

// Helpers for a component's own metadata, with the same error shapes.

dapr::Error invalid(const std::string& message);
// The metadata value of `name`, or empty.
std::string setting(const dapr::ComponentSpec& spec, const std::string& name);
// An integer of `minimum` or more; `fallback` when the setting is absent or empty.
Result<int64_t, dapr::Error> integer_setting(const dapr::ComponentSpec& spec,
                                             const std::string& name, int64_t fallback,
                                             int64_t minimum);
// Go's time.ParseDuration syntax, which Dapr's metadata uses: "300ms", "1.5s", "1h30m", "0".
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);
// A timeout: zero means none, which is also what "0" and negative durations ("-1") ask for.
Result<std::chrono::microseconds, dapr::Error> timeout_setting(const dapr::ComponentSpec& spec,
                                                               const std::string& name,
                                                               std::chrono::microseconds fallback);

}  // namespace wasmdapr::components::redis
