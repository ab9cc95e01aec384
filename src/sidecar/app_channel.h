#pragma once
// The sidecar's channel to its own app: HTTP to <app host>:<--app-port>, as daprd talks to the
// app it serves (service invocation, pub/sub deliveries, /dapr/subscribe, configuration
// changes). With no app port there is no app to call, and every call fails with NotFound.
//
// Calls are synchronous and block the calling thread: callers are the sidecar's delivery
// threads or a request's own thread, never a guest's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "dapr/error.h"
#include "http/outbound_client.h"
#include "base/result.h"

namespace wasmdapr::sidecar {

struct AppChannelOptions {
  std::optional<uint16_t> port;  // --app-port
  std::string host = "127.0.0.1";
  std::chrono::milliseconds timeout{60'000};
};

class AppChannel {
 public:
  explicit AppChannel(AppChannelOptions options) : options_(std::move(options)) {}

  bool configured() const { return options_.port.has_value(); }

  // `path_and_query` starts with '/'. NotFound with no app port; Unavailable when the app
  // does not answer. Any answer, whatever its status, is a success here.
  Result<http::OutboundResponse, dapr::Error> call(const std::string& method,
                                                   const std::string& path_and_query,
                                                   http::HeaderList headers,
                                                   std::string body) const;

  // Waits until the app accepts TCP connections on its port, up to `limit`: daprd waits for
  // the app's port before it asks for subscriptions. False on timeout or with no app port.
  bool wait_until_listening(std::chrono::milliseconds limit) const;

 private:
  AppChannelOptions options_;
};

}  // namespace wasmdapr::sidecar
