#pragma once
// Connections to one Redis server over hiredis, shared by the Redis components.
//
// A Connection is used by one thread at a time. A failed exchange (the server is gone, a
// timeout) is an Unavailable error naming redisHost and leaves the connection broken; an error
// reply from the server is a reply, for the caller to judge. Writes never raise SIGPIPE: a dead
// server is an error value, never the end of the process.
//
// A Pool lends up to `poolSize` connections, dialled when first needed; a broken connection is
// dropped instead of returned, and the next caller dials a new one, so users recover by
// themselves once Redis is back.
//
// For long waits (SUBSCRIBE, XREADGROUP ... BLOCK) a connection can send a command and then
// wait for its reply or for a Wakeup, whichever comes first, so a waiting thread can be
// stopped at once.

#include <hiredis/hiredis.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "components/redis/redis_settings.h"
#include "dapr/error.h"
#include "base/result.h"

namespace wasmdapr::components::redis {

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextHandle = std::unique_ptr<redisContext, ContextFree>;
using ReplyHandle = std::unique_ptr<redisReply, ReplyFree>;

// The bytes of a string, status or error reply (empty for other kinds).
std::string_view text_of(const redisReply& reply);
bool is_error(const redisReply& reply);
// The index-th element of an array reply, or null.
const redisReply* element(const redisReply& reply, size_t index);
// Internal: a reply of a shape the command never gives.
dapr::Error unexpected_reply(std::string_view what);
// An error reply as an Error: Unavailable for those Redis gives while it cannot serve for now
// (LOADING, BUSY, MASTERDOWN, TRYAGAIN, NOAUTH), Internal otherwise.
dapr::Error from_error_reply(std::string_view message);

// A level-triggered signal another thread raises to end a wait (an eventfd).
class Wakeup {
 public:
  Wakeup();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Raised stays raised: every later wait returns at once.
  void raise();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

class Connection {
 public:
  Connection(ContextHandle context, std::string address)
      : context_(std::move(context)), address_(std::move(address)) {}

  // Connects, authenticates, selects the database and checks that the server answers.
  // Unavailable when Redis cannot be reached; InvalidArgument naming redisPassword or redisDB
  // when the server refuses them.
  static Result<std::unique_ptr<Connection>, dapr::Error> dial(const Settings& settings);

  // Sends one command and reads its reply.
  Result<ReplyHandle, dapr::Error> exchange(std::span<const std::string_view> args);

  // Sends one command without reading its reply.
  Result<void, dapr::Error> send(std::span<const std::string_view> args);
  // Waits for the next reply (of an earlier send(), or a message pushed on a subscribed
  // connection) with no read timeout. Nothing when `stop` was raised first; the connection is
  // then out of step with the server and counts as broken.
  Result<std::optional<ReplyHandle>, dapr::Error> receive(const Wakeup& stop);

  bool broken() const { return broken_; }
  // The server closed the connection (rather than, say, a timeout expiring): a command sent on
  // it never ran.
  bool closed_by_server() const { return closed_by_server_; }

 private:
  dapr::Error failed(int saved_errno);

  ContextHandle context_;
  std::string address_;
  bool broken_ = false;
  bool closed_by_server_ = false;
};

class Pool {
 public:
  explicit Pool(Settings settings) : settings_(std::move(settings)) {}

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection, bool reused)
        : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (connection_) pool_->give_back(std::move(connection_));
    }
    Connection* operator->() { return connection_.get(); }
    // Whether the connection served earlier calls (it may have gone stale while idle).
    bool reused() const { return reused_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
    bool reused_;
  };

  // An idle connection, or a new one while fewer than pool_size are open; waits otherwise.
  Result<Lease, dapr::Error> acquire();

  // Closes the idle connections: once one was found closed by the server, the others, dialled
  // to the same server, most likely were too.
  void drop_idle();

  // One command on a pooled connection. When an idle connection turns out to have been closed
  // by the server (it restarted, or dropped idle clients), the command never ran: it is sent
  // once more on a fresh connection.
  Result<ReplyHandle, dapr::Error> call(std::span<const std::string_view> args);

  const Settings& settings() const { return settings_; }

 private:
  void give_back(std::unique_ptr<Connection> connection);

  const Settings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle + leased + being dialled
};

}  // namespace wasmdapr::components::redis
