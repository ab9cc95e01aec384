#include "http/server.h"

#include <strings.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <thread>

namespace wasmdapr::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const char* reason(int status) {
  return bhttp::obsolete_reason(static_cast<bhttp::status>(status)).data();
}

// One client connection: read a request, answer it, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, const ServerOptions& options)
      : stream_(std::move(socket)), handler_(handler), options_(options) {}

  void start() { read_next(); }

 private:
  void read_next() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    stream_.expires_after(std::chrono::seconds(60));  // idle keep-alive connections close
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      return close();
    }
    if (ec) return reject(ec);
    auto& req = parser_->get();
    Request request;
    request.method = std::string(req.method_string());
    auto raw_target = req.target();
    std::string_view target(raw_target.data(), raw_target.size());
    size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    request.headers.reserve(std::distance(req.begin(), req.end()));
    for (const auto& field : req) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    bool keep_alive = req.keep_alive();
    unsigned version = req.version();
    write(handler_(request), keep_alive, version, req.method() == bhttp::verb::head);
  }

  // Malformed input: answer with the matching status, then close the connection, because the
  // stream's framing can no longer be trusted.
  void reject(beast::error_code ec) {
    Response response;
    if (ec == bhttp::error::body_limit) {
      response = body_too_large(options_.max_body_bytes);
    } else if (ec == bhttp::error::header_limit) {
      response = malformed_request(
          431, "request headers exceed " + std::to_string(options_.max_header_bytes) + " bytes");
    } else {
      response = malformed_request(400, "malformed HTTP request: " + ec.message());
    }
    rejected_ = true;
    write(std::move(response), false, 11);
  }

  void write(Response response, bool keep_alive, unsigned version, bool head = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(response.status));
    res->reason(reason(response.status));
    for (auto& [k, v] : response.headers) res->insert(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head) res->body().clear();  // the length of the body a GET would get, and no body
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                         if (ec || !keep_alive) return self->close();
                         self->read_next();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (rejected_ && !ec) linger();
  }

  // After a rejection the client may still be sending (the rest of an oversized body). Closing
  // a socket with unread input makes the kernel reset the connection, and a reset can destroy
  // the answer before the client reads it. So the input is read and dropped until the client
  // closes its side, within a bound of bytes and time; the session then ends and closes.
  void linger() {
    static constexpr size_t kLingerBytes = 1 << 20;
    static constexpr auto kLingerTime = std::chrono::seconds(5);
    if (discard_.empty()) {
      discard_.resize(16 << 10);
      stream_.expires_after(kLingerTime);
    }
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return;
                              self->linger();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const Handler& handler_;
  const ServerOptions& options_;
  bool rejected_ = false;
  std::vector<char> discard_;  // the lingering reads' buffer, allocated only after a rejection
  size_t lingered_ = 0;
};

}  // namespace

struct Server::Impl {
  Impl(const ServerOptions& opts, Handler h) : options(opts), handler(std::move(h)) {
    io.emplace(static_cast<int>(thread_count()));
    acceptor.emplace(*io);
  }

  unsigned thread_count() const {
    return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  }

  std::string bind() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options.address, ec);
    if (ec) return "invalid listen address '" + options.address + "'";
    tcp::endpoint endpoint(address, options.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return "cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
             ec.message();
    }
    port = acceptor->local_endpoint().port();
    return {};
  }

  void accept() {
    acceptor->async_accept(asio::make_strand(*io), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), handler, options)->start();
      }
      accept();
    });
  }

  void run() {
    for (unsigned i = 0; i < thread_count(); ++i) threads.emplace_back([this] { io->run(); });
  }

  // Once no thread runs the io_context, the listening socket closes (new connections are
  // refused, not left queued in the backlog), and destroying the io_context destroys every
  // pending handler and with them the sessions they own, which closes their connections.
  void stop() {
    std::call_once(stopped, [this] {
      io->stop();
      for (auto& t : threads) t.join();
      acceptor.reset();
      io.reset();
    });
  }

  ServerOptions options;
  Handler handler;
  std::optional<asio::io_context> io;  // both reset by stop(), the acceptor first
  std::optional<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::vector<std::thread> threads;
  std::once_flag stopped;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>, std::string> Server::start(const ServerOptions& options,
                                                           Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  if (auto error = impl->bind(); !error.empty()) return unexpected(error);
  impl->accept();
  impl->run();
  return std::make_unique<Server>(std::move(impl));
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop() {
  if (impl_) impl_->stop();
}

Response malformed_request(int status, const std::string& message) {
  Response response;
  response.status = status;
  response.with_header("Content-Type", "application/json");
  response.body = R"({"errorCode":"ERR_MALFORMED_REQUEST","message":")" + message + "\"}";
  return response;
}

Response body_too_large(size_t max_body_bytes) {
  return malformed_request(413,
                           "request body exceeds " + std::to_string(max_body_bytes) + " bytes");
}

std::string url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    params.emplace_back(url_decode(key, true), url_decode(value, true));
  }
  return params;
}

}  // namespace wasmdapr::http
