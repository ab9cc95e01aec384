#include "sidecar/sidecar.h"

#include <string_view>
#include <vector>

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {
namespace {

using Segments = std::vector<std::string>;

// The path's segments, each percent-decoded ("/v1.0/state/s/a%20b" -> v1.0, state, s, "a b").
Segments split_path(std::string_view path) {
  Segments segments;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    segments.push_back(http::url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return segments;
}

// The runtime exempts only GETs of the two health checks from the token, comparing the path
// with its slashes at both ends trimmed, so "/v1.0/healthz/" is exempt and a POST is not.
bool is_health_check(const http::Request& request) {
  if (request.method != "GET") return false;
  std::string_view path = request.path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path == "v1.0/healthz" || path == "v1.0/healthz/outbound";
}

// Compares in time independent of where the strings differ.
bool same_token(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool is_write(std::string_view method) {
  return method == "POST" || method == "PUT";
}

http::Response method_not_allowed(const http::Request& request) {
  return api_error(405, "ERR_BAD_REQUEST",
                   "method " + request.method + " is not allowed on " + request.path);
}

http::Response no_route() {
  return api_error(404, "ERR_DIRECT_INVOKE",
                   "failed getting app id either from the URL path or the header dapr-app-id");
}

}  // namespace

Sidecar::Sidecar(const dapr::ComponentSet& components, SidecarOptions options)
    : options_(std::move(options)),
      app_(options_.app_channel),
      invoker_(app_, components, options_),
      state_(components, options_.app_id),
      secrets_(components),
      metadata_(components, options_.app_id, options_.runtime_version),
      pubsub_(components, options_.app_id),
      invoke_(invoker_),
      bindings_(components),
      configuration_(components, app_),
      subscriptions_(components, app_, options_.app_id) {
  metadata_.list_subscriptions_with([this] { return subscriptions_.metadata_json(); });
}

bool Sidecar::authorized(const http::Request& request) const {
  if (!options_.api_token || is_health_check(request)) return true;
  return same_token(request.header("dapr-api-token"), *options_.api_token);
}

http::Response Sidecar::handle(const http::Request& request) {
  if (!authorized(request)) {
    http::Response response;
    response.status = 401;
    response.body = "invalid api token";
    response.with_header("Content-Type", "text/plain");
    return response;
  }
  return route(request, request.path);
}

http::Response Sidecar::route(const http::Request& request, std::string_view path) {
  Segments s = split_path(path);
  const std::string& m = request.method;
  size_t n = s.size();
  if (n >= 3 && s[0] == "v1.0" && s[1] == "state") {
    const std::string& store = s[2];
    if (n == 3) return is_write(m) ? state_.save(store, request) : method_not_allowed(request);
    if (n == 4 && is_write(m) && s[3] == "bulk") return state_.bulk_get(store, request);
    if (n == 4 && is_write(m) && s[3] == "transaction") return state_.transaction(store, request);
    if (n == 4 && m == "GET") return state_.get(store, s[3], request);
    if (n == 4 && m == "DELETE") return state_.del(store, s[3], request);
    return n == 4 ? method_not_allowed(request) : no_route();
  }
  if (n == 4 && s[0] == "v1.0-alpha1" && s[1] == "state" && s[3] == "query") {
    return is_write(m) ? state_.query(s[2], request) : method_not_allowed(request);
  }
  if (n == 4 && s[0] == "v1.0" && s[1] == "secrets") {
    if (m != "GET") return method_not_allowed(request);
    return s[3] == "bulk" ? secrets_.bulk(s[2], request) : secrets_.get(s[2], s[3], request);
  }
  if (n >= 2 && s[0] == "v1.0" && s[1] == "metadata") {
    if (n == 2) return m == "GET" ? metadata_.get() : method_not_allowed(request);
    if (n == 3)
      return is_write(m) ? metadata_.put_extended(s[2], request) : method_not_allowed(request);
  }
  if (n >= 2 && s[0] == "v1.0" && s[1] == "healthz") {
    if (m != "GET") return method_not_allowed(request);
    if (n == 2) return metadata_.healthz(request);
    if (n == 3 && s[2] == "outbound") return metadata_.healthz_outbound();
  }
  if (n == 2 && s[0] == "v1.0" && s[1] == "shutdown") {
    return is_write(m) ? shutdown() : method_not_allowed(request);
  }
  if (n >= 4 && s[0] == "v1.0" && s[1] == "invoke" && s[3] == "method") {
    return invoke_.invoke_path(request);
  }
  if (n >= 4 && (s[0] == "v1.0" || s[0] == "v1.0-alpha1") && s[1] == "publish") {
    if (!is_write(m)) return method_not_allowed(request);
    if (n == 5 && s[2] == "bulk") return pubsub_.bulk_publish(s[3], s[4], request);
    if (n == 4) return pubsub_.publish(s[2], s[3], request);
  }
  if (n == 3 && s[0] == "v1.0" && s[1] == "bindings") {
    return is_write(m) ? bindings_.invoke(s[2], request) : method_not_allowed(request);
  }
  if (n >= 3 && (s[0] == "v1.0" || s[0] == "v1.0-alpha1") && s[1] == "configuration") {
    if (m != "GET") return method_not_allowed(request);
    if (n == 3) return configuration_.get(s[2], request);
    if (n == 4 && s[3] == "subscribe") return configuration_.subscribe(s[2], request);
    if (n == 5 && s[4] == "unsubscribe") return configuration_.unsubscribe(s[2], s[3]);
  }
  if (InvokeApi::has_app_id_header(request)) return invoke_.invoke_header(request);
  return no_route();
}

http::Response Sidecar::shutdown() {
  std::call_once(shutdown_once_, [this] {
    if (shutdown_) shutdown_();
  });
  return no_content();
}

}  // namespace wasmdapr::sidecar
