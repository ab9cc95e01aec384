#include "components/pubsub/memory_pubsub.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace wasmdapr::components {
namespace {

using Clock = std::chrono::steady_clock;
using dapr::DeliveryStatus;
using dapr::Error;

constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

struct Settings {
  unsigned concurrency = 4;
  int max_retries = 3;  // -1: forever
  std::chrono::milliseconds retry_interval{100};
};

Result<long long, std::string> read_integer(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return unexpected("'" + text + "' is not an integer");
  }
  return value;
}

// "250ms", "2s", "1m", "1h": the subset of Go durations component files use for intervals.
Result<std::chrono::milliseconds, std::string> read_duration(const std::string& text) {
  size_t unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string::npos) {
    return unexpected("'" + text + "' is not a duration (e.g. 250ms, 2s)");
  }
  auto number = read_integer(text.substr(0, unit_at));
  if (!number) return unexpected(std::move(number.error()));
  std::string unit = text.substr(unit_at);
  long long scale = unit == "ms"  ? 1
                    : unit == "s" ? 1000
                    : unit == "m" ? 60000
                    : unit == "h" ? 3600000
                                  : 0;
  if (scale == 0) return unexpected("'" + text + "': unknown unit '" + unit + "'");
  return std::chrono::milliseconds(*number * scale);
}

Result<Settings, std::string> read_settings(const dapr::ComponentSpec& spec) {
  Settings settings;
  if (auto it = spec.metadata.find("concurrency"); it != spec.metadata.end()) {
    auto n = read_integer(it->second);
    if (!n || *n < 1 || *n > 64) return unexpected("concurrency: must be an integer in 1..64");
    settings.concurrency = static_cast<unsigned>(*n);
  }
  if (auto it = spec.metadata.find("maxRetries"); it != spec.metadata.end()) {
    auto n = read_integer(it->second);
    if (!n || *n < -1 || *n > 1'000'000) return unexpected("maxRetries: must be an integer >= -1");
    settings.max_retries = static_cast<int>(*n);
  }
  if (auto it = spec.metadata.find("retryInterval"); it != spec.metadata.end()) {
    auto d = read_duration(it->second);
    if (!d) return unexpected("retryInterval: " + d.error());
    settings.retry_interval = *d;
  }
  return settings;
}

class MemoryPubSub final : public dapr::PubSub {
 public:
  explicit MemoryPubSub(Settings settings) : settings_(settings) {}
  ~MemoryPubSub() override { close(); }

  Result<void, Error> publish(const dapr::PubSubMessage& message) override {
    std::shared_ptr<const dapr::PubSubMessage> shared;
    size_t queued = 0;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return unexpected(Error{Error::Code::Unavailable, "pubsub is closed"});
      auto [begin, end] = subscribers_.equal_range(message.topic);
      for (auto it = begin; it != end; ++it, ++queued) {
        if (!shared) shared = std::make_shared<const dapr::PubSubMessage>(message);
        queue_.push(Delivery{it->second, shared, 0, Clock::now(), next_sequence_++});
      }
    }
    // A topic nobody subscribes to wakes nobody; otherwise one worker per delivery at most.
    if (queued == 1) cv_.notify_one();
    if (queued > 1) cv_.notify_all();
    return {};
  }

  Result<void, Error> subscribe(const std::string& topic, const dapr::Metadata&,
                                dapr::MessageHandler handler) override {
    if (topic.empty()) return unexpected(Error{Error::Code::InvalidArgument, "topic is empty"});
    if (!handler) return unexpected(Error{Error::Code::InvalidArgument, "no handler"});
    std::lock_guard lock(mutex_);
    if (closed_) return unexpected(Error{Error::Code::Unavailable, "pubsub is closed"});
    subscribers_.emplace(topic, std::make_shared<const dapr::MessageHandler>(std::move(handler)));
    // Delivery threads start with the first subscriber: the embedded default pub/sub of an app
    // that never subscribes costs no threads. Under the lock, so close() sees every one.
    while (workers_.size() < settings_.concurrency) {
      workers_.emplace_back([this] { deliver_loop(); });
    }
    return {};
  }

  void close() override {
    std::lock_guard close_lock(close_mutex_);
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      queue_ = {};
      subscribers_.clear();
    }
    cv_.notify_all();
    for (auto& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

 private:
  struct Delivery {
    std::shared_ptr<const dapr::MessageHandler> handler;
    std::shared_ptr<const dapr::PubSubMessage> message;
    int retries_done = 0;
    Clock::time_point ready_at;
    uint64_t sequence = 0;  // keeps publish order among deliveries ready at the same time
  };
  struct LaterFirst {
    bool operator()(const Delivery& a, const Delivery& b) const {
      return a.ready_at != b.ready_at ? a.ready_at > b.ready_at : a.sequence > b.sequence;
    }
  };

  std::chrono::milliseconds backoff(int retries_done) const {
    auto delay = settings_.retry_interval;
    for (int i = 0; i < retries_done && delay < kMaxBackoff; ++i) delay *= 2;
    return std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
  }

  void deliver_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (closed_) return;
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      if (Clock::time_point due = queue_.top().ready_at; due > Clock::now()) {
        cv_.wait_until(lock, due);  // a copy: the queue may change while this thread waits
        continue;
      }
      Delivery delivery = queue_.top();
      queue_.pop();
      lock.unlock();
      DeliveryStatus status;
      try {
        status = (*delivery.handler)(*delivery.message);
      } catch (...) {
        status = DeliveryStatus::Retry;  // a handler's failure is not the broker's
      }
      lock.lock();
      if (status != DeliveryStatus::Retry || closed_) continue;
      if (settings_.max_retries >= 0 && delivery.retries_done >= settings_.max_retries) continue;
      delivery.ready_at = Clock::now() + backoff(delivery.retries_done);
      ++delivery.retries_done;
      queue_.push(std::move(delivery));
      cv_.notify_one();
    }
  }

  const Settings settings_;
  std::mutex close_mutex_;  // serialises close() so that a second caller also waits
  std::mutex mutex_;
  std::condition_variable cv_;
  bool closed_ = false;
  uint64_t next_sequence_ = 0;
  std::multimap<std::string, std::shared_ptr<const dapr::MessageHandler>> subscribers_;
  std::priority_queue<Delivery, std::vector<Delivery>, LaterFirst> queue_;
  std::vector<std::thread> workers_;
};

}  // namespace

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_memory_pubsub(
    const dapr::ComponentSpec& spec) {
  auto settings = read_settings(spec);
  if (!settings) {
    return unexpected(Error{Error::Code::InvalidArgument, std::move(settings.error())});
  }
  return std::unique_ptr<dapr::PubSub>(std::make_unique<MemoryPubSub>(*settings));
}

}  // namespace wasmdapr::components
