#pragma once
// The bindings building block as a C++ interface: output bindings, which the app calls with
// an operation ("create", "get", ...) and data. Knows nothing of HTTP or WASM.

#include <string>
#include <vector>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

struct BindingRequest {
  std::string operation;
  std::string data;   // the bytes handed to the component (the HTTP API re-marshals JSON data)
  Metadata metadata;  // per-call metadata (fileName, path, ...)
};

struct BindingResponse {
  std::string data;   // empty: nothing to return
  Metadata metadata;  // e.g. statusCode; the HTTP API sends them as `metadata.<k>` headers
};

class OutputBinding {
 public:
  virtual ~OutputBinding() = default;
  // The operations it accepts; InvalidArgument for any other.
  virtual std::vector<std::string> operations() const = 0;
  virtual Result<BindingResponse, Error> invoke(const BindingRequest& request) = 0;
};

}  // namespace wasmdapr::dapr
