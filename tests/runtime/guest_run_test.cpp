// AssemblyScript guests, built from source with the SDK, run by the real `wasmdapr run` as a
// user runs them: the built-in sidecar in the same process, the guest ABIs over it, the allow
// list. Each guest checks its own results and prints a tally; the test reads the exit status
// and the output. Servers the guests reach outside the process (an HTTP server, Redis) are
// started here on free loopback ports.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hostabi/test_http_server.h"
#include "runtime/state_backend.h"
#include "runtime/wasmdapr_process.h"

namespace wasmdapr::testing {
namespace {

Outcome run_wasmdapr(const std::vector<std::string>& args) {
  return ::wasmdapr::testing::run_wasmdapr(WASMDAPR_BIN, args);
}

// A loopback port with nothing listening on it (free a moment ago).
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

std::string guest(const std::string& name) {
  return std::string(GUEST_DIR) + "/" + name + ".wasm";
}

const std::string kSidecar = "http://127.0.0.1:3500";

// `wasmdapr run --app-id runtime-tests --resources-path <store> OPTIONS... MODULE -- ARGS...`
Outcome run_guest(const StateBackend& store, std::vector<std::string> options,
                  const std::string& module, std::vector<std::string> guest_args = {}) {
  std::vector<std::string> args = {"--app-id",        "runtime-tests", "--resources-path",
                                   store.resources(), "--state-dir",   store.scratch()};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back(module);
  if (!guest_args.empty()) {
    args.push_back("--");
    args.insert(args.end(), guest_args.begin(), guest_args.end());
  }
  return run_wasmdapr(args);
}

// ---- wasi_experimental_http ---------------------------------------------------------------------

class HttpGuest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.ready()) << store_.failure(); }

  Outcome run(const std::string& group, std::vector<std::string> options) {
    return run_guest(store_, std::move(options), guest("http_guest"), {group});
  }

  StateBackend store_{StoreKind::Memory};
};

TEST_F(HttpGuest, EveryFunctionAgainstTheSidecarInProcess) {
  expect_passed(run("sidecar", {"--allowed-host", kSidecar}), "sidecar");
}

TEST_F(HttpGuest, TheSidecarsAddressFollowsItsListeningPort) {
  std::string port = std::to_string(closed_port());
  auto outcome =
      run("sidecar", {"--dapr-http-port", port, "--allowed-host", "http://127.0.0.1:" + port});
  expect_passed(outcome, "sidecar");
}

TEST_F(HttpGuest, AnswersInProcessAreTheAnswersOverTcp) {
  std::string port = std::to_string(closed_port());
  auto outcome =
      run("same_as_tcp", {"--dapr-http-port", port, "--allowed-host", "http://127.0.0.1:" + port,
                          "--allowed-host", "http://localhost:" + port});
  expect_passed(outcome, "same_as_tcp");
}

TEST_F(HttpGuest, EveryErrorCodeOfTheAllowListAndOfMalformedRequests) {
  expect_passed(run("errors", {"--allowed-host", kSidecar}), "errors");
}

TEST_F(HttpGuest, OutboundCallsReachAServerOutsideTheProcess) {
  TestHttpServer server;
  auto outcome = run("outbound", {"--allowed-host", kSidecar, "--allowed-host", server.origin(),
                                  "--env", "OUTSIDE=" + server.origin()});
  expect_passed(outcome, "outbound");
}

TEST_F(HttpGuest, ARefusedConnectionIsARequestError) {
  std::string refused = "http://127.0.0.1:" + std::to_string(closed_port());
  auto outcome = run("refused", {"--allowed-host", refused, "--env", "REFUSED=" + refused});
  expect_passed(outcome, "refused");
}

TEST_F(HttpGuest, MaxHttpRequestsBoundsTheOpenResponses) {
  expect_passed(run("sessions", {"--allowed-host", kSidecar, "--max-http-requests", "3"}),
                "sessions");
}

TEST_F(HttpGuest, WithNoAllowListEverythingIsDenied) {
  TestHttpServer server;
  expect_passed(run("denied_by_default", {"--env", "OUTSIDE=" + server.origin()}),
                "denied_by_default");
}

TEST_F(HttpGuest, AllowAllReachesEveryDestination) {
  TestHttpServer server;
  auto outcome = run(
      "allow_all", {"--allowed-host", "insecure:allow-all", "--env", "OUTSIDE=" + server.origin()});
  expect_passed(outcome, "allow_all");
}

// ---- the direct dapr ABI and state flows, on every kind of store --------------------------------

class StoreGuest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.ready()) << store_.failure(); }

  StateBackend store_{GetParam()};
};

TEST_P(StoreGuest, EveryDaprAbiFunction) {
  expect_passed(run_guest(store_, {}, guest("dapr_guest"), {"functions"}), "functions");
}

TEST_P(StoreGuest, EveryDaprAbiErrorCode) {
  expect_passed(run_guest(store_, {}, guest("dapr_guest"), {"errors"}), "errors");
}

TEST_P(StoreGuest, StateWrittenOverOnePathIsReadOverTheOther) {
  auto outcome = run_guest(store_, {"--allowed-host", kSidecar}, guest("state_guest"), {"flows"});
  expect_passed(outcome, "state flows");
}

TEST_P(StoreGuest, TheExampleAppPasses) {
  auto outcome = run_guest(store_, {"--allowed-host", kSidecar, "--report-timing"}, EXAMPLE_APP);
  EXPECT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Test successfully!"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("module instantiated in"), std::string::npos) << outcome.output;
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreGuest,
                         ::testing::Values(StoreKind::Memory, StoreKind::Sqlite, StoreKind::Redis),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace wasmdapr::testing
