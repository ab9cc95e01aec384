#pragma once
// A throwaway redis-server for tests: Debian's binary on a free loopback port, in a temporary
// directory of its own, with persistence off (--save "" --appendonly no). The constructor
// returns once the server answers PING; the destructor kills it and removes the directory. Should
// the thread that started it die first (a crashed test), the kernel kills the server as well.
//
//   RedisServer redis({"--requirepass", "s3cret"});
//   ASSERT_TRUE(redis.running()) << redis.failure();
//   spec.metadata["redisHost"] = redis.address();

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace wasmdapr::testing {

class RedisServer {
 public:
  // extra_args are passed after the defaults, so they may override them.
  explicit RedisServer(std::vector<std::string> extra_args = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool running() const { return pid_ > 0; }
  // Why the server is not running, when it failed to start.
  const std::string& failure() const { return failure_; }
  int port() const { return port_; }
  // "127.0.0.1:<port>", as a redisHost setting wants it.
  std::string address() const;
  // The server's process, for tests that pause it (SIGSTOP / SIGCONT).
  pid_t pid() const { return pid_; }

  // SIGKILL, as a crash would: clients see their connections drop.
  void kill();
  // Starts it again, on the same port with the same arguments (its data is gone).
  bool restart();

 private:
  bool launch();
  bool wait_until_answering();

  std::vector<std::string> extra_args_;
  std::filesystem::path dir_;
  std::string failure_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace wasmdapr::testing
