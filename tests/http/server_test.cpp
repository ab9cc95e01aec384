// http::Server through real loopback sockets: well-formed requests with the outbound client,
// malformed and oversized ones as raw bytes written with POSIX sockets, so the server sees
// exactly what a broken or hostile client would send.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/outbound_client.h"

namespace wasmdapr::http {
namespace {

// Echoes what the handler saw, so a test can check the request arrived intact:
// body "METHOD path?query|header x-test|body".
Response echo(const Request& request) {
  Response response;
  response.status = request.path == "/created" ? 201 : 200;
  response.with_header("Content-Type", "text/plain").with_header("X-Path", request.path);
  response.body = request.method + " " + request.path + "?" + request.query + "|" +
                  std::string(request.header("X-Test")) + "|" + request.body;
  return response;
}

OutboundRequest outbound(std::string method, std::string url, HeaderList headers = {},
                         std::string body = {}) {
  OutboundRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    if (!options.threads) options.threads = 2;
    auto server = Server::start(options, [this](const Request& request) {
      handled_.fetch_add(1);
      return echo(request);
    });
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
    ASSERT_NE(server_->port(), 0);
  }

  std::string url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }

  std::atomic<int> handled_{0};
  std::unique_ptr<Server> server_;
};

// A blocking loopback connection that sends and reads raw bytes. Reads give up after a
// generous receive timeout so a broken server fails the test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  int connect_errno() const { return connect_errno_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response: status line and headers, then a Content-Length body. nullopt when the
  // connection closes (or times out) first.
  struct Response {
    int status = 0;
    std::string head;
    std::string body;
  };
  std::optional<Response> read_response() {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    Response response;
    response.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    if (response.head.size() < 12 || !response.head.starts_with("HTTP/1.")) return std::nullopt;
    response.status = std::stoi(response.head.substr(9, 3));
    size_t length = 0;
    if (auto at = lowercase(response.head).find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(response.head.substr(at + 17));
    }
    while (pending_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  // Whether the peer closed the connection (orderly or by reset) with nothing more to read.
  bool closed_by_peer() {
    if (!pending_.empty()) return false;
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  static std::string lowercase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool fill() {
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string pending_;
};

bool has_header(const std::string& head, std::string_view line) {
  return head.find("\r\n" + std::string(line) + "\r\n") != std::string::npos;
}

// ---- Well-formed traffic ---------------------------------------------------------------------

TEST_F(ServerTest, AnswersThroughTheOutboundClient) {
  start();
  OutboundRequest request;
  request.method = "POST";
  request.url = url("/created/a%20b?x=1&y=%2F");
  request.headers = {{"X-Test", "hello"}, {"Content-Type", "application/json"}};
  request.body = R"({"k":1})";
  auto response = perform(request);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"(POST /created/a%20b?x=1&y=%2F|hello|{"k":1})");
  bool saw_path = false;
  for (const auto& [name, value] : response->headers) {
    if (name == "x-path") saw_path = value == "/created/a%20b";
  }
  EXPECT_TRUE(saw_path);

  auto created = perform(outbound("PUT", url("/created"), {}, "x"));
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(created->status, 201);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.send("GET /one HTTP/1.1\r\nHost: x\r\nX-Test: 1\r\n\r\n"));
  auto first = connection.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "GET /one?|1|");
  EXPECT_FALSE(has_header(first->head, "Connection: close"));

  ASSERT_TRUE(connection.send("POST /two?q HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  auto second = connection.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "POST /two?q||abc");
  EXPECT_EQ(handled_.load(), 2);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (const char* want : {"GET /a?||", "POST /b?||xyz", "GET /c?||"}) {
    auto response = connection.read_response();
    ASSERT_TRUE(response) << want;
    EXPECT_EQ(response->body, want);
  }
}

TEST_F(ServerTest, ConnectionCloseAndHttp10CloseAfterTheResponse) {
  start();
  {
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(has_header(response->head, "Connection: close"));
    EXPECT_TRUE(connection.closed_by_peer());
  }
  {
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.send("GET /y HTTP/1.0\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_TRUE(response->head.starts_with("HTTP/1.0 200"));
    EXPECT_EQ(response->body, "GET /y?||");
    EXPECT_TRUE(connection.closed_by_peer());
  }
}

TEST_F(ServerTest, ABodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  start(options);
  auto response = perform(outbound("POST", url("/full"), {}, std::string(1024, 'b')));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), std::string("POST /full?||").size() + 1024);
}

TEST_F(ServerTest, ConcurrentClientsAreAllAnswered) {
  start();
  constexpr int kClients = 4;
  constexpr int kRequestsEach = 25;
  std::vector<std::thread> clients;
  std::vector<int> answered(kClients, 0);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kRequestsEach; ++i) {
        std::string id = std::to_string(c) + "-" + std::to_string(i);
        auto response = perform(outbound("POST", url("/r/" + id), {{"X-Test", id}}, id));
        if (response && response->status == 200 &&
            response->body == "POST /r/" + id + "?|" + id + "|" + id) {
          ++answered[c];
        }
      }
    });
  }
  // Half of the traffic again on kept-alive raw connections, interleaved with the above.
  std::vector<std::thread> raw_clients;
  std::vector<int> raw_answered(kClients, 0);
  for (int c = 0; c < kClients; ++c) {
    raw_clients.emplace_back([&, c] {
      RawConnection connection(server_->port());
      for (int i = 0; i < kRequestsEach; ++i) {
        std::string id = "raw" + std::to_string(c) + "-" + std::to_string(i);
        if (!connection.send("GET /" + id + " HTTP/1.1\r\nHost: x\r\n\r\n")) return;
        auto response = connection.read_response();
        if (response && response->body == "GET /" + id + "?||") ++raw_answered[c];
      }
    });
  }
  for (auto& t : clients) t.join();
  for (auto& t : raw_clients) t.join();
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(answered[c], kRequestsEach) << "client " << c;
    EXPECT_EQ(raw_answered[c], kRequestsEach) << "raw client " << c;
  }
  EXPECT_EQ(handled_.load(), 2 * kClients * kRequestsEach);
}

// ---- Bad input -------------------------------------------------------------------------------

TEST_F(ServerTest, AMalformedRequestLineIs400AndTheServerKeepsServing) {
  start();
  for (const char* garbage : {"this is not http\r\n\r\n", "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
                              "GET /\x01 HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n"}) {
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.send(garbage));
    auto response = connection.read_response();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->status, 400) << garbage;
    EXPECT_TRUE(has_header(response->head, "Connection: close"));
    EXPECT_NE(response->body.find("ERR_MALFORMED_REQUEST"), std::string::npos);
    EXPECT_TRUE(connection.closed_by_peer()) << garbage;
  }
  EXPECT_EQ(handled_.load(), 0);

  auto next = perform(outbound("GET", url("/after"), {}, ""));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(ServerTest, MalformedHeadersAndFramingAre400) {
  start();
  for (const char* garbage :
       {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.send(garbage));
    auto response = connection.read_response();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->status, 400) << garbage;
    EXPECT_TRUE(connection.closed_by_peer()) << garbage;
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, AMalformedRequestAfterAGoodOneClosesOnlyThatConnection) {
  start();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto good = connection.read_response();
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  ASSERT_TRUE(connection.send("BROKEN\r\n\r\n"));
  auto bad = connection.read_response();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(connection.closed_by_peer());

  RawConnection other(server_->port());
  ASSERT_TRUE(other.send("GET /still HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto still = other.read_response();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->body, "GET /still?||");
}

TEST_F(ServerTest, ABodyOverTheLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  start(options);
  {
    // Declared too large: refused from the headers alone.
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_NE(response->body.find("1024"), std::string::npos) << response->body;
    EXPECT_TRUE(connection.closed_by_peer());
  }
  {
    // Chunked: refused once the chunks add up to more than the limit.
    RawConnection connection(server_->port());
    ASSERT_TRUE(
        connection.send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "400\r\n" +
                        std::string(1024, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  {
    // Through a real client that sends the whole body.
    auto response = perform(outbound("POST", url("/big"), {}, std::string(1025, 'c')));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 413);
  }
  {
    // Far over the limit: the answer still arrives rather than a reset connection.
    auto response = perform(outbound("POST", url("/big"), {}, std::string(512 << 10, 'd')));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 413);
  }
  EXPECT_EQ(handled_.load(), 0);
  auto small = perform(outbound("POST", url("/small"), {}, "ok"));
  ASSERT_TRUE(small) << small.error();
  EXPECT_EQ(small->status, 200);
}

TEST_F(ServerTest, HeadersOverTheLimitAre431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  start(options);
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2048, 'h') +
                              "\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_EQ(handled_.load(), 0);

  auto fits = perform(outbound("GET", url("/"), {{"X-Test", std::string(512, 'f')}}, ""));
  ASSERT_TRUE(fits) << fits.error();
  EXPECT_EQ(fits->status, 200);
}

// ---- Life cycle ------------------------------------------------------------------------------

TEST_F(ServerTest, StopIsIdempotentAndClosesListenerAndConnections) {
  start();
  RawConnection idle(server_->port());
  ASSERT_TRUE(idle.send("GET /k HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  uint16_t port = server_->port();

  server_->stop();
  server_->stop();

  // The kept-alive connection was closed, and nobody listens on the port any more.
  EXPECT_TRUE(idle.closed_by_peer());
  RawConnection late(port);
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_errno(), ECONNREFUSED);
  server_.reset();  // the destructor stops again
}

TEST_F(ServerTest, StopFromSeveralThreadsAtOnceJoinsOnce) {
  start();
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 3; ++i) stoppers.emplace_back([this] { server_->stop(); });
  for (auto& t : stoppers) t.join();
  server_.reset();
}

TEST_F(ServerTest, APortInUseOrABadAddressFailsToStart) {
  start();
  ServerOptions taken;
  taken.port = server_->port();
  auto clash = Server::start(taken, echo);
  ASSERT_FALSE(clash);
  EXPECT_NE(clash.error().find(std::to_string(server_->port())), std::string::npos)
      << clash.error();

  ServerOptions bad;
  bad.address = "not-an-address";
  auto invalid = Server::start(bad, echo);
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().find("not-an-address"), std::string::npos) << invalid.error();
}

// ---- Query and path decoding -----------------------------------------------------------------

TEST(UrlDecode, DecodesPercentEscapes) {
  EXPECT_EQ(url_decode("a%20b%2Fc%7C%7cd"), "a b/c||d");
  EXPECT_EQ(url_decode("%41%e2%82%ac"), "A\xe2\x82\xac");
  EXPECT_EQ(url_decode(""), "");
}

TEST(UrlDecode, PlusIsASpaceOnlyInQueries) {
  EXPECT_EQ(url_decode("a+b"), "a+b");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("a%2Bb", true), "a+b");
}

TEST(UrlDecode, KeepsMalformedEscapesAsTheyAre) {
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%4"), "%4");
  EXPECT_EQ(url_decode("%zz%4g"), "%zz%4g");
  EXPECT_EQ(url_decode("a%%41"), "a%A");
}

TEST(UrlDecode, DecodesNulAndHighBytes) {
  EXPECT_EQ(url_decode("a%00b"), std::string("a\0b", 3));
  EXPECT_EQ(url_decode("%FF"), "\xff");
}

TEST(ParseQuery, SplitsDecodesAndKeepsOrder) {
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parse_query("a=1&b=two+words&c=%26%3D"),
            (Params{{"a", "1"}, {"b", "two words"}, {"c", "&="}}));
  EXPECT_EQ(parse_query("metadata.ttlInSeconds=3&metadata.ttlInSeconds=4"),
            (Params{{"metadata.ttlInSeconds", "3"}, {"metadata.ttlInSeconds", "4"}}));
}

TEST(ParseQuery, HandlesEmptyPartsAndMissingValues) {
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parse_query(""), Params{});
  EXPECT_EQ(parse_query("&&"), Params{});
  EXPECT_EQ(parse_query("flag&x=&=v&y=a=b"),
            (Params{{"flag", ""}, {"x", ""}, {"", "v"}, {"y", "a=b"}}));
  EXPECT_EQ(parse_query("k%20ey=v%20al"), (Params{{"k ey", "v al"}}));
}

}  // namespace
}  // namespace wasmdapr::http
