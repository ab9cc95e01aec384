#pragma once
// libcurl, loaded on the first outbound request instead of at process start. Linking it would
// map some thirty libraries (TLS, Kerberos, LDAP, SSH...) into every `wasmdapr run`, which
// costs several milliseconds of start-up to programs that never make an HTTP call.

#include <curl/curl.h>

#include <string>

#include "base/result.h"

namespace wasmdapr::http {

// The entry points of libcurl that the outbound client uses.
struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  // The URL parser, so that a URL is checked exactly as libcurl will then request it.
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  void (*free)(void*);
};

// Loads and initialises libcurl once (thread-safe); later calls return the same table, or the
// same error naming what could not be loaded.
Result<const CurlLibrary*, std::string> curl_library();

}  // namespace wasmdapr::http
