#include "sidecar/app_channel.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

namespace wasmdapr::sidecar {

Result<http::OutboundResponse, dapr::Error> AppChannel::call(const std::string& method,
                                                             const std::string& path_and_query,
                                                             http::HeaderList headers,
                                                             std::string body) const {
  if (!options_.port) {
    return unexpected(dapr::Error{dapr::Error::Code::NotFound,
                                  "app channel is not initialized: no --app-port was given"});
  }
  http::OutboundRequest request;
  request.method = method;
  request.url = "http://" + options_.host + ":" + std::to_string(*options_.port) + path_and_query;
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.timeout = options_.timeout;
  auto response = http::perform(request);
  if (!response) {
    return unexpected(dapr::Error{dapr::Error::Code::Unavailable,
                                  "app at " + options_.host + ":" + std::to_string(*options_.port) +
                                      " did not answer: " + response.error()});
  }
  return std::move(*response);
}

bool AppChannel::wait_until_listening(std::chrono::milliseconds limit) const {
  if (!options_.port) return false;
  namespace ip = boost::asio::ip;
  auto deadline = std::chrono::steady_clock::now() + limit;
  boost::asio::io_context io;
  boost::system::error_code ec;
  auto address = ip::make_address(options_.host, ec);
  if (ec) return false;
  ip::tcp::endpoint endpoint(address, *options_.port);
  for (;;) {
    ip::tcp::socket socket(io);
    socket.connect(endpoint, ec);
    if (!ec) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace wasmdapr::sidecar
