#include "sidecar/invoke_api.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Standard base64 with optional padding; nothing on invalid input.
std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// The password of `Authorization: Basic <base64 of "dapr-app-id:<appId>">`, or nothing.
std::optional<std::string> basic_auth_app_id(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view scheme = "basic ";
  if (authorization.size() <= scheme.size() ||
      !iequals(authorization.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  auto credentials = base64_decode(trim(authorization.substr(scheme.size())));
  constexpr std::string_view user = "dapr-app-id:";
  if (!credentials || !credentials->starts_with(user)) return std::nullopt;
  std::string app_id = credentials->substr(user.size());
  if (app_id.empty()) return std::nullopt;
  return app_id;
}

http::Response no_app_id() {
  return api_error(404, "ERR_DIRECT_INVOKE",
                   "failed getting app id either from the URL path or the header dapr-app-id");
}

}  // namespace

std::optional<std::string> InvokeApi::app_id_from_headers(const http::Request& request) {
  if (std::string_view id = trim(request.header("dapr-app-id")); !id.empty()) {
    return std::string(id);
  }
  return basic_auth_app_id(request.header("authorization"));
}

bool InvokeApi::has_app_id_header(const http::Request& request) {
  return app_id_from_headers(request).has_value();
}

http::Response InvokeApi::invoke_path(const http::Request& request) const {
  // /v1.0/invoke/{appId}/method/{method...}: the app id is the third segment, the method all
  // that follows "method/", slashes included.
  std::string_view path = request.path;
  std::string_view segments[4];
  for (std::string_view& segment : segments) {
    while (path.starts_with('/')) path.remove_prefix(1);
    size_t slash = path.find('/');
    segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  std::string app_id = http::url_decode(segments[2]);
  if (app_id.empty()) return no_app_id();
  return invoke(request, std::move(app_id), http::url_decode(path));
}

http::Response InvokeApi::invoke_header(const http::Request& request) const {
  auto app_id = app_id_from_headers(request);
  if (!app_id) return no_app_id();
  std::string_view path = request.path;
  while (path.starts_with('/')) path.remove_prefix(1);
  return invoke(request, std::move(*app_id), http::url_decode(path));
}

http::Response InvokeApi::invoke(const http::Request& request, std::string app_id,
                                 std::string method) const {
  dapr::InvokeRequest call;
  call.app_id = std::move(app_id);
  call.method = std::move(method);
  call.verb = request.method;
  call.query = request.query;
  call.data = request.body;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "dapr-app-id")) continue;
    if (iequals(name, "authorization") && basic_auth_app_id(value)) continue;
    call.headers.emplace_back(name, value);
  }
  auto answer = invoker_.invoke(call);
  if (!answer) return api_error(500, "ERR_DIRECT_INVOKE", answer.error().message);
  http::Response response;
  response.status = answer->status;
  response.headers = std::move(answer->headers);
  response.body = std::move(answer->data);
  return response;
}

}  // namespace wasmdapr::sidecar
