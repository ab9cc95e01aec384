#pragma once
// The state management routes of Dapr's HTTP API v1.0 (and the alpha1 query), as an adapter
// from HTTP requests to dapr::StateStore calls. Keys get the component's key prefix
// (`<app-id>||key` by default), exactly as the guest ABI applies it, so the two paths agree.
//
// Status codes and error codes follow the Dapr runtime: 204 for writes, 200 + raw value +
// ETag header for a found key, 204 for a missing one; 400 ERR_STATE_STORE_NOT_FOUND,
// 400 ERR_MALFORMED_REQUEST, 409 ERR_STATE_SAVE/ERR_STATE_DELETE on an etag conflict,
// 400 on an invalid etag, 500 ERR_STATE_STORE_NOT_SUPPORTED for a missing capability.

#include <map>
#include <string>
#include <string_view>

#include "dapr/component.h"
#include "dapr/key_prefix.h"
#include "http/server.h"
#include "sidecar/request_params.h"
#include "base/result.h"

namespace wasmdapr::sidecar {

class StateApi {
 public:
  // `components` must outlive this object.
  StateApi(const dapr::ComponentSet& components, std::string_view app_id);

  http::Response save(std::string_view store, const http::Request& request) const;
  http::Response get(std::string_view store, std::string_view key,
                     const http::Request& request) const;
  http::Response bulk_get(std::string_view store, const http::Request& request) const;
  http::Response del(std::string_view store, std::string_view key,
                     const http::Request& request) const;
  http::Response transaction(std::string_view store, const http::Request& request) const;
  http::Response query(std::string_view store, const http::Request& request) const;

 private:
  struct Target {
    dapr::StateStore* store = nullptr;
    dapr::KeyPrefix prefix;
  };
  // The named store, or the error response for a missing one.
  Result<const Target*, http::Response> target(std::string_view store) const;
  // What the routes on one key share: its store, its store key and the query parameters.
  struct KeyRequest {
    const Target* target;
    std::string key;
    RequestParams params;
  };
  Result<KeyRequest, http::Response> key_request(std::string_view store, std::string_view key,
                                                 const http::Request& request) const;

  std::map<std::string, Target, std::less<>> stores_;
};

}  // namespace wasmdapr::sidecar
