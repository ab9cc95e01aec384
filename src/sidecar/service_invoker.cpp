#include "sidecar/service_invoker.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <thread>

#include "components/app_configuration.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::Error;

// Marks a call one sidecar forwards to another: the receiving sidecar delivers it to its own
// app or refuses it, never forwards it again (a stale registration could otherwise make a
// sidecar call itself without end). Never reaches an app.
constexpr std::string_view kForwardedHeader = "wasmdapr-forwarded";
constexpr int kConnectRetries = 3;
constexpr std::chrono::seconds kConnectRetryBackoff{1};
constexpr std::chrono::milliseconds kSidecarTimeout{60'000};

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Headers of one hop only (RFC 9110 section 7.6.1), and those the next hop computes itself.
bool is_hop_header(std::string_view name) {
  static constexpr std::string_view hop[] = {
      "connection",          "keep-alive", "proxy-connection", "proxy-authenticate",
      "proxy-authorization", "te",         "trailer",          "trailers",
      "transfer-encoding",   "upgrade",    "content-length"};
  return std::any_of(std::begin(hop), std::end(hop),
                     [&](std::string_view h) { return iequals(h, name); });
}

http::HeaderList request_headers(const dapr::InvokeHeaders& headers) {
  http::HeaderList out;
  for (const auto& [name, value] : headers) {
    if (is_hop_header(name) || iequals(name, "host") || iequals(name, "dapr-api-token") ||
        iequals(name, "expect") || iequals(name, kForwardedHeader)) {
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

void set_header(http::HeaderList& headers, const std::string& name, const std::string& value) {
  std::erase_if(headers, [&](const auto& header) { return iequals(header.first, name); });
  headers.emplace_back(name, value);
}

std::string header_value(const http::HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool forwarded(const dapr::InvokeHeaders& headers) {
  return std::any_of(headers.begin(), headers.end(),
                     [](const auto& header) { return iequals(header.first, kForwardedHeader); });
}

dapr::InvokeResponse response_of(http::OutboundResponse&& outbound) {
  dapr::InvokeResponse response;
  response.status = outbound.status;
  response.data = std::move(outbound.body);
  for (auto& [name, value] : outbound.headers) {
    if (is_hop_header(name)) continue;
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    response.headers.emplace_back(std::move(lower), std::move(value));
  }
  return response;
}

// Percent-encodes what cannot stand in a path: all but unreserved characters and, unless
// `keep_slash` is false, '/'.
std::string encode_path(std::string_view text, bool keep_slash = true) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

std::string with_query(std::string path, const std::string& query) {
  if (!query.empty()) path += "?" + query;
  return path;
}

bool is_url(std::string_view target) {
  return starts_with_ignoring_case(target, "http://") ||
         starts_with_ignoring_case(target, "https://");
}

// libcurl's words for a connection that was never established (so no byte of the call left).
bool never_connected(std::string_view message) {
  return message.find("Failed to connect") != std::string_view::npos ||
         message.find("Couldn't connect") != std::string_view::npos ||
         message.find("Connection refused") != std::string_view::npos;
}

// The address other processes on this machine reach a listener on `host` by.
std::string reachable_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::" || host == "[::]") return "[::1]";
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

}  // namespace

SidecarInvoker::SidecarInvoker(const AppChannel& app, const dapr::ComponentSet&,
                               const SidecarOptions& options)
    : app_(app), app_id_(options.app_id), api_token_(options.api_token) {
  if (options.config_path.empty()) return;
  auto configuration = components::load_app_configuration(options.config_path);
  if (!configuration) {
    configuration_error_ = std::move(configuration.error());
    warn_about_configuration();
    return;
  }
  auto resolver = components::build_name_resolver(*configuration);
  if (!resolver) {
    configuration_error_ = std::move(resolver.error());
    warn_about_configuration();
    return;
  }
  resolver_ = std::move(*resolver);
}

// Said once at start-up as well as on each call to another app, as the constructor cannot fail.
void SidecarInvoker::warn_about_configuration() const {
  if (configuration_error_.empty()) return;
  std::fprintf(stderr, "warning: service invocation to other apps is off: %s\n",
               configuration_error_.c_str());
}

SidecarInvoker::~SidecarInvoker() = default;

Result<dapr::InvokeResponse, Error> SidecarInvoker::invoke(const dapr::InvokeRequest& request) {
  if (request.app_id.empty()) {
    return unexpected(Error{Error::Code::InvalidArgument, "no app id to invoke"});
  }
  if (is_url(request.app_id)) return invoke_url(request);
  if (request.app_id == app_id_) return invoke_app(request);
  if (forwarded(request.headers)) {
    return unexpected(Error{Error::Code::NotFound, "this sidecar serves app id \"" + app_id_ +
                                                       "\", not \"" + request.app_id +
                                                       "\": its name resolution entry is stale"});
  }
  return invoke_sidecar(request);
}

Result<dapr::InvokeResponse, Error> SidecarInvoker::invoke_app(
    const dapr::InvokeRequest& request) const {
  http::HeaderList headers = request_headers(request.headers);
  // The caller is the sidecar that forwarded the call, or else this sidecar's own app.
  if (!forwarded(request.headers) || header_value(headers, "dapr-caller-app-id").empty()) {
    set_header(headers, "dapr-caller-app-id", app_id_);
  }
  set_header(headers, "dapr-callee-app-id", app_id_);
  auto answer =
      app_.call(request.verb, with_query("/" + encode_path(request.method), request.query),
                std::move(headers), request.data);
  if (!answer) return unexpected(std::move(answer.error()));
  return response_of(std::move(*answer));
}

Result<dapr::InvokeResponse, Error> SidecarInvoker::invoke_url(
    const dapr::InvokeRequest& request) const {
  std::string base = request.app_id;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::OutboundRequest outbound;
  outbound.method = request.verb;
  outbound.url = with_query(base + "/" + encode_path(request.method), request.query);
  outbound.headers = request_headers(request.headers);
  outbound.body = request.data;
  outbound.timeout = kSidecarTimeout;
  auto answer = http::perform(outbound);
  if (!answer) {
    return unexpected(
        Error{Error::Code::Unavailable, base + " did not answer: " + std::move(answer.error())});
  }
  return response_of(std::move(*answer));
}

Result<dapr::InvokeResponse, Error> SidecarInvoker::invoke_sidecar(
    const dapr::InvokeRequest& request) {
  if (!configuration_error_.empty()) {
    return unexpected(Error{Error::Code::NotFound, "cannot resolve app id \"" + request.app_id +
                                                       "\": " + configuration_error_});
  }
  if (!resolver_) {
    return unexpected(
        Error{Error::Code::NotFound, "app id \"" + request.app_id +
                                         "\" is not this sidecar's app, and no name resolution is "
                                         "configured (--config with spec.nameResolution)"});
  }
  http::OutboundRequest outbound;
  outbound.method = request.verb;
  outbound.headers = request_headers(request.headers);
  set_header(outbound.headers, "dapr-caller-app-id", app_id_);
  set_header(outbound.headers, std::string(kForwardedHeader), "1");
  if (api_token_) set_header(outbound.headers, "dapr-api-token", *api_token_);
  outbound.body = request.data;
  outbound.timeout = kSidecarTimeout;
  std::string path = "/v1.0/invoke/" + encode_path(request.app_id, false) + "/method/" +
                     encode_path(request.method);
  for (int attempt = 0;; ++attempt) {
    auto address = resolver_->resolve(request.app_id);
    if (!address) return unexpected(std::move(address.error()));
    outbound.url = with_query("http://" + *address + path, request.query);
    auto answer = http::perform(outbound);
    if (answer) return response_of(std::move(*answer));
    if (attempt == kConnectRetries || !never_connected(answer.error())) {
      return unexpected(Error{Error::Code::Unavailable, "the sidecar of app id \"" +
                                                            request.app_id + "\" at " + *address +
                                                            " did not answer: " + answer.error()});
    }
    std::this_thread::sleep_for(kConnectRetryBackoff);
  }
}

void SidecarInvoker::advertise(const std::string& host, uint16_t port) {
  if (!resolver_ || app_id_.empty()) return;
  auto registered =
      resolver_->register_instance(app_id_, reachable_host(host) + ":" + std::to_string(port));
  if (!registered) {
    std::fprintf(stderr, "warning: app id \"%s\" could not be registered for name resolution: %s\n",
                 app_id_.c_str(), registered.error().message.c_str());
  }
}

}  // namespace wasmdapr::sidecar
