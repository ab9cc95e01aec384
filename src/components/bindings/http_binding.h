#pragma once
// bindings.http: an output binding that makes one HTTP request per call to a configured base
// URL, as Dapr's component of that type behaves.
//
// Component metadata (names case-insensitive, as Dapr decodes them):
//   url                  required, http:// or https://; the base of every request
//   responseTimeout      a Go duration ("500ms", "10s", "1m30s"): the whole exchange's limit
//                        (30s when absent; Dapr waits forever, a sidecar thread must not)
//   maxResponseBodySize  bytes, or with a unit (Ki, Mi, Gi, k, M, G); the body is cut there;
//                        default 100Mi; 0 or less: no limit
//   securityToken, securityTokenHeader   a header added to every request
//   errorIfNot2XX        default true: a status outside 2xx fails the call
//   MTLSRootCA, MTLSClientCert, MTLSClientKey, MTLSRenegotiation: refused (NotSupported);
//                        the platform's trust store verifies https servers
//
// Operations get, head, post, put, patch, delete, options, trace and create (= post). Only
// post, put and patch send the data as the body (Content-Type application/json; charset=utf-8
// unless given). Per-call metadata: `path` appended to the url with one '/' between them,
// `errorIfNot2XX` overriding the component's, traceparent/tracestate/baggage forwarded, and
// every key starting with a capital letter sent as a request header.
//
// The response data is the body; its metadata holds `statusCode` ("200"), `status`
// ("200 OK") and each response header under its canonical name ("Content-Type"), repeated
// headers joined with ", ". A failing status is an error "received status code <n>"
// (Internal); an unreachable server or a timeout is Unavailable.

#include <memory>

#include "dapr/binding.h"
#include "dapr/component.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_http_binding(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
