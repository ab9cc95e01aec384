#pragma once
// Outbound HTTP requests (libcurl underneath): one synchronous exchange, fully buffered.
// Connections are kept open per calling thread and reused for the next request to the same
// host and port.
// Used by the guests' wasi_experimental_http calls; the calling guest's thread waits, the
// sidecar's server threads never do.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace wasmdapr::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct OutboundRequest {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};
};

struct OutboundResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased, in arrival order; repeated names repeat
  std::string body;
};

// Performs the request; the error is libcurl's description (connect refused, TLS, timeout).
Result<OutboundResponse, std::string> perform(const OutboundRequest& request);

}  // namespace wasmdapr::http
