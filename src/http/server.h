#pragma once
// The sidecar's HTTP/1.1 server: Boost.Beast on Asio, keep-alive, a pool of threads each
// running the io_context. The handler is called on a pool thread and must be thread-safe.
//
// Bad input never reaches the handler: unparsable requests get 400, a body over the limit
// 413, headers over the limit 431, and the connection is closed; the server keeps serving.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace wasmdapr::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target before '?', still percent-encoded
  std::string query;   // the target after '?', or empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  Response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;                // 0: any free port (see Server::port())
  unsigned threads = 0;             // 0: one per core
  size_t max_body_bytes = 4 << 20;  // Dapr's default --max-body-size (4Mi)
  size_t max_header_bytes = 16 << 10;
};

class Server {
 public:
  // Binds and starts serving at once; fails with a message when the address can't be bound.
  static Result<std::unique_ptr<Server>, std::string> start(const ServerOptions& options,
                                                            Handler handler);
  ~Server();

  uint16_t port() const;
  // Stops accepting, closes connections, joins the threads. Idempotent.
  void stop();

  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// The answers the server gives to input it refuses, for in-process callers that must answer
// alike: {"errorCode":"ERR_MALFORMED_REQUEST","message":...} with that status (`message` is
// plain text without quotes or backslashes), and the 413 for a body over the limit.
Response malformed_request(int status, const std::string& message);
Response body_too_large(size_t max_body_bytes);

// Percent-decoding of a path segment or query component ('+' is a space only in queries).
std::string url_decode(std::string_view text, bool plus_is_space = false);
// The query string's parameters, decoded, in order.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace wasmdapr::http
