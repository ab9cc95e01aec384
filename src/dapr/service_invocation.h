#pragma once
// Service invocation as a C++ interface: call a method of an app by its id. The sidecar
// implements it (its own app through the app channel, other apps through name resolution,
// non-Dapr endpoints by URL); the HTTP API and the guest ABI are two adapters over it.

#include <string>
#include <utility>
#include <vector>

#include "dapr/error.h"
#include "base/result.h"

namespace wasmdapr::dapr {

using InvokeHeaders = std::vector<std::pair<std::string, std::string>>;

struct InvokeRequest {
  std::string app_id;  // an app id, "app.namespace", an HTTPEndpoint name, or an http(s) URL
  std::string method;  // may hold slashes: "api/v1/add"
  std::string verb = "POST";
  std::string query;  // without '?'
  std::string data;
  InvokeHeaders headers;  // forwarded as they are (Content-Type included)
};

struct InvokeResponse {
  int status = 200;
  InvokeHeaders headers;  // names lower-cased
  std::string data;
};

class ServiceInvoker {
 public:
  virtual ~ServiceInvoker() = default;
  // NotFound when the target cannot be resolved; Unavailable when it cannot be reached. Any
  // answer the target gives, whatever its status, is a success here.
  virtual Result<InvokeResponse, Error> invoke(const InvokeRequest& request) = 0;
};

}  // namespace wasmdapr::dapr
