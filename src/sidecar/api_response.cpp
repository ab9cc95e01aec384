#include "sidecar/api_response.h"

#include "dapr/json_view.h"

namespace wasmdapr::sidecar {

http::Response no_content() {
  http::Response response;
  response.status = 204;
  return response;
}

http::Response json_ok(std::string body) {
  http::Response response;
  response.body = std::move(body);
  response.with_header("Content-Type", "application/json");
  return response;
}

http::Response api_error(int status, std::string_view error_code, std::string_view message) {
  http::Response response;
  response.status = status;
  response.body = R"({"errorCode":)" + dapr::JsonView::quote(error_code) + R"(,"message":)" +
                  dapr::JsonView::quote(message) + "}";
  response.with_header("Content-Type", "application/json");
  return response;
}

http::Response operation_error(const dapr::Error& error, const OperationErrors& operation) {
  using Code = dapr::Error::Code;
  switch (error.code) {
    // The runtime answers 400 (invalid etag) and 409 only on save and delete; every other
    // operation reports a store failure, whatever its cause, as 500.
    case Code::InvalidArgument:
      return api_error(operation.etag_conflict_is_409 ? 400 : 500, operation.error_code,
                       error.message);
    case Code::EtagMismatch:
      return api_error(operation.etag_conflict_is_409 ? 409 : 500, operation.error_code,
                       error.message);
    default:
      return api_error(500, operation.error_code, error.message);
  }
}

}  // namespace wasmdapr::sidecar
