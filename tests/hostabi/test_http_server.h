#pragma once
// A real HTTP/1.1 server on a loopback port for outbound-call tests. Routes:
//   /echo        200, body "METHOD PATH\n" + each request header "name:value\n" + "\n" + body
//   /bytes/N     200, N bytes of a repeating pattern (streaming and large bodies)
//   /headers     200, headers x-one: 1, x-two: a:b, and a repeated x-multi
//   anything     404
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wasmdapr::testing {

inline std::string pattern_bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

class TestHttpServer {
 public:
  TestHttpServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TestHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with one last connection.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
    // Clients keep idle connections open: end them, so that their readers return.
    std::lock_guard lock(connections_mutex_);
    for (auto& socket : connections_) ::shutdown(socket->native_handle(), SHUT_RDWR);
    for (auto& reader : readers_) reader.join();
  }
  uint16_t port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  // Each connection gets a thread of its own: a client may keep one open and idle while it
  // (or another client) opens the next.
  void serve() {
    while (!stopping_) {
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) continue;
      std::lock_guard lock(connections_mutex_);
      connections_.push_back(socket);
      readers_.emplace_back([socket] { serve_connection(*socket); });
    }
  }

  static void serve_connection(boost::asio::ip::tcp::socket& socket) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) break;
      http::response<http::string_body> res = respond(req);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) break;
    }
  }

  static boost::beast::http::response<boost::beast::http::string_body> respond(
      const boost::beast::http::request<boost::beast::http::string_body>& req) {
    namespace http = boost::beast::http;
    http::response<http::string_body> res{http::status::ok, req.version()};
    std::string target(req.target());
    if (target == "/echo") {
      std::string body = std::string(req.method_string()) + " " + target + "\n";
      for (const auto& field : req) {
        body += std::string(field.name_string()) + ":" + std::string(field.value()) + "\n";
      }
      res.body() = body + "\n" + req.body();
    } else if (target.starts_with("/bytes/")) {
      res.body() = pattern_bytes(std::stoul(target.substr(7)));
    } else if (target == "/headers") {
      res.set("x-one", "1");
      res.set("x-two", "a:b");
      res.insert("x-multi", "first");
      res.insert("x-multi", "second");
      res.body() = "ok";
    } else {
      res.result(http::status::not_found);
      res.body() = "not found";
    }
    return res;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex connections_mutex_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> connections_;
  std::vector<std::thread> readers_;
};

}  // namespace wasmdapr::testing
