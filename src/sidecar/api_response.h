#pragma once
// The shapes every Dapr HTTP API answer takes: 204 for an empty success, 200 with JSON or raw
// bytes, and errors as {"errorCode":"ERR_...","message":"..."} with the status the Dapr runtime
// uses for that code.

#include <string>
#include <string_view>

#include "dapr/error.h"
#include "http/server.h"

namespace wasmdapr::sidecar {

http::Response no_content();
http::Response json_ok(std::string body);
http::Response api_error(int status, std::string_view error_code, std::string_view message);

// How one API operation reports building-block errors: the Dapr error code used for failures
// of the operation itself (e.g. ERR_STATE_SAVE), and whether an etag conflict gets its own
// status (409 on save and delete, as the runtime answers; other operations report 500).
struct OperationErrors {
  std::string_view error_code;
  bool etag_conflict_is_409 = false;
};

// Maps a building-block error to Dapr's status and code for that operation.
http::Response operation_error(const dapr::Error& error, const OperationErrors& operation);

}  // namespace wasmdapr::sidecar
