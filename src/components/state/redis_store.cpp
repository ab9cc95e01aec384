#include "components/state/redis_store.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>

#include "components/redis/redis_client.h"
#include "dapr/state_rules.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;
using redis::element;
using redis::from_error_reply;
using redis::is_error;
using redis::ReplyHandle;
using redis::text_of;
using redis::unexpected_reply;
using Clock = std::chrono::system_clock;

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
  RedisStore(redis::Settings settings, std::optional<std::chrono::seconds> default_ttl)
      : pool_(std::move(settings)), default_ttl_(default_ttl) {}

  // Connects and teaches the server the scripts, learning their digests.
  Result<void, Error> start() {
    for (Script* script : {&get_, &set_, &delete_, &transact_}) {
      std::vector<std::string_view> load{"SCRIPT", "LOAD", script->source};
      auto reply = pool_.call(load);
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
    if (!metadata.contains("ttlInSeconds")) return default_ttl_;
    return dapr::parse_ttl(metadata);
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
    auto reply = pool_.call(command);
    if (reply && is_error(**reply) && text_of(**reply).starts_with("NOSCRIPT")) {
      command[0] = "EVAL";
      command[1] = script.source;
      reply = pool_.call(command);
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

  redis::Pool pool_;
  std::optional<std::chrono::seconds> default_ttl_;  // the component's ttlInSeconds
  Script get_{std::string(kGet), {}};
  Script set_{std::string(kPrelude) + std::string(kSet), {}};
  Script delete_{std::string(kPrelude) + std::string(kDelete), {}};
  Script transact_{std::string(kPrelude) + std::string(kTransact), {}};
};

}  // namespace

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_redis_store(
    const dapr::ComponentSpec& spec) {
  auto settings = redis::read_settings(spec);
  if (!settings) return unexpected(std::move(settings.error()));
  auto default_ttl = dapr::parse_ttl(spec.metadata);  // same syntax as a request's
  if (!default_ttl) return unexpected(std::move(default_ttl.error()));
  auto store = std::make_unique<RedisStore>(std::move(*settings), *default_ttl);
  if (auto started = store->start(); !started) return unexpected(std::move(started.error()));
  return std::unique_ptr<dapr::StateStore>(std::move(store));
}

}  // namespace wasmdapr::components
