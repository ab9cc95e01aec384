// wasi_experimental_http through a real guest (http_passthrough.wat) against a real HTTP
// server on loopback: every function and every error code the host can produce.
#include "hostabi/http_abi.h"

#include <gtest/gtest.h>

#include "guest_harness.h"
#include "test_http_server.h"

namespace wasmdapr::hostabi {
namespace {

using testing::Guest;
using testing::TestHttpServer;
using E = HttpAbiError;

constexpr uint32_t kStatusOut = 0;  // u16 status written here
constexpr uint32_t kHandleOut = 8;  // u32 handle written here
constexpr uint32_t kWritten = 16;   // u32 byte counts written here

class HttpAbiTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> allowed, std::optional<uint32_t> max_handles = {}) {
    auto abi = HttpAbi::create({std::move(allowed), max_handles});
    ASSERT_TRUE(abi) << abi.error();
    abi_ = std::move(*abi);
    guest_ = std::make_unique<Guest>(GUEST_DIR "/http_passthrough.wasm",
                                     [&](wasm::Linker& l) { abi_->add_to_linker(l); });
  }

  E req(std::string_view url, std::string_view method = "GET", std::string_view headers = "",
        std::string_view body = "") {
    auto u = guest_->put(url);
    auto m = guest_->put(method);
    auto h = guest_->put(headers);
    auto b = guest_->put(body);
    return E(guest_->call(
        "req", {u, uint32_t(url.size()), m, uint32_t(method.size()), h, uint32_t(headers.size()), b,
                uint32_t(body.size()), kStatusOut, kHandleOut}));
  }
  uint32_t handle() { return guest_->read_u32(kHandleOut); }
  uint16_t status() { return guest_->read_u16(kStatusOut); }

  std::string body(uint32_t h, uint32_t chunk = 4096) {
    std::string all;
    auto buf = guest_->reserve(chunk);
    for (;;) {
      EXPECT_EQ(E(guest_->call("body_read", {h, buf, chunk, kWritten})), E::Success);
      uint32_t n = guest_->read_u32(kWritten);
      if (n == 0) return all;
      EXPECT_LE(n, chunk);
      all += guest_->read(buf, n);
    }
  }

  E header(uint32_t h, std::string_view name, std::string& value, uint32_t cap = 256) {
    auto n = guest_->put(name);
    auto buf = guest_->reserve(cap);
    auto e = E(guest_->call("header_get", {h, n, uint32_t(name.size()), buf, cap, kWritten}));
    if (e == E::Success) value = guest_->read(buf, guest_->read_u32(kWritten));
    return e;
  }

  TestHttpServer server_;
  std::unique_ptr<HttpAbi> abi_;
  std::unique_ptr<Guest> guest_;
};

TEST_F(HttpAbiTest, RequestSendsMethodHeadersAndBody) {
  start({server_.origin()});
  ASSERT_EQ(
      req(server_.origin() + "/echo", "POST", "content-type:text/plain\nx-trace:42\n", "hello"),
      E::Success);
  EXPECT_EQ(status(), 200);
  std::string text = body(handle());
  EXPECT_TRUE(text.starts_with("POST /echo\n")) << text;
  EXPECT_NE(text.find("x-trace:42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("content-type:text/plain\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nhello")) << text;
  EXPECT_EQ(E(guest_->call("close", {handle()})), E::Success);
}

TEST_F(HttpAbiTest, StatusOfNon2xxResponsesIsReported) {
  start({server_.origin()});
  ASSERT_EQ(req(server_.origin() + "/nowhere"), E::Success);
  EXPECT_EQ(status(), 404);
  EXPECT_EQ(body(handle()), "not found");
}

TEST_F(HttpAbiTest, LargeBodyStreamsAcrossReads) {
  start({server_.origin()});
  ASSERT_EQ(req(server_.origin() + "/bytes/1000000"), E::Success);
  std::string text = body(handle(), 65536);
  EXPECT_EQ(text.size(), 1000000u);
  EXPECT_EQ(text, testing::pattern_bytes(1000000));
  // After the end, reads keep returning zero bytes.
  EXPECT_EQ(E(guest_->call("body_read", {handle(), 2048, 16, kWritten})), E::Success);
  EXPECT_EQ(guest_->read_u32(kWritten), 0u);
}

TEST_F(HttpAbiTest, HeaderGetIsCaseInsensitiveAndBounded) {
  start({server_.origin()});
  ASSERT_EQ(req(server_.origin() + "/headers"), E::Success);
  std::string value;
  ASSERT_EQ(header(handle(), "X-Two", value), E::Success);
  EXPECT_EQ(value, "a:b");
  ASSERT_EQ(header(handle(), "x-multi", value), E::Success);
  EXPECT_EQ(value, "first");
  EXPECT_EQ(header(handle(), "x-absent", value), E::HeaderNotFound);
  EXPECT_EQ(header(handle(), "x-two", value, 2), E::BufferTooSmall);
  EXPECT_EQ(header(77, "x-two", value), E::InvalidHandle);
}

TEST_F(HttpAbiTest, HeadersGetAllListsEveryLine) {
  start({server_.origin()});
  ASSERT_EQ(req(server_.origin() + "/headers"), E::Success);
  auto buf = guest_->reserve(1024);
  ASSERT_EQ(E(guest_->call("headers_get_all", {handle(), buf, 1024, kWritten})), E::Success);
  std::string all = guest_->read(buf, guest_->read_u32(kWritten));
  EXPECT_NE(all.find("x-one:1\n"), std::string::npos) << all;
  EXPECT_NE(all.find("x-two:a:b\n"), std::string::npos) << all;
  EXPECT_NE(all.find("x-multi:first\nx-multi:second\n"), std::string::npos) << all;
  EXPECT_EQ(E(guest_->call("headers_get_all", {handle(), buf, 4, kWritten})), E::BufferTooSmall);
  EXPECT_EQ(E(guest_->call("headers_get_all", {99, buf, 1024, kWritten})), E::InvalidHandle);
}

TEST_F(HttpAbiTest, AllowListMatchesSchemeHostAndPort) {
  start({server_.origin()});
  std::string port = std::to_string(server_.port());
  EXPECT_EQ(req("https://127.0.0.1:" + port + "/echo"), E::DestinationNotAllowed);
  EXPECT_EQ(req("http://localhost:" + port + "/echo"), E::DestinationNotAllowed);
  EXPECT_EQ(req("http://127.0.0.1:" + std::to_string(server_.port() + 1) + "/echo"),
            E::DestinationNotAllowed);
  EXPECT_EQ(req("http://127.0.0.1/echo"), E::DestinationNotAllowed);
  EXPECT_EQ(req(server_.origin() + "/echo"), E::Success);
}

TEST_F(HttpAbiTest, EmptyAllowListDeniesEverything) {
  start({});
  EXPECT_EQ(req(server_.origin() + "/echo"), E::DestinationNotAllowed);
}

TEST_F(HttpAbiTest, AllowAllAllowsAnyDestination) {
  start({"insecure:allow-all"});
  EXPECT_EQ(req(server_.origin() + "/echo"), E::Success);
}

TEST_F(HttpAbiTest, BadAllowListEntryFailsAtStartUp) {
  auto abi = HttpAbi::create({{"not a url"}, {}});
  ASSERT_FALSE(abi);
  EXPECT_NE(abi.error().find("not a url"), std::string::npos);
}

TEST_F(HttpAbiTest, MalformedRequestsGetTheirCodes) {
  start({server_.origin()});
  EXPECT_EQ(req("::nonsense::"), E::InvalidUrl);
  EXPECT_EQ(req(server_.origin() + "/echo", "GE T"), E::InvalidMethod);
  EXPECT_EQ(req(server_.origin() + "/echo", "GET", "no colon here"), E::InvalidEncoding);
  EXPECT_EQ(req(server_.origin() + "/echo", "GET", "bad name:1"), E::InvalidEncoding);
  EXPECT_EQ(req(server_.origin() + "/\xff"), E::Utf8Error);
  EXPECT_EQ(req(server_.origin() + "/echo", "G\xc3"), E::Utf8Error);
}

TEST_F(HttpAbiTest, ExtensionMethodsAreTokens) {
  start({server_.origin()});
  EXPECT_EQ(req(server_.origin() + "/echo", "DELET"), E::Success);
  EXPECT_TRUE(body(handle()).starts_with("DELET /echo\n"));
}

TEST_F(HttpAbiTest, PointersOutsideMemoryAreErrorCodes) {
  start({server_.origin()});
  auto url = server_.origin() + "/echo";
  auto u = guest_->put(url);
  auto m = guest_->put("GET");
  uint32_t end = 2 * 65536;
  // Reading past the end of memory: buffer too small, as the original host reports it.
  EXPECT_EQ(E(guest_->call("req", {end - 4, 100, m, 3, 0, 0, 0, 0, kStatusOut, kHandleOut})),
            E::BufferTooSmall);
  // Writing the status or handle past the end: memory access error.
  EXPECT_EQ(
      E(guest_->call("req", {u, uint32_t(url.size()), m, 3, 0, 0, 0, 0, end - 1, kHandleOut})),
      E::MemoryAccessError);
  ASSERT_EQ(req(url), E::Success);
  EXPECT_EQ(E(guest_->call("body_read", {handle(), end - 2, 64, kWritten})), E::MemoryAccessError);
}

TEST_F(HttpAbiTest, OpenHandlesAreBounded) {
  start({server_.origin()}, 2);
  ASSERT_EQ(req(server_.origin() + "/echo"), E::Success);
  uint32_t first = handle();
  ASSERT_EQ(req(server_.origin() + "/echo"), E::Success);
  EXPECT_NE(handle(), first);
  EXPECT_EQ(req(server_.origin() + "/echo"), E::TooManySessions);
  EXPECT_EQ(E(guest_->call("close", {first})), E::Success);
  EXPECT_EQ(req(server_.origin() + "/echo"), E::Success);
  // A closed handle is gone.
  EXPECT_EQ(E(guest_->call("body_read", {first + 100, 2048, 16, kWritten})), E::InvalidHandle);
}

TEST_F(HttpAbiTest, UnreachableServerIsRequestError) {
  uint16_t closed_port;
  {
    TestHttpServer gone;
    closed_port = gone.port();
  }
  std::string origin = "http://127.0.0.1:" + std::to_string(closed_port);
  start({origin});
  EXPECT_EQ(req(origin + "/echo"), E::RequestError);
}

TEST_F(HttpAbiTest, LocalOriginIsServedInProcessAfterTheSameChecks) {
  start({"http://127.0.0.1:3999"});
  int served = 0;
  abi_->set_local(*parse_origin("http://127.0.0.1:3999"), [&](const http::OutboundRequest& r) {
    ++served;
    return http::OutboundResponse{201, {{"x-local", "yes"}}, r.method + " " + r.body};
  });
  ASSERT_EQ(req("http://127.0.0.1:3999/v1.0/state/x", "POST", "", "[]"), E::Success);
  EXPECT_EQ(served, 1);
  EXPECT_EQ(status(), 201);
  EXPECT_EQ(body(handle()), "POST []");
  EXPECT_EQ(req("https://127.0.0.1:3999/v1.0/state/x"), E::DestinationNotAllowed);
  EXPECT_EQ(served, 1);
}

TEST(HttpAbiNoMemory, CallsThatTouchMemorySayItIsMissing) {
  auto abi = HttpAbi::create({{"insecure:allow-all"}, {}});
  ASSERT_TRUE(abi);
  Guest guest(GUEST_DIR "/http_no_memory.wasm", [&](wasm::Linker& l) { (*abi)->add_to_linker(l); });
  EXPECT_EQ(E(guest.call("body_read", {0, 0, 0, 0})), E::MemoryNotFound);
  EXPECT_EQ(E(guest.call("close", {0})), E::Success);  // close reads no memory
}

}  // namespace
}  // namespace wasmdapr::hostabi
