#pragma once
// Errors of the building blocks, as values. The sidecar maps them to Dapr's HTTP status and
// error codes; the host ABI maps them to its own codes. Both see the same Error.

#include <string>

namespace wasmdapr::dapr {

struct Error {
  enum class Code {
    NotFound,         // a component (store, pubsub...) is not configured
    InvalidArgument,  // malformed request (bad key, bad etag format, bad metadata value)
    EtagMismatch,     // optimistic concurrency conflict
    NotSupported,     // the component lacks the capability (transactions, query, ...)
    Unavailable,      // the backend cannot be reached
    Internal,         // anything else
  };
  Code code = Code::Internal;
  std::string message;
};

}  // namespace wasmdapr::dapr
