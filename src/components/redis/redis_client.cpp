#include "components/redis/redis_client.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wasmdapr::components::redis {

using dapr::Error;
using std::chrono::microseconds;

namespace {

timeval to_timeval(microseconds us) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(us.count() % 1000000);
  return tv;
}

// hiredis writes with write(2): when Redis has gone, the kernel raises SIGPIPE, whose default
// action ends the process. The signal is blocked on this thread for one exchange, and a SIGPIPE
// the exchange raised is consumed, so a dead server is an error value, never a crash.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    already_blocked_ = sigismember(&previous_, SIGPIPE) == 1;
    if (already_blocked_) {
      sigset_t pending;
      sigpending(&pending);
      was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    }
  }
  ~SigpipeBlock() {
    if (failed_ && !was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec no_wait{};
        sigtimedwait(&pipe_, nullptr, &no_wait);
      }
    }
    if (!already_blocked_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

  void exchange_failed() { failed_ = true; }

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool already_blocked_ = false;
  bool was_pending_ = false;
  bool failed_ = false;
};

Error unreachable(const std::string& address, std::string_view why) {
  return Error{Error::Code::Unavailable,
               "redis at " + address + " (redisHost) is unavailable: " + std::string(why)};
}

// An error reply while a connection is set up: the server refused `field` (credentials are
// always redisPassword's fault), or, with no field, it cannot serve yet (LOADING...).
Error refused(const std::string& address, std::string field, std::string_view message) {
  if (message.starts_with("NOAUTH") || message.starts_with("WRONGPASS")) {
    field = "redisPassword";
  }
  if (field.empty()) return unreachable(address, message);
  return invalid(field + ": redis at " + address + " refused it: " + std::string(message));
}

// A command's arguments as hiredis takes them.
struct Argv {
  explicit Argv(std::span<const std::string_view> args) {
    pointers.reserve(args.size());
    lengths.reserve(args.size());
    for (auto arg : args) {
      pointers.push_back(arg.data());
      lengths.push_back(arg.size());
    }
  }
  int count() const { return static_cast<int>(pointers.size()); }
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
};

}  // namespace

std::string_view text_of(const redisReply& reply) {
  return reply.str ? std::string_view(reply.str, reply.len) : std::string_view();
}

bool is_error(const redisReply& reply) {
  return reply.type == REDIS_REPLY_ERROR;
}

const redisReply* element(const redisReply& reply, size_t index) {
  if (reply.type != REDIS_REPLY_ARRAY || index >= reply.elements) return nullptr;
  return reply.element[index];
}

Error unexpected_reply(std::string_view what) {
  return Error{Error::Code::Internal, "unexpected reply from redis to " + std::string(what)};
}

Error from_error_reply(std::string_view message) {
  for (std::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "NOAUTH"}) {
    if (message.starts_with(transient)) {
      return Error{Error::Code::Unavailable, "redis: " + std::string(message)};
    }
  }
  return Error{Error::Code::Internal, "redis: " + std::string(message)};
}

// ---------------------------------------------------------------------------------------------
// Wakeup.

Wakeup::Wakeup() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Wakeup::~Wakeup() {
  if (fd_ >= 0) close(fd_);
}

void Wakeup::raise() {
  uint64_t one = 1;
  [[maybe_unused]] auto written = write(fd_, &one, sizeof one);
}

// ---------------------------------------------------------------------------------------------
// Connection.

Result<std::unique_ptr<Connection>, Error> Connection::dial(const Settings& settings) {
  redisContext* raw = settings.dial_timeout.count() > 0
                          ? redisConnectWithTimeout(settings.host.c_str(), settings.port,
                                                    to_timeval(settings.dial_timeout))
                          : redisConnect(settings.host.c_str(), settings.port);
  ContextHandle context(raw);
  if (!context) return unexpected(Error{Error::Code::Internal, "cannot allocate a connection"});
  if (context->err) return unexpected(unreachable(settings.address, context->errstr));
  // Zero clears a timeout: no limit. hiredis 0.14 has no separate read and write timeouts.
  timeval read = to_timeval(settings.read_timeout);
  timeval write = to_timeval(settings.write_timeout);
  setsockopt(context->fd, SOL_SOCKET, SO_RCVTIMEO, &read, sizeof read);
  setsockopt(context->fd, SOL_SOCKET, SO_SNDTIMEO, &write, sizeof write);
  redisEnableKeepAlive(context.get());
  auto connection = std::make_unique<Connection>(std::move(context), settings.address);

  auto expect_ok = [&](std::vector<std::string_view> command,
                       const std::string& field) -> Result<void, Error> {
    auto reply = connection->exchange(command);
    if (!reply) return unexpected(std::move(reply.error()));
    if (is_error(**reply)) return unexpected(refused(settings.address, field, text_of(**reply)));
    return {};
  };
  if (!settings.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!settings.username.empty()) auth.push_back(settings.username);
    auth.push_back(settings.password);
    if (auto done = expect_ok(auth, "redisPassword"); !done) {
      return unexpected(std::move(done.error()));
    }
  }
  if (settings.db != 0) {
    std::string db = std::to_string(settings.db);
    if (auto done = expect_ok({"SELECT", db}, "redisDB"); !done) {
      return unexpected(std::move(done.error()));
    }
  }
  if (auto done = expect_ok({"PING"}, ""); !done) {
    return unexpected(std::move(done.error()));
  }
  return connection;
}

Result<ReplyHandle, Error> Connection::exchange(std::span<const std::string_view> args) {
  Argv argv(args);
  void* raw = nullptr;
  int saved_errno = 0;
  {
    SigpipeBlock block;
    raw = redisCommandArgv(context_.get(), argv.count(), argv.pointers.data(), argv.lengths.data());
    saved_errno = errno;
    if (!raw) block.exchange_failed();
  }
  if (!raw) return unexpected(failed(saved_errno));
  return ReplyHandle(static_cast<redisReply*>(raw));
}

Result<void, Error> Connection::send(std::span<const std::string_view> args) {
  Argv argv(args);
  if (redisAppendCommandArgv(context_.get(), argv.count(), argv.pointers.data(),
                             argv.lengths.data()) != REDIS_OK) {
    return unexpected(failed(errno));
  }
  SigpipeBlock block;
  int done = 0;
  while (!done) {
    if (redisBufferWrite(context_.get(), &done) != REDIS_OK) {
      int saved_errno = errno;
      block.exchange_failed();
      return unexpected(failed(saved_errno));
    }
  }
  return {};
}

Result<std::optional<ReplyHandle>, Error> Connection::receive(const Wakeup& stop) {
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK) return unexpected(failed(0));
    if (raw) return std::optional<ReplyHandle>(ReplyHandle(static_cast<redisReply*>(raw)));
    pollfd waits[2] = {{context_->fd, POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    if (poll(waits, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return unexpected(failed(errno));
    }
    if (waits[1].revents != 0) {
      broken_ = true;
      return std::optional<ReplyHandle>();
    }
    if (redisBufferRead(context_.get()) != REDIS_OK) return unexpected(failed(errno));
  }
}

Error Connection::failed(int saved_errno) {
  broken_ = true;
  closed_by_server_ =
      context_->err == REDIS_ERR_EOF ||
      (context_->err == REDIS_ERR_IO && (saved_errno == EPIPE || saved_errno == ECONNRESET));
  return unreachable(address_, context_->err ? context_->errstr : std::strerror(saved_errno));
}

// ---------------------------------------------------------------------------------------------
// Pool.

Result<Pool::Lease, Error> Pool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < settings_.pool_size; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection), true);
  }
  ++open_;  // a place for the connection being dialled, outside the lock
  lock.unlock();
  auto dialled = Connection::dial(settings_);
  if (!dialled) {
    lock.lock();
    --open_;
    lock.unlock();
    available_.notify_one();
    return unexpected(std::move(dialled.error()));
  }
  return Lease(*this, std::move(*dialled), false);
}

// Closes the idle connections: once one was found closed by the server, the others, dialled
// to the same server, most likely were too.
void Pool::drop_idle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    open_ -= dropped.size();
  }
  available_.notify_all();
}

Result<ReplyHandle, Error> Pool::call(std::span<const std::string_view> args) {
  for (int attempt = 0;; ++attempt) {
    auto lease = acquire();
    if (!lease) return unexpected(std::move(lease.error()));
    auto reply = (*lease)->exchange(args);
    if (reply || attempt > 0 || !lease->reused() || !(*lease)->closed_by_server()) return reply;
    drop_idle();
  }
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->broken()) {
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
}

}  // namespace wasmdapr::components::redis
