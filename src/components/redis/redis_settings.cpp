#include "components/redis/redis_settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <thread>

namespace wasmdapr::components::redis {

using dapr::Error;
using std::chrono::microseconds;

Error invalid(const std::string& message) {
  return Error{Error::Code::InvalidArgument, message};
}

std::string setting(const dapr::ComponentSpec& spec, const std::string& name) {
  auto it = spec.metadata.find(name);
  return it == spec.metadata.end() ? std::string() : it->second;
}

namespace {

Result<void, Error> parse_address(const std::string& text, Settings& settings) {
  if (text.empty()) return unexpected(invalid("redisHost is required (host:port)"));
  auto colon = text.rfind(':');
  if (colon == std::string::npos || text.find_first_of(", \t") != std::string::npos) {
    return unexpected(invalid("redisHost must be one host:port, got '" + text + "'"));
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:6379
  }
  std::string_view port = std::string_view(text).substr(colon + 1);
  int number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || number < 1 ||
      number > 65535) {
    return unexpected(invalid("redisHost must be host:port, got '" + text + "'"));
  }
  settings.address = text;
  settings.host = std::move(host);
  settings.port = number;
  return {};
}

}  // namespace

Result<int64_t, Error> integer_setting(const dapr::ComponentSpec& spec, const std::string& name,
                                       int64_t fallback, int64_t minimum) {
  std::string text = setting(spec, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < minimum) {
    return unexpected(invalid(name + " must be an integer of " + std::to_string(minimum) +
                              " or more, got '" + text + "'"));
  }
  return value;
}

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total_ns = 0;
  while (!text.empty()) {
    size_t number_end = 0;
    while (
        number_end < text.size() &&
        (std::isdigit(static_cast<unsigned char>(text[number_end])) || text[number_end] == '.')) {
      ++number_end;
    }
    std::string_view number = text.substr(0, number_end);
    text.remove_prefix(number_end);
    size_t unit_end = 0;
    while (unit_end < text.size() && !std::isdigit(static_cast<unsigned char>(text[unit_end])) &&
           text[unit_end] != '.') {
      ++unit_end;
    }
    std::string_view unit = text.substr(0, unit_end);
    text.remove_prefix(unit_end);

    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
      return std::nullopt;
    }
    double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return std::nullopt;
    }
    total_ns += value * scale;
  }
  if (total_ns > 9e18) return std::nullopt;
  auto ns = std::chrono::nanoseconds(std::llround(total_ns));
  return negative ? -ns : ns;
}

Result<microseconds, Error> timeout_setting(const dapr::ComponentSpec& spec,
                                            const std::string& name, microseconds fallback) {
  std::string text = setting(spec, name);
  if (text.empty()) return fallback;
  if (text == "-1") return microseconds(0);
  auto duration = parse_go_duration(text);
  if (!duration) {
    return unexpected(
        invalid(name + " must be a duration such as \"5s\" or \"500ms\", got '" + text + "'"));
  }
  if (duration->count() <= 0) return microseconds(0);
  return std::max(microseconds(1), std::chrono::duration_cast<microseconds>(*duration));
}

namespace {

Result<void, Error> refuse_unsupported(const dapr::ComponentSpec& spec) {
  auto lowered = [&](const std::string& name) {
    std::string text = setting(spec, name);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  };
  std::string tls = lowered("enableTLS");
  if (!tls.empty() && tls != "false") {
    return unexpected(
        invalid("enableTLS: TLS connections to Redis are not supported; only "
                "\"false\" is accepted, got '" +
                setting(spec, "enableTLS") + "'"));
  }
  std::string type = lowered("redisType");
  if (!type.empty() && type != "node") {
    return unexpected(
        invalid("redisType: only \"node\" is supported, got '" + setting(spec, "redisType") + "'"));
  }
  std::string failover = lowered("failover");
  if (!failover.empty() && failover != "false") {
    return unexpected(invalid("failover: Sentinel failover is not supported, got '" +
                              setting(spec, "failover") + "'"));
  }
  return {};
}

}  // namespace

Result<Settings, Error> read_settings(const dapr::ComponentSpec& spec) {
  Settings settings;
  if (auto address = parse_address(setting(spec, "redisHost"), settings); !address) {
    return unexpected(std::move(address.error()));
  }
  if (auto refused = refuse_unsupported(spec); !refused) {
    return unexpected(std::move(refused.error()));
  }
  settings.username = setting(spec, "redisUsername");
  settings.password = setting(spec, "redisPassword");
  auto db = integer_setting(spec, "redisDB", 0, 0);
  if (!db) return unexpected(std::move(db.error()));
  settings.db = *db;
  int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  auto pool = integer_setting(spec, "poolSize", 2 * cores, 1);
  if (!pool) return unexpected(std::move(pool.error()));
  settings.pool_size = static_cast<size_t>(*pool);
  using namespace std::chrono_literals;
  auto dial = timeout_setting(spec, "dialTimeout", 5s);
  if (!dial) return unexpected(std::move(dial.error()));
  auto read = timeout_setting(spec, "readTimeout", 3s);
  if (!read) return unexpected(std::move(read.error()));
  auto write = timeout_setting(spec, "writeTimeout", *read);
  if (!write) return unexpected(std::move(write.error()));
  settings.dial_timeout = *dial;
  settings.read_timeout = *read;
  settings.write_timeout = *write;
  return settings;
}

}  // namespace wasmdapr::components::redis
