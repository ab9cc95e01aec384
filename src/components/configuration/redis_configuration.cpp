#include "components/configuration/redis_configuration.h"

#include <poll.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "components/redis/redis_client.h"

namespace wasmdapr::components {
namespace {

using dapr::ConfigurationItem;
using dapr::ConfigurationItems;
using dapr::Error;
using redis::Connection;
using redis::ReplyHandle;
using redis::text_of;

constexpr std::string_view kSeparator = "||";
constexpr size_t kScanCount = 256;  // keys per SCAN step and per MGET
constexpr int kRedialMillis = 1000;

ConfigurationItem item_of(std::string_view stored) {
  ConfigurationItem item;
  auto split = stored.find(kSeparator);
  item.value = std::string(stored.substr(0, split));
  if (split != std::string_view::npos) {
    std::string_view rest = stored.substr(split + kSeparator.size());
    item.version = std::string(rest.substr(0, rest.find(kSeparator)));
  }
  return item;
}

Error failed_reply(const Result<ReplyHandle, Error>& reply, std::string_view what) {
  if (!reply) return reply.error();
  if (redis::is_error(**reply)) return redis::from_error_reply(text_of(**reply));
  return redis::unexpected_reply(what);
}

class RedisConfiguration final : public dapr::ConfigurationStore {
 public:
  explicit RedisConfiguration(redis::Settings settings) : pool_(std::move(settings)) {
    keyspace_prefix_ = "__keyspace@" + std::to_string(pool_.settings().db) + "__:";
  }

  ~RedisConfiguration() override {
    std::map<std::string, std::shared_ptr<Subscription>> live;
    std::vector<std::shared_ptr<Subscription>> retired;
    {
      std::lock_guard lock(mutex_);
      live.swap(subscriptions_);
      retired.swap(retired_);
    }
    for (auto& [id, subscription] : live) subscription->stop();
    for (auto& [id, subscription] : live) subscription->join();
    for (auto& subscription : retired) subscription->join();
  }

  Result<void, Error> start() {
    std::string_view ping[] = {"PING"};
    auto reply = pool_.call(ping);
    if (!reply) return unexpected(std::move(reply.error()));
    return {};
  }

  Result<ConfigurationItems, Error> get(const std::vector<std::string>& keys,
                                        const dapr::Metadata&) override {
    ConfigurationItems items;
    if (!keys.empty()) {
      for (size_t from = 0; from < keys.size(); from += kScanCount) {
        std::vector<std::string_view> chunk(
            keys.begin() + static_cast<std::ptrdiff_t>(from),
            keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), from + kScanCount)));
        if (auto read = read_into(chunk, items); !read) return unexpected(std::move(read.error()));
      }
      return items;
    }
    std::string cursor = "0";
    std::string count = std::to_string(kScanCount);
    do {
      std::string_view scan[] = {"SCAN", cursor, "COUNT", count};
      auto reply = pool_.call(scan);
      const redisReply* next = reply ? redis::element(**reply, 0) : nullptr;
      const redisReply* found = reply ? redis::element(**reply, 1) : nullptr;
      if (!next || !found || found->type != REDIS_REPLY_ARRAY) {
        return unexpected(failed_reply(reply, "SCAN"));
      }
      std::vector<std::string_view> chunk;
      for (size_t i = 0; i < found->elements; ++i) chunk.push_back(text_of(*found->element[i]));
      if (auto read = read_into(chunk, items); !read) return unexpected(std::move(read.error()));
      cursor = std::string(text_of(*next));
    } while (cursor != "0");
    return items;
  }

  Result<std::string, Error> subscribe(const std::vector<std::string>& keys, const dapr::Metadata&,
                                       ChangeHandler handler) override {
    // Dapr's component turns notifications on itself; a managed Redis may refuse CONFIG, and
    // then has to have them on already.
    std::string_view enable[] = {"CONFIG", "SET", "notify-keyspace-events", "KA"};
    auto enabled = pool_.call(enable);
    if (!enabled) return unexpected(std::move(enabled.error()));

    auto subscription = std::make_shared<Subscription>();
    subscription->keys = keys;
    subscription->handler = std::move(handler);
    auto connection = listen(*subscription);
    if (!connection) return unexpected(std::move(connection.error()));

    std::lock_guard lock(mutex_);
    reap_finished();
    std::string id = "redis-configuration-" + std::to_string(++last_id_);
    subscription->thread =
        std::thread([this, subscription, connection = std::move(*connection)]() mutable {
          run(*subscription, std::move(connection));
        });
    subscriptions_.emplace(id, std::move(subscription));
    return id;
  }

  Result<void, Error> unsubscribe(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) {
      return unexpected(Error{Error::Code::NotFound, "subscription " + id + " not found"});
    }
    it->second->stop();
    // Joined later, never here: the caller may be the handler itself, or wait for it.
    retired_.push_back(std::move(it->second));
    subscriptions_.erase(it);
    return {};
  }

 private:
  struct Subscription {
    std::vector<std::string> keys;
    ChangeHandler handler;
    redis::Wakeup wakeup;
    std::atomic<bool> stopped{false};
    std::atomic<bool> finished{false};
    std::thread thread;

    void stop() {
      stopped = true;
      wakeup.raise();
    }
    void join() {
      if (thread.joinable()) thread.join();
    }
  };

  // MGET of `keys` into `items`: absent keys and keys of other types (nil) are left out.
  Result<void, Error> read_into(std::span<const std::string_view> keys, ConfigurationItems& items) {
    if (keys.empty()) return {};
    std::vector<std::string_view> command{"MGET"};
    command.insert(command.end(), keys.begin(), keys.end());
    auto reply = pool_.call(command);
    if (!reply || (*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements != keys.size()) {
      return unexpected(failed_reply(reply, "MGET"));
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const redisReply& value = *(*reply)->element[i];
      if (value.type == REDIS_REPLY_STRING) items[std::string(keys[i])] = item_of(text_of(value));
    }
    return {};
  }

  // A connection subscribed to the subscription's keyspace channels, once Redis confirmed.
  Result<std::unique_ptr<Connection>, Error> listen(const Subscription& subscription) {
    auto connection = Connection::dial(pool_.settings());
    if (!connection) return unexpected(std::move(connection.error()));
    std::vector<std::string> channels;
    if (subscription.keys.empty()) {
      channels.push_back(keyspace_prefix_ + "*");
    } else {
      for (const auto& key : subscription.keys) channels.push_back(keyspace_prefix_ + key);
    }
    std::vector<std::string_view> command{subscription.keys.empty() ? "PSUBSCRIBE" : "SUBSCRIBE"};
    command.insert(command.end(), channels.begin(), channels.end());
    if (auto sent = (*connection)->send(command); !sent) return unexpected(std::move(sent.error()));
    for (size_t confirmed = 0; confirmed < channels.size(); ++confirmed) {
      auto reply = (*connection)->receive(subscription.wakeup);
      if (!reply) return unexpected(std::move(reply.error()));
      if (!*reply) return unexpected(Error{Error::Code::Unavailable, "subscription stopped"});
      if ((**reply)->type != REDIS_REPLY_ARRAY) {
        Result<ReplyHandle, Error> refused(std::move(**reply));
        return unexpected(failed_reply(refused, "SUBSCRIBE"));
      }
    }
    return connection;
  }

  void run(Subscription& subscription, std::unique_ptr<Connection> connection) {
    while (!subscription.stopped) {
      if (!connection) {
        pollfd wait{subscription.wakeup.fd(), POLLIN, 0};
        poll(&wait, 1, kRedialMillis);
        if (subscription.stopped) break;
        auto again = listen(subscription);
        if (!again) continue;
        connection = std::move(*again);
      }
      auto message = connection->receive(subscription.wakeup);
      if (!message || !*message) {
        connection.reset();
        continue;
      }
      notify(subscription, ***message);
    }
    subscription.finished = true;
  }

  // A keyspace message: ["message", channel, event] or ["pmessage", pattern, channel, event].
  void notify(Subscription& subscription, const redisReply& message) {
    const redisReply* kind = redis::element(message, 0);
    if (!kind) return;
    size_t at = text_of(*kind) == "pmessage" ? 2 : 1;
    const redisReply* channel = redis::element(message, at);
    const redisReply* event = redis::element(message, at + 1);
    if (!channel || !event || !text_of(*channel).starts_with(keyspace_prefix_)) return;
    std::string key(text_of(*channel).substr(keyspace_prefix_.size()));
    std::string_view what = text_of(*event);

    ConfigurationItems changed;
    if (what == "del" || what == "expired" || what == "evicted") {
      changed[key] = ConfigurationItem{};
    } else {
      std::string_view get[] = {"GET", key};
      auto reply = pool_.call(get);
      if (!reply) return;
      if ((*reply)->type == REDIS_REPLY_STRING) {
        changed[key] = item_of(text_of(**reply));
      } else if ((*reply)->type == REDIS_REPLY_NIL) {
        changed[key] = ConfigurationItem{};
      } else {
        return;  // not a configuration item (another type)
      }
    }
    if (!subscription.stopped) subscription.handler(changed);
  }

  // Joins the threads of unsubscribed subscriptions that have ended. Called under mutex_.
  void reap_finished() {
    std::erase_if(retired_, [](const std::shared_ptr<Subscription>& subscription) {
      if (!subscription->finished) return false;
      subscription->join();
      return true;
    });
  }

  redis::Pool pool_;
  std::string keyspace_prefix_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Subscription>> subscriptions_;
  std::vector<std::shared_ptr<Subscription>> retired_;
  uint64_t last_id_ = 0;
};

}  // namespace

Result<std::unique_ptr<dapr::ConfigurationStore>, dapr::Error> make_redis_configuration(
    const dapr::ComponentSpec& spec) {
  auto settings = redis::read_settings(spec);
  if (!settings) return unexpected(std::move(settings.error()));
  auto store = std::make_unique<RedisConfiguration>(std::move(*settings));
  if (auto started = store->start(); !started) return unexpected(std::move(started.error()));
  return std::unique_ptr<dapr::ConfigurationStore>(std::move(store));
}

}  // namespace wasmdapr::components
