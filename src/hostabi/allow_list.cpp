#include "hostabi/allow_list.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "http/curl_library.h"

namespace wasmdapr::hostabi {
namespace {

using http::CurlLibrary;

struct UrlDeleter {
  const CurlLibrary* curl;
  void operator()(CURLU* u) const { curl->url_cleanup(u); }
};
struct CurlStringDeleter {
  const CurlLibrary* curl;
  void operator()(char* s) const { curl->free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Result<std::string, std::string> url_part(const CurlLibrary& curl, CURLU* url, CURLUPart part,
                                          unsigned flags, const char* what) {
  char* raw = nullptr;
  if (curl.url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr) {
    return unexpected(std::string("no ") + what);
  }
  CurlString owned(raw, CurlStringDeleter{&curl});
  return std::string(owned.get());
}

}  // namespace

Result<Origin, std::string> parse_origin(std::string_view text) {
  auto library = http::curl_library();
  if (!library) return unexpected(std::move(library.error()));
  const CurlLibrary& curl = **library;
  std::unique_ptr<CURLU, UrlDeleter> url(curl.url(), UrlDeleter{&curl});
  if (!url) return unexpected(std::string("out of memory"));
  std::string copy(text);
  if (curl.url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return unexpected("not a URL: " + copy);
  }
  auto scheme = url_part(curl, url.get(), CURLUPART_SCHEME, 0, "scheme");
  auto host = url_part(curl, url.get(), CURLUPART_HOST, 0, "host");
  auto port = url_part(curl, url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT, "port");
  if (!scheme || !host || !port) return unexpected("incomplete URL: " + copy);
  Origin origin{lower(*scheme), lower(*host), 0};
  if (origin.scheme != "http" && origin.scheme != "https") {
    return unexpected("unsupported scheme in " + copy + " (http and https only)");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
  if (ec != std::errc() || end != port->data() + port->size() || value > 65535) {
    return unexpected("bad port in " + copy);
  }
  origin.port = static_cast<uint16_t>(value);
  return origin;
}

Result<AllowList, std::string> AllowList::parse(const std::vector<std::string>& entries) {
  AllowList list;
  for (const auto& entry : entries) {
    if (entry == "insecure:allow-all") {
      list.allow_all_ = true;
      continue;
    }
    auto origin = parse_origin(entry);
    if (!origin) return unexpected("--allowed-host " + entry + ": " + origin.error());
    list.origins_.push_back(std::move(*origin));
  }
  return list;
}

bool AllowList::allows(const Origin& destination) const {
  return allow_all_ || std::find(origins_.begin(), origins_.end(), destination) != origins_.end();
}

}  // namespace wasmdapr::hostabi
