#include "http/curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace wasmdapr::http {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

struct Loaded {
  CurlLibrary library{};
  std::string error;
};

template <typename Fn>
bool resolve(void* handle, const char* name, Fn& out, std::string& error) {
  out = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!out && error.empty()) error = std::string(kSoname) + ": no symbol " + name;
  return out != nullptr;
}

Loaded load() {
  Loaded loaded;
  // Never closed: libcurl stays for the life of the process once an app has needed it.
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    loaded.error = std::string("cannot load ") + kSoname + ": " + dlerror();
    return loaded;
  }
  CurlLibrary& c = loaded.library;
  std::string& e = loaded.error;
  resolve(handle, "curl_global_init", c.global_init, e);
  resolve(handle, "curl_easy_init", c.easy_init, e);
  resolve(handle, "curl_easy_cleanup", c.easy_cleanup, e);
  resolve(handle, "curl_easy_reset", c.easy_reset, e);
  resolve(handle, "curl_easy_setopt", c.easy_setopt, e);
  resolve(handle, "curl_easy_perform", c.easy_perform, e);
  resolve(handle, "curl_easy_getinfo", c.easy_getinfo, e);
  resolve(handle, "curl_easy_strerror", c.easy_strerror, e);
  resolve(handle, "curl_slist_append", c.slist_append, e);
  resolve(handle, "curl_slist_free_all", c.slist_free_all, e);
  resolve(handle, "curl_url", c.url, e);
  resolve(handle, "curl_url_cleanup", c.url_cleanup, e);
  resolve(handle, "curl_url_set", c.url_set, e);
  resolve(handle, "curl_url_get", c.url_get, e);
  resolve(handle, "curl_free", c.free, e);
  if (e.empty() && c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    e = std::string(kSoname) + ": global initialisation failed";
  }
  return loaded;
}

}  // namespace

Result<const CurlLibrary*, std::string> curl_library() {
  static const Loaded loaded = load();
  if (!loaded.error.empty()) return unexpected(loaded.error);
  return &loaded.library;
}

}  // namespace wasmdapr::http
