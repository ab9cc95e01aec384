#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace wasmdapr::testing {
namespace {

namespace fs = std::filesystem;

// A socket that closes itself.
class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port the kernel had free a moment ago. Another process may take it before the server binds
// it; the caller then tries another.
int free_port() {
  Socket socket;
  sockaddr_in address = loopback(0);
  if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 0;
  socklen_t length = sizeof address;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin_port);
}

// Whether something on the port answers a PING (an error reply, such as NOAUTH, counts).
bool answers_ping(int port) {
  Socket socket;
  sockaddr_in address = loopback(port);
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  timeval wait{1, 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  static constexpr char kPing[] = "PING\r\n";
  if (::send(socket.fd(), kPing, sizeof kPing - 1, MSG_NOSIGNAL) != sizeof kPing - 1) return false;
  char first = 0;
  return ::recv(socket.fd(), &first, 1, 0) == 1 && (first == '+' || first == '-');
}

// The executable's path, found in the parent: only async-signal-safe calls may run between
// fork and exec in a threaded process, and execvp's search is not one of them.
std::string find_redis_server() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/usr/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    fs::path candidate = fs::path(dir) / "redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "/usr/bin/redis-server";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  std::string pattern = (fs::temp_directory_path() / "redis-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    failure_ = "cannot create a temporary directory";
    return;
  }
  dir_ = pattern;
  for (int attempt = 0; attempt < 5 && !running(); ++attempt) {
    port_ = free_port();
    if (port_ != 0) launch();
  }
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string RedisServer::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

bool RedisServer::restart() {
  kill();
  return launch();
}

bool RedisServer::launch() {
  failure_.clear();
  std::vector<std::string> args = {find_redis_server(),
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir_.string(),
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   (dir_ / "redis.log").string(),
                                   "--loglevel",
                                   "warning"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t parent = ::getpid();
  pid_t child = ::fork();
  if (child < 0) {
    failure_ = "fork failed";
    return false;
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the parent is already gone
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = child;
  return wait_until_answering();
}

bool RedisServer::wait_until_answering() {
  // Generous: the machine may be busy. A server that exits (say, its port was taken) is noticed
  // at once.
  for (int attempt = 0; attempt < 1500; ++attempt) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      failure_ = "redis-server on port " + std::to_string(port_) + " exited with status " +
                 std::to_string(status) + "; its log: " + read_file(dir_ / "redis.log");
      return false;
    }
    if (answers_ping(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
  failure_ = "redis-server on port " + std::to_string(port_) + " did not answer PING";
  return false;
}

}  // namespace wasmdapr::testing
