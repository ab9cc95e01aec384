#include "components/bindings/http_binding.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>

#include "http/outbound_client.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;

constexpr int64_t kDefaultMaxResponseBody = int64_t{100} << 20;
constexpr std::chrono::milliseconds kDefaultTimeout{30'000};

Error invalid(std::string message) {
  return Error{Error::Code::InvalidArgument, std::move(message)};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Dapr's reading of a boolean flag.
bool truthy(std::string_view value) {
  std::string v = lower(value);
  return v == "y" || v == "yes" || v == "true" || v == "t" || v == "on" || v == "1";
}

// A Go duration: a sequence of decimal numbers, each with a unit (ns, us, µs, ms, s, m, h).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    double number = 0;
    try {
      number = std::stod(std::string(text.substr(0, digits)));
    } catch (...) {
      return std::nullopt;
    }
    text.remove_prefix(digits);
    static const std::pair<std::string_view, double> kUnits[] = {
        {"ns", 1},  {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"ms", 1e6},
        {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    std::optional<double> scale;
    for (const auto& [unit, factor] : kUnits) {
      // "m" must not take the "m" of "ms": prefer the longest unit that matches.
      if (text.starts_with(unit) && !(unit == "m" && text.starts_with("ms"))) {
        scale = factor;
        text.remove_prefix(unit.size());
        break;
      }
    }
    if (!scale) return std::nullopt;
    total += number * *scale;
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
}

// A byte size: an integer, optionally with a unit (k, M, G, T decimal; Ki, Mi, Gi, Ti binary).
std::optional<int64_t> parse_byte_size(std::string_view text) {
  size_t digits = 0;
  if (!text.empty() && text[0] == '-') ++digits;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || (digits == 1 && text[0] == '-')) return std::nullopt;
  int64_t number = 0;
  try {
    number = std::stoll(std::string(text.substr(0, digits)));
  } catch (...) {
    return std::nullopt;
  }
  std::string_view unit = text.substr(digits);
  static const std::map<std::string_view, int64_t> kUnits = {{"", 1},
                                                             {"k", 1000},
                                                             {"K", 1000},
                                                             {"M", 1000'000},
                                                             {"G", 1000'000'000},
                                                             {"Ki", 1 << 10},
                                                             {"Mi", 1 << 20},
                                                             {"Gi", int64_t{1} << 30},
                                                             {"T", 1000'000'000'000},
                                                             {"Ti", int64_t{1} << 40}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return std::nullopt;
  return number * it->second;
}

// The header name as Go's net/http reports it: "content-type" -> "Content-Type".
std::string canonical_header(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    c = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return out;
}

std::string_view reason_phrase(int status) {
  static const std::map<int, std::string_view> kReasons = {
      {100, "Continue"},
      {101, "Switching Protocols"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {203, "Non-Authoritative Information"},
      {204, "No Content"},
      {205, "Reset Content"},
      {206, "Partial Content"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {304, "Not Modified"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Request Entity Too Large"},
      {414, "Request URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Requested Range Not Satisfiable"},
      {417, "Expectation Failed"},
      {418, "I'm a teapot"},
      {422, "Unprocessable Entity"},
      {425, "Too Early"},
      {426, "Upgrade Required"},
      {428, "Precondition Required"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
  };
  auto it = kReasons.find(status);
  return it == kReasons.end() ? std::string_view() : it->second;
}

struct Settings {
  std::string url;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  int64_t max_response_body = kDefaultMaxResponseBody;
  std::string token_header;
  std::string token;
  bool error_if_not_2xx = true;
};

class HttpBinding final : public dapr::OutputBinding {
 public:
  explicit HttpBinding(Settings settings) : settings_(std::move(settings)) {}

  std::vector<std::string> operations() const override {
    return {"create", "get", "head", "post", "put", "patch", "delete", "options", "trace"};
  }

  Result<dapr::BindingResponse, Error> invoke(const dapr::BindingRequest& request) override {
    std::string method = request.operation;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (method == "CREATE") method = "POST";
    bool sends_body = method == "POST" || method == "PUT" || method == "PATCH";
    static constexpr std::string_view kBodiless[] = {"GET", "HEAD", "DELETE", "OPTIONS", "TRACE"};
    if (!sends_body &&
        std::find(std::begin(kBodiless), std::end(kBodiless), method) == std::end(kBodiless)) {
      return unexpected(invalid("invalid operation: " + request.operation));
    }

    http::OutboundRequest outbound;
    outbound.method = method;
    outbound.url = settings_.url;
    outbound.timeout = settings_.timeout;
    bool error_if_not_2xx = settings_.error_if_not_2xx;
    auto& meta = request.metadata;
    if (auto it = meta.find("path"); it != meta.end() && !it->second.empty()) {
      std::string_view base = settings_.url;
      while (base.ends_with('/')) base.remove_suffix(1);
      std::string_view path = it->second;
      while (path.starts_with('/')) path.remove_prefix(1);
      outbound.url = std::string(base) + "/" + std::string(path);
    }
    if (auto it = meta.find("errorIfNot2XX"); it != meta.end() && !it->second.empty()) {
      error_if_not_2xx = truthy(it->second);
    }

    // Headers: defaults first, each later one replacing an earlier of the same name.
    std::map<std::string, std::pair<std::string, std::string>> headers;  // lower name -> header
    auto set = [&](const std::string& name, const std::string& value) {
      headers[lower(name)] = {name, value};
    };
    if (sends_body) {
      outbound.body = request.data;
      set("Content-Type", "application/json; charset=utf-8");
    }
    set("Accept", "application/json; charset=utf-8");
    if (!settings_.token.empty() && !settings_.token_header.empty()) {
      set(settings_.token_header, settings_.token);
    }
    for (const auto& [key, value] : meta) {
      if (!key.empty() && key[0] >= 'A' && key[0] <= 'Z') set(key, value);
    }
    for (const char* trace : {"traceparent", "tracestate", "baggage"}) {
      if (auto it = meta.find(trace); it != meta.end() && !it->second.empty()) {
        set(trace, it->second);
      }
    }
    for (auto& [_, header] : headers) {
      if (header.first.find_first_of(":\r\n") != std::string::npos ||
          header.second.find_first_of("\r\n") != std::string::npos) {
        return unexpected(invalid("header '" + header.first + "' has a forbidden character"));
      }
      outbound.headers.push_back(std::move(header));
    }

    auto answer = http::perform(outbound);
    if (!answer) {
      return unexpected(Error{Error::Code::Unavailable,
                              method + " " + outbound.url + " failed: " + answer.error()});
    }
    if (settings_.max_response_body > 0 &&
        answer->body.size() > static_cast<size_t>(settings_.max_response_body)) {
      answer->body.resize(static_cast<size_t>(settings_.max_response_body));
    }

    dapr::BindingResponse response;
    response.data = std::move(answer->body);
    response.metadata["statusCode"] = std::to_string(answer->status);
    std::string_view reason = reason_phrase(answer->status);
    response.metadata["status"] =
        std::to_string(answer->status) + (reason.empty() ? "" : " " + std::string(reason));
    std::map<std::string, std::string> joined;
    for (const auto& [name, value] : answer->headers) {
      std::string& slot = joined[canonical_header(name)];
      slot += (slot.empty() ? "" : ", ") + value;
    }
    for (auto& [name, value] : joined) response.metadata[name] = std::move(value);

    if (error_if_not_2xx && answer->status / 100 != 2) {
      return unexpected(
          Error{Error::Code::Internal, "received status code " + std::to_string(answer->status)});
    }
    return response;
  }

 private:
  Settings settings_;
};

}  // namespace

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_http_binding(
    const dapr::ComponentSpec& spec) {
  // Dapr matches metadata names without regard to case.
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : spec.metadata) fields[lower(name)] = value;
  auto field = [&](const char* name) -> std::string {
    auto it = fields.find(lower(name));
    return it == fields.end() ? "" : it->second;
  };

  for (const char* tls : {"MTLSRootCA", "MTLSClientCert", "MTLSClientKey", "MTLSRenegotiation"}) {
    if (!field(tls).empty()) {
      return unexpected(Error{Error::Code::NotSupported,
                              std::string(tls) +
                                  " is not supported by bindings.http here: https servers are "
                                  "verified against the system's trusted certificates"});
    }
  }

  Settings settings;
  settings.url = field("url");
  if (settings.url.empty()) return unexpected(invalid("url is required"));
  std::string scheme = lower(settings.url.substr(0, settings.url.find("://")));
  if (settings.url.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    return unexpected(invalid("url '" + settings.url + "' must start with http:// or https://"));
  }
  if (std::string text = field("responseTimeout"); !text.empty()) {
    auto duration = parse_duration(text);
    if (!duration || duration->count() < 0) {
      return unexpected(invalid("responseTimeout '" + text + "' is not a duration like 10s"));
    }
    // libcurl takes milliseconds, and 0 would mean no limit: round up to at least 1ms.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*duration);
    settings.timeout = std::max(ms, std::chrono::milliseconds(1));
  }
  if (std::string text = field("maxResponseBodySize"); !text.empty()) {
    auto size = parse_byte_size(text);
    if (!size) {
      return unexpected(invalid("maxResponseBodySize '" + text + "' is not a size like 100Mi"));
    }
    settings.max_response_body = *size;
  }
  settings.token = field("securityToken");
  settings.token_header = field("securityTokenHeader");
  if (std::string text = field("errorIfNot2XX"); !text.empty()) {
    settings.error_if_not_2xx = truthy(text);
  }
  return std::unique_ptr<dapr::OutputBinding>(std::make_unique<HttpBinding>(std::move(settings)));
}

}  // namespace wasmdapr::components
