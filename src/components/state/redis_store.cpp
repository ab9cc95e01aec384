#include "components/state/redis_store.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>

#include "dapr/state_rules.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;
using Clock = std::chrono::system_clock;
using std::chrono::microseconds;

// ---------------------------------------------------------------------------------------------
// Settings from component metadata.

struct Settings {
  std::string address;  // redisHost as given, for messages
  std::string host;
  int port = 0;
  std::string username;
  std::string password;
  int64_t db = 0;
  size_t pool_size = 1;
  microseconds dial_timeout{0};  // zero: no timeout
  microseconds read_timeout{0};
  microseconds write_timeout{0};
  std::optional<std::chrono::seconds> default_ttl;
};

Error invalid(const std::string& message) {
  return Error{Error::Code::InvalidArgument, message};
}

std::string setting(const dapr::ComponentSpec& spec, const std::string& name) {
  auto it = spec.metadata.find(name);
  return it == spec.metadata.end() ? std::string() : it->second;
}

Result<void, Error> parse_address(const std::string& text, Settings& settings) {
  if (text.empty()) return unexpected(invalid("redisHost is required (host:port)"));
  auto colon = text.rfind(':');
  if (colon == std::string::npos || text.find_first_of(", \t") != std::string::npos) {
    return unexpected(invalid("redisHost must be one host:port, got '" + text + "'"));
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:6379
  }
  std::string_view port = std::string_view(text).substr(colon + 1);
  int number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || number < 1 ||
      number > 65535) {
    return unexpected(invalid("redisHost must be host:port, got '" + text + "'"));
  }
  settings.address = text;
  settings.host = std::move(host);
  settings.port = number;
  return {};
}

Result<int64_t, Error> integer_setting(const dapr::ComponentSpec& spec, const std::string& name,
                                       int64_t fallback, int64_t minimum) {
  std::string text = setting(spec, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < minimum) {
    return unexpected(invalid(name + " must be an integer of " + std::to_string(minimum) +
                              " or more, got '" + text + "'"));
  }
  return value;
}

// Go's time.ParseDuration syntax, which Dapr's metadata uses: "300ms", "1.5s", "1h30m", "0".
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total_ns = 0;
  while (!text.empty()) {
    size_t number_end = 0;
    while (
        number_end < text.size() &&
        (std::isdigit(static_cast<unsigned char>(text[number_end])) || text[number_end] == '.')) {
      ++number_end;
    }
    std::string_view number = text.substr(0, number_end);
    text.remove_prefix(number_end);
    size_t unit_end = 0;
    while (unit_end < text.size() && !std::isdigit(static_cast<unsigned char>(text[unit_end])) &&
           text[unit_end] != '.') {
      ++unit_end;
    }
    std::string_view unit = text.substr(0, unit_end);
    text.remove_prefix(unit_end);

    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
      return std::nullopt;
    }
    double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return std::nullopt;
    }
    total_ns += value * scale;
  }
  if (total_ns > 9e18) return std::nullopt;
  auto ns = std::chrono::nanoseconds(std::llround(total_ns));
  return negative ? -ns : ns;
}

// A timeout: zero means none, which is also what "0" and negative durations ("-1") ask for.
Result<microseconds, Error> timeout_setting(const dapr::ComponentSpec& spec,
                                            const std::string& name, microseconds fallback) {
  std::string text = setting(spec, name);
  if (text.empty()) return fallback;
  if (text == "-1") return microseconds(0);
  auto duration = parse_go_duration(text);
  if (!duration) {
    return unexpected(
        invalid(name + " must be a duration such as \"5s\" or \"500ms\", got '" + text + "'"));
  }
  if (duration->count() <= 0) return microseconds(0);
  return std::max(microseconds(1), std::chrono::duration_cast<microseconds>(*duration));
}

Result<void, Error> refuse_unsupported(const dapr::ComponentSpec& spec) {
  auto lowered = [&](const std::string& name) {
    std::string text = setting(spec, name);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  };
  std::string tls = lowered("enableTLS");
  if (!tls.empty() && tls != "false") {
    return unexpected(
        invalid("enableTLS: TLS connections to Redis are not supported; only "
                "\"false\" is accepted, got '" +
                setting(spec, "enableTLS") + "'"));
  }
  std::string type = lowered("redisType");
  if (!type.empty() && type != "node") {
    return unexpected(
        invalid("redisType: only \"node\" is supported, got '" + setting(spec, "redisType") + "'"));
  }
  std::string failover = lowered("failover");
  if (!failover.empty() && failover != "false") {
    return unexpected(invalid("failover: Sentinel failover is not supported, got '" +
                              setting(spec, "failover") + "'"));
  }
  return {};
}

Result<Settings, Error> read_settings(const dapr::ComponentSpec& spec) {
  Settings settings;
  if (auto address = parse_address(setting(spec, "redisHost"), settings); !address) {
    return unexpected(std::move(address.error()));
  }
  if (auto refused = refuse_unsupported(spec); !refused) {
    return unexpected(std::move(refused.error()));
  }
  settings.username = setting(spec, "redisUsername");
  settings.password = setting(spec, "redisPassword");
  auto db = integer_setting(spec, "redisDB", 0, 0);
  if (!db) return unexpected(std::move(db.error()));
  settings.db = *db;
  int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  auto pool = integer_setting(spec, "poolSize", 2 * cores, 1);
  if (!pool) return unexpected(std::move(pool.error()));
  settings.pool_size = static_cast<size_t>(*pool);
  using namespace std::chrono_literals;
  auto dial = timeout_setting(spec, "dialTimeout", 5s);
  if (!dial) return unexpected(std::move(dial.error()));
  auto read = timeout_setting(spec, "readTimeout", 3s);
  if (!read) return unexpected(std::move(read.error()));
  auto write = timeout_setting(spec, "writeTimeout", *read);
  if (!write) return unexpected(std::move(write.error()));
  settings.dial_timeout = *dial;
  settings.read_timeout = *read;
  settings.write_timeout = *write;
  auto ttl = dapr::parse_ttl(spec.metadata);  // the component-wide default, same syntax
  if (!ttl) return unexpected(std::move(ttl.error()));
  settings.default_ttl = *ttl;
  return settings;
}

// ---------------------------------------------------------------------------------------------
// Connections.

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextHandle = std::unique_ptr<redisContext, ContextFree>;
using ReplyHandle = std::unique_ptr<redisReply, ReplyFree>;

std::string_view text_of(const redisReply& reply) {
  return reply.str ? std::string_view(reply.str, reply.len) : std::string_view();
}

bool is_error(const redisReply& reply) {
  return reply.type == REDIS_REPLY_ERROR;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

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
  if (starts_with(message, "NOAUTH") || starts_with(message, "WRONGPASS")) {
    field = "redisPassword";
  }
  if (field.empty()) return unreachable(address, message);
  return invalid(field + ": redis at " + address + " refused it: " + std::string(message));
}

// One connection to Redis, used by one thread at a time (the pool sees to it).
class Connection {
 public:
  Connection(ContextHandle context, std::string address)
      : context_(std::move(context)), address_(std::move(address)) {}

  // Connects, authenticates, selects the database and checks that the server answers.
  static Result<std::unique_ptr<Connection>, Error> dial(const Settings& settings) {
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

  // Sends one command and reads its reply. An error reply is a reply; only a failed exchange
  // (the server is gone, a timeout) is an Error, and it leaves the connection broken: its
  // stream may be out of step with the server.
  Result<ReplyHandle, Error> exchange(std::span<const std::string_view> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (auto arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    void* raw = nullptr;
    int saved_errno = 0;
    {
      SigpipeBlock block;
      raw = redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                             lengths.data());
      saved_errno = errno;
      if (!raw) block.exchange_failed();
    }
    if (!raw) {
      broken_ = true;
      closed_by_server_ =
          context_->err == REDIS_ERR_EOF ||
          (context_->err == REDIS_ERR_IO && (saved_errno == EPIPE || saved_errno == ECONNRESET));
      return unexpected(unreachable(address_, context_->errstr));
    }
    return ReplyHandle(static_cast<redisReply*>(raw));
  }

  bool broken() const { return broken_; }
  // The server closed the connection (rather than, say, a timeout expiring): a command sent on
  // it never ran.
  bool closed_by_server() const { return closed_by_server_; }

 private:
  ContextHandle context_;
  std::string address_;
  bool broken_ = false;
  bool closed_by_server_ = false;
};

// Up to pool_size connections, dialled when first needed. A broken connection is dropped, not
// returned, and a new one is dialled in its place by the next caller that needs it.
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

  Result<Lease, Error> acquire() {
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
  void drop_idle() {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(idle_);
      open_ -= dropped.size();
    }
    available_.notify_all();
  }

  const Settings& settings() const { return settings_; }

 private:
  void give_back(std::unique_ptr<Connection> connection) {
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

  const Settings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle + leased + being dialled
};

// ---------------------------------------------------------------------------------------------
// The scripts. Each runs atomically on the server.

// version_of(key): the key's version, false when the key has none. A value of another type (a
// plain string, as old stores kept) counts as absent, and a write replaces it, as daprd does.
// allowed(): whether a write may replace `current`; the same rule as dapr::check_concurrency.
// write(): the value and TTL ('0': none); versions count up, a new key starts at the clock.
constexpr std::string_view kPrelude = R"lua(
local function version_of(key)
  if redis.call('TYPE', key)['ok'] ~= 'hash' then return false end
  return redis.call('HGET', key, 'version') or '0'
end
local function allowed(current, etag, first_write)
  if not current then return true end
  if etag ~= '' then return etag == current end
  return first_write ~= '1'
end
local function write(key, value, ttl)
  if version_of(key) then
    redis.call('HSET', key, 'data', value)
    redis.call('HINCRBY', key, 'version', 1)
  else
    local now = redis.call('TIME')
    redis.call('DEL', key)
    redis.call('HSET', key, 'data', value, 'version', now[1] .. string.rep('0', 6 - #now[2]) .. now[2])
  end
  if ttl ~= '0' then redis.call('EXPIRE', key, ttl) else redis.call('PERSIST', key) end
end
)lua";

// For each key: {} when absent; {1, data, version ('' for a plain string), pttl} when present;
// {0, message} when the key holds something else.
constexpr std::string_view kGet = R"lua(
local out = {}
for i, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'none' then
    out[i] = {}
  elseif kind == 'string' then
    out[i] = {1, redis.call('GET', key), '', redis.call('PTTL', key)}
  elseif kind ~= 'hash' then
    out[i] = {0, 'key ' .. key .. ' holds a ' .. kind .. ', not a state value'}
  else
    local fields = redis.call('HMGET', key, 'data', 'version')
    if fields[1] then
      out[i] = {1, fields[1], fields[2] or '0', redis.call('PTTL', key)}
    else
      out[i] = {}
    end
  end
end
return out
)lua";

// KEYS[1]; ARGV: value, etag ('' for none), first-write ('1'/'0'), ttl. {1}, or {0, version}.
constexpr std::string_view kSet = R"lua(
local current = version_of(KEYS[1])
if not allowed(current, ARGV[2], ARGV[3]) then return {0, current} end
write(KEYS[1], ARGV[1], ARGV[4])
return {1}
)lua";

// KEYS[1]; ARGV[1]: etag ('' for none: the delete is unconditional). {1}, or {0, version}.
constexpr std::string_view kDelete = R"lua(
local current = version_of(KEYS[1])
if not allowed(current, ARGV[1], '0') then return {0, current} end
redis.call('DEL', KEYS[1])
return {1}
)lua";

// KEYS: one per operation; ARGV: five per operation: 'set'/'del', etag, first-write, value,
// ttl. Every check runs before any change. An operation sees its key as the earlier ones left
// it: deleted (false) or written, with a version no etag can name (''). Returns {0}, or the
// failed operation's index (from 1) and the version it met.
constexpr std::string_view kTransact = R"lua(
local seen = {}
for i, key in ipairs(KEYS) do
  local at = (i - 1) * 5
  local current = seen[key]
  if current == nil then current = version_of(key) end
  local first_write = ARGV[at + 1] == 'set' and ARGV[at + 3] or '0'
  if not allowed(current, ARGV[at + 2], first_write) then return {i, current} end
  seen[key] = ARGV[at + 1] == 'set' and '' or false
end
for i, key in ipairs(KEYS) do
  local at = (i - 1) * 5
  if ARGV[at + 1] == 'set' then write(key, ARGV[at + 4], ARGV[at + 5]) else redis.call('DEL', key) end
end
return {0}
)lua";

struct Script {
  std::string source;
  std::string sha;  // learnt from SCRIPT LOAD when the store starts
};

constexpr size_t kBulkChunk = 256;  // keys per read script: bounds how long one call holds Redis

const redisReply* element(const redisReply& reply, size_t index) {
  if (reply.type != REDIS_REPLY_ARRAY || index >= reply.elements) return nullptr;
  return reply.element[index];
}

Error unexpected_reply(std::string_view what) {
  return Error{Error::Code::Internal, "unexpected reply from redis to " + std::string(what)};
}

// Redis answers some commands with an error while it cannot serve them for now.
Error from_error_reply(std::string_view message) {
  for (std::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "NOAUTH"}) {
    if (starts_with(message, transient)) {
      return Error{Error::Code::Unavailable, "redis: " + std::string(message)};
    }
  }
  return Error{Error::Code::Internal, "redis: " + std::string(message)};
}

// The version a failed script met: '' (written earlier in the same transaction) can match no
// etag, nor can anything that is not a number.
std::optional<uint64_t> met_version(const redisReply* reply) {
  if (!reply || reply->type != REDIS_REPLY_STRING) return std::nullopt;
  std::string_view text = text_of(*reply);
  uint64_t version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size()) return UINT64_MAX;
  return version;
}

// The error a refused write reports: the one the shared rule gives for what the script met.
Error conflict(const std::string& key, const redisReply* met, std::optional<uint64_t> etag,
               dapr::Concurrency concurrency) {
  auto checked = dapr::check_concurrency(met_version(met), etag, concurrency, key);
  if (!checked) return std::move(checked.error());
  return Error{Error::Code::EtagMismatch,
               "possible etag mismatch. error from state store: key " + key + " has changed"};
}

std::string etag_arg(std::optional<uint64_t> etag) {
  return etag ? std::to_string(*etag) : std::string();
}

std::string ttl_arg(std::optional<std::chrono::seconds> ttl) {
  return ttl ? std::to_string(ttl->count()) : std::string("0");
}

class RedisStore final : public dapr::StateStore {
 public:
  explicit RedisStore(Settings settings) : pool_(std::move(settings)) {}

  // Connects and teaches the server the scripts, learning their digests.
  Result<void, Error> start() {
    for (Script* script : {&get_, &set_, &delete_, &transact_}) {
      std::vector<std::string_view> load{"SCRIPT", "LOAD", script->source};
      auto reply = call(load);
      if (!reply) return unexpected(std::move(reply.error()));
      if ((*reply)->type != REDIS_REPLY_STRING) {
        return unexpected(is_error(**reply) ? from_error_reply(text_of(**reply))
                                            : unexpected_reply("SCRIPT LOAD"));
      }
      script->sha = std::string(text_of(**reply));
    }
    return {};
  }

  std::vector<std::string> features() const override {
    return {dapr::kFeatureEtag, dapr::kFeatureTransactional, dapr::kFeatureTtl,
            dapr::kFeatureActor};
  }

  Result<dapr::GetResponse, Error> get(const dapr::GetRequest& request) override {
    auto items = read({&request.key, 1});
    if (!items) return unexpected(std::move(items.error()));
    auto& item = items->front();
    if (item.error) return unexpected(Error{Error::Code::Internal, *item.error});
    return std::move(item.response);
  }

  Result<std::vector<dapr::BulkGetItem>, Error> bulk_get(
      const std::vector<dapr::GetRequest>& requests) override {
    std::vector<std::string> keys;
    keys.reserve(requests.size());
    for (const auto& request : requests) keys.push_back(request.key);
    std::vector<dapr::BulkGetItem> items;
    items.reserve(keys.size());
    for (size_t from = 0; from < keys.size(); from += kBulkChunk) {
      size_t count = std::min(kBulkChunk, keys.size() - from);
      auto chunk = read(std::span<const std::string>(keys).subspan(from, count));
      if (!chunk) return unexpected(std::move(chunk.error()));
      std::move(chunk->begin(), chunk->end(), std::back_inserter(items));
    }
    return items;
  }

  Result<void, Error> set(const dapr::SetRequest& request) override {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    auto ttl = ttl_for(request.metadata);
    if (!ttl) return unexpected(std::move(ttl.error()));
    bool first_write = request.options.concurrency == dapr::Concurrency::FirstWrite;
    std::string etag_text = etag_arg(*etag), ttl_text = ttl_arg(*ttl);
    std::string_view args[] = {request.value, etag_text, first_write ? "1" : "0", ttl_text};
    auto reply = eval(set_, {&request.key, 1}, args);
    if (!reply) return unexpected(std::move(reply.error()));
    const redisReply* status = element(**reply, 0);
    if (!status || status->type != REDIS_REPLY_INTEGER) return unexpected(unexpected_reply("set"));
    if (status->integer == 1) return {};
    return unexpected(
        conflict(request.key, element(**reply, 1), *etag, request.options.concurrency));
  }

  Result<void, Error> del(const dapr::DeleteRequest& request) override {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    std::string etag_text = etag_arg(*etag);
    std::string_view args[] = {etag_text};
    auto reply = eval(delete_, {&request.key, 1}, args);
    if (!reply) return unexpected(std::move(reply.error()));
    const redisReply* status = element(**reply, 0);
    if (!status || status->type != REDIS_REPLY_INTEGER) {
      return unexpected(unexpected_reply("delete"));
    }
    if (status->integer == 1) return {};
    return unexpected(
        conflict(request.key, element(**reply, 1), *etag, dapr::Concurrency::LastWrite));
  }

  Result<void, Error> transact(const std::vector<dapr::TransactionOperation>& operations,
                               const dapr::Metadata&) override {
    if (operations.empty()) return {};
    std::vector<std::string> keys;
    std::vector<std::string_view> args;  // values are not copied; etags and TTLs live in `texts`
    std::deque<std::string> texts;
    std::vector<std::optional<uint64_t>> etags;
    keys.reserve(operations.size());
    args.reserve(operations.size() * 5);
    for (const auto& op : operations) {
      bool upsert = op.kind == dapr::TransactionOperation::Kind::Upsert;
      auto etag = dapr::parse_etag(upsert ? op.upsert.etag : op.del.etag);
      if (!etag) return unexpected(std::move(etag.error()));
      etags.push_back(*etag);
      keys.push_back(upsert ? op.upsert.key : op.del.key);
      args.push_back(upsert ? "set" : "del");
      args.push_back(texts.emplace_back(etag_arg(*etag)));
      if (upsert) {
        auto ttl = ttl_for(op.upsert.metadata);
        if (!ttl) return unexpected(std::move(ttl.error()));
        bool first_write = op.upsert.options.concurrency == dapr::Concurrency::FirstWrite;
        args.push_back(first_write ? "1" : "0");
        args.push_back(op.upsert.value);
        args.push_back(texts.emplace_back(ttl_arg(*ttl)));
      } else {
        args.insert(args.end(), {"0", "", "0"});
      }
    }
    auto reply = eval(transact_, keys, args);
    if (!reply) return unexpected(std::move(reply.error()));
    const redisReply* status = element(**reply, 0);
    if (!status || status->type != REDIS_REPLY_INTEGER || status->integer < 0 ||
        static_cast<size_t>(status->integer) > operations.size()) {
      return unexpected(unexpected_reply("transaction"));
    }
    if (status->integer == 0) return {};
    size_t failed = static_cast<size_t>(status->integer) - 1;
    const auto& op = operations[failed];
    bool upsert = op.kind == dapr::TransactionOperation::Kind::Upsert;
    auto concurrency = upsert ? op.upsert.options.concurrency : dapr::Concurrency::LastWrite;
    return unexpected(conflict(keys[failed], element(**reply, 1), etags[failed], concurrency));
  }

 private:
  // A request's TTL: its own ttlInSeconds, or else the component's default.
  Result<std::optional<std::chrono::seconds>, Error> ttl_for(const dapr::Metadata& metadata) const {
    if (!metadata.contains("ttlInSeconds")) return pool_.settings().default_ttl;
    return dapr::parse_ttl(metadata);
  }

  // One command on a pooled connection. When an idle connection turns out to have been closed
  // by the server (it restarted, or dropped idle clients), the command never ran: it is sent
  // once more on a fresh connection.
  Result<ReplyHandle, Error> call(std::span<const std::string_view> args) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return unexpected(std::move(lease.error()));
      auto reply = (*lease)->exchange(args);
      if (reply || attempt > 0 || !lease->reused() || !(*lease)->closed_by_server()) return reply;
      pool_.drop_idle();
    }
  }

  // EVALSHA, and EVAL when the server has lost the script (a restart, SCRIPT FLUSH). Error
  // replies become errors here.
  Result<ReplyHandle, Error> eval(const Script& script, std::span<const std::string> keys,
                                  std::span<const std::string_view> args) {
    std::string key_count = std::to_string(keys.size());
    std::vector<std::string_view> command{"EVALSHA", script.sha, key_count};
    command.reserve(3 + keys.size() + args.size());
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    auto reply = call(command);
    if (reply && is_error(**reply) && starts_with(text_of(**reply), "NOSCRIPT")) {
      command[0] = "EVAL";
      command[1] = script.source;
      reply = call(command);
    }
    if (reply && is_error(**reply)) return unexpected(from_error_reply(text_of(**reply)));
    return reply;
  }

  Result<std::vector<dapr::BulkGetItem>, Error> read(std::span<const std::string> keys) {
    auto reply = eval(get_, keys, {});
    if (!reply) return unexpected(std::move(reply.error()));
    if ((*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements != keys.size()) {
      return unexpected(unexpected_reply("get"));
    }
    auto now = Clock::now();
    std::vector<dapr::BulkGetItem> items(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      auto& item = items[i];
      item.key = keys[i];
      const redisReply& entry = *(*reply)->element[i];
      if (entry.type != REDIS_REPLY_ARRAY) return unexpected(unexpected_reply("get"));
      if (entry.elements == 0) continue;
      const redisReply* status = element(entry, 0);
      const redisReply* data = element(entry, 1);
      if (!status || status->type != REDIS_REPLY_INTEGER || !data) {
        return unexpected(unexpected_reply("get"));
      }
      if (status->integer == 0) {
        item.error = std::string(text_of(*data));
        continue;
      }
      const redisReply* version = element(entry, 2);
      const redisReply* pttl = element(entry, 3);
      if (!version || !pttl || pttl->type != REDIS_REPLY_INTEGER) {
        return unexpected(unexpected_reply("get"));
      }
      item.response.found = true;
      item.response.value = std::string(text_of(*data));
      item.response.etag = std::string(text_of(*version));
      if (pttl->integer > 0) {
        item.response.metadata["ttlExpireTime"] =
            dapr::rfc3339(now + std::chrono::milliseconds(pttl->integer));
      }
    }
    return items;
  }

  Pool pool_;
  Script get_{std::string(kGet), {}};
  Script set_{std::string(kPrelude) + std::string(kSet), {}};
  Script delete_{std::string(kPrelude) + std::string(kDelete), {}};
  Script transact_{std::string(kPrelude) + std::string(kTransact), {}};
};

}  // namespace

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_redis_store(
    const dapr::ComponentSpec& spec) {
  auto settings = read_settings(spec);
  if (!settings) return unexpected(std::move(settings.error()));
  auto store = std::make_unique<RedisStore>(std::move(*settings));
  if (auto started = store->start(); !started) return unexpected(std::move(started.error()));
  return std::unique_ptr<dapr::StateStore>(std::move(store));
}

}  // namespace wasmdapr::components
