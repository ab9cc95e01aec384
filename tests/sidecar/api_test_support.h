#pragma once
// What the sidecar's API tests share: building a request from a target ("/path?query"), and
// checking a Dapr error answer (status and errorCode).

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dapr/json_view.h"
#include "http/server.h"

namespace wasmdapr::sidecar::api_test {

inline http::Request make_request(std::string method, std::string_view target,
                                  std::vector<std::pair<std::string, std::string>> headers = {},
                                  std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// The response is a Dapr API error: this status, and {"errorCode": code, ...}.
inline ::testing::AssertionResult IsApiError(const http::Response& response, int status,
                                             std::string_view code) {
  if (response.status != status) {
    return ::testing::AssertionFailure()
           << "status " << response.status << " (want " << status << "), body " << response.body;
  }
  auto json = dapr::JsonView::parse(response.body);
  const dapr::JsonView* error_code = json && json->is_object() ? json->find("errorCode") : nullptr;
  if (!error_code || !error_code->is_string() || error_code->string() != code) {
    return ::testing::AssertionFailure() << "errorCode is not " << code << ": " << response.body;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace wasmdapr::sidecar::api_test
