#include "http/outbound_client.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "http/curl_library.h"

namespace wasmdapr::http {
namespace {

struct EasyDeleter {
  const CurlLibrary* curl;
  void operator()(CURL* c) const { curl->easy_cleanup(c); }
};
struct SlistDeleter {
  const CurlLibrary* curl;
  void operator()(curl_slist* l) const { curl->slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Collects response header lines; a new status line (redirect, 100-continue) starts over.
size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HeaderList*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  headers->emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return size * count;
}

// This thread's handle. A handle keeps its connections open between requests, so repeated
// calls to one host (an app, another sidecar, a service) reuse one TCP connection instead of
// paying a connect each time. Per thread, because a handle must not be used by two threads at
// once; perform() is never re-entered on one thread.
CURL* thread_handle(const CurlLibrary& curl) {
  thread_local Easy handle(nullptr, EasyDeleter{&curl});
  if (!handle) handle.reset(curl.easy_init());
  return handle.get();
}

}  // namespace

Result<OutboundResponse, std::string> perform(const OutboundRequest& request) {
  auto library = curl_library();
  if (!library) return unexpected(std::move(library.error()));
  const CurlLibrary& curl = **library;
  CURL* c = thread_handle(curl);
  if (!c) return unexpected(std::string("cannot create an HTTP client handle"));

  Slist header_list(nullptr, SlistDeleter{&curl});
  for (const auto& [name, value] : request.headers) {
    std::string line = name + (value.empty() ? ";" : ": " + value);
    curl_slist* grown = curl.slist_append(header_list.get(), line.c_str());
    if (!grown) return unexpected(std::string("out of memory building headers"));
    header_list.release();
    header_list.reset(grown);
  }
  // libcurl adds "Expect: 100-continue" to large bodies; an extra round trip for nothing.
  if (curl_slist* grown = curl.slist_append(header_list.get(), "Expect:")) {
    header_list.release();
    header_list.reset(grown);
  }

  OutboundResponse response;
  char error[CURL_ERROR_SIZE] = {};
  curl.easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl.easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl.easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl.easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
  curl.easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl.easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  // Redirects are not followed: a redirect could lead outside the guest's allow list.
  curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");

  CURLcode rc = curl.easy_perform(c);
  long status = 0;
  if (rc == CURLE_OK) curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // The handle outlives this call: reset drops every option (no pointer into this frame is
  // kept) and keeps the live connections.
  curl.easy_reset(c);
  if (rc != CURLE_OK) {
    return unexpected(std::string(error[0] ? error : curl.easy_strerror(rc)));
  }
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace wasmdapr::http
