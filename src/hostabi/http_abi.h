#pragma once
// The `wasi_experimental_http` guest ABI, bit-for-bit as existing guests were built against
// it (docs/abi.md): requests through an allow list, responses held by handle, headers and a
// streamed body read back into guest buffers. Every guest pointer is bounds-checked; bad
// input is an error code, never a host crash.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostabi/allow_list.h"
#include "http/outbound_client.h"
#include "wasm/linker.h"

namespace wasmdapr::hostabi {

enum class HttpAbiError : uint32_t {
  Success = 0,
  InvalidHandle = 1,
  MemoryNotFound = 2,
  MemoryAccessError = 3,
  BufferTooSmall = 4,
  HeaderNotFound = 5,
  Utf8Error = 6,
  DestinationNotAllowed = 7,
  InvalidMethod = 8,
  InvalidEncoding = 9,
  InvalidUrl = 10,
  RequestError = 11,
  RuntimeError = 12,
  TooManySessions = 13,
};

struct HttpAbiConfig {
  std::vector<std::string> allowed_hosts;    // "scheme://host:port" or "insecure:allow-all"
  std::optional<uint32_t> max_open_handles;  // beyond it, req returns TooManySessions
};

// Answers a request in process, without TCP (the runtime's own sidecar).
using LocalHandler = std::function<http::OutboundResponse(const http::OutboundRequest&)>;

class HttpAbi {
 public:
  // Fails when an allow-list entry is not a URL.
  static Result<std::unique_ptr<HttpAbi>, std::string> create(HttpAbiConfig config);

  // Requests to `origin` are handed to `handler` instead of the network, after the same
  // allow-list check, so the guest sees identical results either way.
  void set_local(Origin origin, LocalHandler handler);

  // Defines the five functions of "wasi_experimental_http". This object must outlive every
  // Store linked with it; each Store keeps its own open responses.
  void add_to_linker(wasm::Linker& linker);

  // The steps of `req`: the destination's origin if the allow list admits it, then the
  // exchange (in process for the local origin, over the network otherwise).
  Result<Origin, HttpAbiError> check_destination(std::string_view url) const;
  Result<http::OutboundResponse, HttpAbiError> send(const http::OutboundRequest& request,
                                                    const Origin& destination) const;
  const HttpAbiConfig& config() const { return config_; }

  HttpAbi(HttpAbiConfig config, AllowList allow)
      : config_(std::move(config)), allow_(std::move(allow)) {}

 private:
  HttpAbiConfig config_;
  AllowList allow_;
  std::optional<Origin> local_origin_;
  LocalHandler local_handler_;
};

}  // namespace wasmdapr::hostabi
