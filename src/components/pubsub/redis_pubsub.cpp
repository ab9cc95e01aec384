#include "components/pubsub/redis_pubsub.h"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "components/redis/redis_client.h"
#include "dapr/json_view.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;
using redis::Connection;
using redis::ReplyHandle;
using redis::text_of;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kRedialMillis = 1000;
constexpr std::string_view kReadCount = "16";    // entries per XREADGROUP
constexpr std::string_view kClaimCount = "100";  // entries per XAUTOCLAIM step
constexpr milliseconds kDefaultTimeout{60'000};

struct Options {
  std::string component;
  std::string consumer_id;                            // the component's default group
  milliseconds processing_timeout = kDefaultTimeout;  // zero: no redelivery
  milliseconds redeliver_interval = kDefaultTimeout;  // zero: no redelivery
  int64_t max_len_approx = 0;                         // zero: unbounded
};

// A Go duration, or a bare number of milliseconds, as Dapr reads these two settings.
Result<milliseconds, Error> interval_setting(const dapr::ComponentSpec& spec,
                                             const std::string& name) {
  std::string text = redis::setting(spec, name);
  if (text.empty()) return kDefaultTimeout;
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size() && number >= 0) {
    return milliseconds(number);
  }
  auto duration = redis::parse_go_duration(text);
  if (!duration || duration->count() < 0) {
    return unexpected(redis::invalid(name +
                                     " must be a duration such as \"30s\" or a number of "
                                     "milliseconds, got '" +
                                     text + "'"));
  }
  return std::chrono::duration_cast<milliseconds>(*duration);
}

Result<Options, Error> read_options(const dapr::ComponentSpec& spec) {
  Options options;
  options.component = spec.name;
  options.consumer_id = redis::setting(spec, "consumerID");
  if (options.consumer_id.empty()) options.consumer_id = spec.name;
  auto timeout = interval_setting(spec, "processingTimeout");
  if (!timeout) return unexpected(std::move(timeout.error()));
  auto interval = interval_setting(spec, "redeliverInterval");
  if (!interval) return unexpected(std::move(interval.error()));
  auto max_len = redis::integer_setting(spec, "maxLenApprox", 0, 0);
  if (!max_len) return unexpected(std::move(max_len.error()));
  options.processing_timeout = *timeout;
  options.redeliver_interval = *interval;
  options.max_len_approx = *max_len;
  return options;
}

std::string metadata_json(const dapr::Metadata& metadata) {
  std::string json = "{";
  for (const auto& [name, value] : metadata) {
    if (json.size() > 1) json += ',';
    json += dapr::JsonView::quote(name);
    json += ':';
    json += dapr::JsonView::quote(value);
  }
  json += '}';
  return json;
}

Error reply_error(const redisReply& reply, std::string_view what) {
  return redis::is_error(reply) ? redis::from_error_reply(text_of(reply))
                                : redis::unexpected_reply(what);
}

class RedisPubSub final : public dapr::PubSub {
 public:
  RedisPubSub(redis::Settings settings, Options options)
      : pool_(std::move(settings)), options_(std::move(options)) {}
  ~RedisPubSub() override { close(); }

  Result<void, Error> start() {
    std::string_view ping[] = {"PING"};
    auto reply = pool_.call(ping);
    if (!reply) return unexpected(std::move(reply.error()));
    return {};
  }

  Result<void, Error> publish(const dapr::PubSubMessage& message) override {
    if (closed_) return unexpected(closed_error());
    std::string max_len = std::to_string(options_.max_len_approx);
    std::string metadata = metadata_json(message.metadata);
    std::vector<std::string_view> command{"XADD", message.topic};
    if (options_.max_len_approx > 0) command.insert(command.end(), {"MAXLEN", "~", max_len});
    command.insert(command.end(), {"*", "data", message.data});
    if (!message.metadata.empty()) command.insert(command.end(), {"metadata", metadata});
    auto reply = pool_.call(command);
    if (!reply) return unexpected(std::move(reply.error()));
    if ((*reply)->type != REDIS_REPLY_STRING) return unexpected(reply_error(**reply, "XADD"));
    return {};
  }

  Result<void, Error> subscribe(const std::string& topic, const dapr::Metadata& metadata,
                                dapr::MessageHandler handler) override {
    if (topic.empty()) return unexpected(redis::invalid("topic must not be empty"));
    auto subscription = std::make_shared<Subscription>();
    subscription->topic = topic;
    auto group = metadata.find("consumerID");
    subscription->group =
        group != metadata.end() && !group->second.empty() ? group->second : options_.consumer_id;
    subscription->handler = std::move(handler);

    std::lock_guard lock(mutex_);
    if (closed_) return unexpected(closed_error());
    subscription->consumer =
        subscription->group + "-" + std::to_string(getpid()) + "-" + std::to_string(++consumers_);
    auto connection = Connection::dial(pool_.settings());
    if (!connection) return unexpected(std::move(connection.error()));
    if (auto created = create_group(**connection, *subscription); !created) {
      return unexpected(std::move(created.error()));
    }
    subscription->thread =
        std::thread([this, subscription, connection = std::move(*connection)]() mutable {
          run(*subscription, std::move(connection));
        });
    subscriptions_.push_back(std::move(subscription));
    return {};
  }

  void close() override {
    std::vector<std::shared_ptr<Subscription>> stopping;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      stopping.swap(subscriptions_);
    }
    for (auto& subscription : stopping) {
      subscription->stopped = true;
      subscription->wakeup.raise();
    }
    for (auto& subscription : stopping) {
      if (subscription->thread.joinable()) subscription->thread.join();
    }
  }

 private:
  struct Subscription {
    std::string topic;
    std::string group;
    std::string consumer;
    dapr::MessageHandler handler;
    redis::Wakeup wakeup;
    std::atomic<bool> stopped{false};
    std::thread thread;
  };

  Error closed_error() const {
    return Error{Error::Code::Unavailable, "pubsub " + options_.component + " is closed"};
  }

  bool redelivers() const {
    return options_.processing_timeout.count() > 0 && options_.redeliver_interval.count() > 0;
  }

  // XGROUP CREATE at the stream's start, making the stream if need be; an existing group is
  // kept as it is.
  static Result<void, Error> create_group(Connection& connection, const Subscription& s) {
    std::string_view create[] = {"XGROUP", "CREATE", s.topic, s.group, "0", "MKSTREAM"};
    auto reply = connection.exchange(create);
    if (!reply) return unexpected(std::move(reply.error()));
    if (redis::is_error(**reply) && !text_of(**reply).starts_with("BUSYGROUP")) {
      return unexpected(reply_error(**reply, "XGROUP CREATE"));
    }
    return {};
  }

  void run(Subscription& s, std::unique_ptr<Connection> connection) {
    auto next_claim = Clock::now() + options_.redeliver_interval;
    while (!s.stopped) {
      if (!connection || connection->broken()) {
        connection.reset();
        pollfd wait{s.wakeup.fd(), POLLIN, 0};
        poll(&wait, 1, kRedialMillis);
        if (s.stopped) break;
        auto dialled = Connection::dial(pool_.settings());
        if (!dialled || !create_group(**dialled, s)) continue;
        connection = std::move(*dialled);
      }
      if (redelivers() && Clock::now() >= next_claim) {
        reclaim(s, *connection);
        next_claim = Clock::now() + options_.redeliver_interval;
        continue;
      }
      // Blocks until messages come, until the next claim is due, or (no redelivery) for good;
      // close() ends the wait through the wakeup.
      std::string block = "0";
      if (redelivers()) {
        auto left = std::chrono::duration_cast<milliseconds>(next_claim - Clock::now());
        block = std::to_string(std::max<int64_t>(1, left.count()));
      }
      std::string_view read[] = {"XREADGROUP", "GROUP", s.group,   s.consumer, "COUNT", kReadCount,
                                 "BLOCK",      block,   "STREAMS", s.topic,    ">"};
      if (!connection->send(read)) continue;
      auto reply = connection->receive(s.wakeup);
      if (!reply || !*reply) continue;  // broken, or stopping
      const redisReply& answer = ***reply;
      if (redis::is_error(answer)) {
        // NOGROUP: the stream (and the group with it) was deleted; make them again.
        if (text_of(answer).starts_with("NOGROUP")) (void)create_group(*connection, s);
        continue;
      }
      // [[topic, [[id, [field, value, ...]], ...]]], or nil when the block ran out.
      const redisReply* stream = redis::element(answer, 0);
      const redisReply* entries = stream ? redis::element(*stream, 1) : nullptr;
      if (!entries) continue;
      for (size_t i = 0; i < entries->elements && !s.stopped; ++i) {
        deliver(s, *connection, *entries->element[i]);
      }
    }
  }

  // Claims what the group left pending past processingTimeout and delivers it again.
  void reclaim(Subscription& s, Connection& connection) {
    std::string min_idle = std::to_string(options_.processing_timeout.count());
    std::string cursor = "0-0";
    do {
      std::string_view claim[] = {"XAUTOCLAIM", s.topic, s.group, s.consumer,
                                  min_idle,     cursor,  "COUNT", kClaimCount};
      auto reply = connection.exchange(claim);
      if (!reply || redis::is_error(**reply)) return;
      const redisReply* next = redis::element(**reply, 0);
      const redisReply* entries = redis::element(**reply, 1);
      if (!next || !entries) return;
      for (size_t i = 0; i < entries->elements && !s.stopped; ++i) {
        deliver(s, connection, *entries->element[i]);
      }
      cursor = std::string(text_of(*next));
    } while (cursor != "0-0" && !s.stopped);
  }

  // One entry: [id, [field, value, ...]]. An entry trimmed away meanwhile has no fields.
  void deliver(Subscription& s, Connection& connection, const redisReply& entry) {
    const redisReply* id = redis::element(entry, 0);
    const redisReply* fields = redis::element(entry, 1);
    if (!id) return;
    dapr::DeliveryStatus status = dapr::DeliveryStatus::Drop;
    if (fields) {
      dapr::PubSubMessage message;
      message.topic = s.topic;
      bool has_data = false;
      for (size_t f = 0; f + 1 < fields->elements; f += 2) {
        std::string_view name = text_of(*fields->element[f]);
        std::string_view value = text_of(*fields->element[f + 1]);
        if (name == "data") {
          message.data = std::string(value);
          has_data = true;
        } else if (name == "metadata") {
          auto json = dapr::JsonView::parse(value);
          if (json && json->is_object()) {
            for (const auto& [key, item] : json->members()) {
              if (item.is_string()) message.metadata[key] = item.string();
            }
          }
        }
      }
      if (has_data) {
        try {
          status = s.handler(message);
        } catch (...) {
          status = dapr::DeliveryStatus::Retry;  // a handler's failure is not the broker's
        }
      }
    }
    if (status == dapr::DeliveryStatus::Retry) return;  // stays pending until reclaimed
    std::string_view ack[] = {"XACK", s.topic, s.group, text_of(*id)};
    (void)connection.exchange(ack);
  }

  redis::Pool pool_;
  const Options options_;
  std::mutex mutex_;
  std::atomic<bool> closed_{false};
  std::vector<std::shared_ptr<Subscription>> subscriptions_;
  uint64_t consumers_ = 0;
};

}  // namespace

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_redis_pubsub(
    const dapr::ComponentSpec& spec) {
  auto settings = redis::read_settings(spec);
  if (!settings) return unexpected(std::move(settings.error()));
  auto options = read_options(spec);
  if (!options) return unexpected(std::move(options.error()));
  auto pubsub = std::make_unique<RedisPubSub>(std::move(*settings), std::move(*options));
  if (auto started = pubsub->start(); !started) return unexpected(std::move(started.error()));
  return std::unique_ptr<dapr::PubSub>(std::move(pubsub));
}

}  // namespace wasmdapr::components
