// A guest serving TCP on a preopened listening socket, with a real client on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "wasi/wasi_context.h"
#include "wasm/instance.h"
#include "wasm/module.h"

namespace wasmdapr::wasi {
namespace {

TEST(PreopenedSocket, GuestAcceptsAndServesAConnection) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

  std::ifstream in(std::string(GUEST_DIR) + "/echo_server.wasm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto module = wasm::Module::compile(wasm::Engine{}, bytes);
  ASSERT_TRUE(module) << module.error().to_string();

  WasiConfig config;
  config.args = {"echo_server"};
  config.listen_sockets = {listener};
  auto context = WasiContext::create(config);
  ASSERT_TRUE(context);
  ::close(listener);  // the guest holds its own descriptor now

  Result<std::vector<wasm::Value>, wasm::Trap> outcome =
      unexpected(wasm::Trap::make(wasm::Trap::Kind::Host, "not run"));
  std::thread guest([&] {
    wasm::Store store;
    wasm::Linker linker;
    add_to_linker(linker);
    store.set_host_state(context->get());
    auto instance = linker.instantiate(store, *module);
    if (!instance) {
      outcome = unexpected(instance.error());
      return;
    }
    outcome = (*instance)->call("_start", {});
  });

  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::send(client, "ping wasm", 9, 0), 9);
  char reply[32] = {0};
  size_t got = 0;
  while (got < 9) {
    ssize_t n = ::recv(client, reply + got, sizeof reply - 1 - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(client);
  guest.join();
  EXPECT_STREQ(reply, "PING WASM");
  // wasi-libc's exit(0) from main returns normally or through proc_exit(0).
  if (!outcome) {
    EXPECT_EQ(outcome.error().kind, wasm::Trap::Kind::Exit) << outcome.error().to_string();
    EXPECT_EQ(outcome.error().exit_code, 0);
  }
}

}  // namespace
}  // namespace wasmdapr::wasi
