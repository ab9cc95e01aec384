// pubsub.in-memory: fan-out per topic, delivery on the component's threads, bounded
// redelivery on Retry, and close() waiting for handlers in flight.
#include "components/pubsub/memory_pubsub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace wasmdapr::components {
namespace {

using dapr::DeliveryStatus;
using dapr::PubSubMessage;

std::unique_ptr<dapr::PubSub> make(dapr::Metadata metadata = {}) {
  dapr::ComponentSpec spec;
  spec.name = "pubsub";
  spec.type = "pubsub.in-memory";
  spec.metadata = std::move(metadata);
  auto pubsub = make_memory_pubsub(spec);
  EXPECT_TRUE(pubsub) << (pubsub ? "" : pubsub.error().message);
  return pubsub ? std::move(*pubsub) : nullptr;
}

PubSubMessage message(std::string topic, std::string data) {
  return PubSubMessage{std::move(topic), std::move(data), "text/plain", {}};
}

// What handlers saw, with a wait for a condition on it (no clock involved).
class Inbox {
 public:
  void add(const std::string& what) {
    std::lock_guard lock(mutex_);
    seen_.push_back(what);
    cv_.notify_all();
  }
  size_t count(const std::string& what) {
    std::lock_guard lock(mutex_);
    return std::count(seen_.begin(), seen_.end(), what);
  }
  void wait_for(const std::string& what, size_t times = 1) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return size_t(std::count(seen_.begin(), seen_.end(), what)) >= times; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> seen_;
};

TEST(MemoryPubSub, EverySubscriberOfTheTopicGetsACopyOnAnotherThread) {
  auto pubsub = make();
  Inbox inbox;
  std::atomic<bool> on_publisher_thread{false};
  auto publisher = std::this_thread::get_id();
  for (std::string name : {"first", "second"}) {
    ASSERT_TRUE(pubsub->subscribe("orders", {}, [&, name](const PubSubMessage& m) {
      if (std::this_thread::get_id() == publisher) on_publisher_thread = true;
      inbox.add(name + ":" + m.data);
      return DeliveryStatus::Success;
    }));
  }
  ASSERT_TRUE(pubsub->subscribe("other", {}, [&](const PubSubMessage& m) {
    inbox.add("other:" + m.data);
    return DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(message("nobody-listens", "lost")));
  ASSERT_TRUE(pubsub->publish(message("orders", "o1")));
  ASSERT_TRUE(pubsub->publish(message("other", "x1")));
  inbox.wait_for("first:o1");
  inbox.wait_for("second:o1");
  inbox.wait_for("other:x1");
  pubsub->close();
  EXPECT_EQ(inbox.count("other:o1"), 0u);
  EXPECT_FALSE(on_publisher_thread);
}

TEST(MemoryPubSub, MessageMetadataAndContentTypeReachTheHandler) {
  auto pubsub = make();
  Inbox inbox;
  ASSERT_TRUE(pubsub->subscribe("t", {}, [&](const PubSubMessage& m) {
    inbox.add(m.content_type + "|" + m.metadata.at("k") + "|" + m.topic);
    return DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(PubSubMessage{"t", "d", "application/json", {{"k", "v"}}}));
  inbox.wait_for("application/json|v|t");
}

TEST(MemoryPubSub, RetryRedeliversUntilSuccess) {
  auto pubsub = make({{"retryInterval", "1ms"}});
  Inbox inbox;
  std::atomic<int> attempts{0};
  ASSERT_TRUE(pubsub->subscribe("t", {}, [&](const PubSubMessage&) {
    inbox.add("attempt");
    return ++attempts < 3 ? DeliveryStatus::Retry : DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(message("t", "m")));
  inbox.wait_for("attempt", 3);
}

TEST(MemoryPubSub, RetriesAreBoundedAndDropAndSuccessAreFinal) {
  // One delivery thread and no backoff: a message still due would be handled before a later one.
  auto pubsub = make({{"concurrency", "1"}, {"maxRetries", "2"}, {"retryInterval", "0ms"}});
  Inbox inbox;
  ASSERT_TRUE(pubsub->subscribe("t", {}, [&](const PubSubMessage& m) {
    inbox.add(m.data);
    if (m.data == "retry") return DeliveryStatus::Retry;
    return m.data == "drop" ? DeliveryStatus::Drop : DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(message("t", "retry")));
  ASSERT_TRUE(pubsub->publish(message("t", "drop")));
  inbox.wait_for("retry", 3);  // the first delivery and two redeliveries
  ASSERT_TRUE(pubsub->publish(message("t", "marker1")));
  inbox.wait_for("marker1");
  ASSERT_TRUE(pubsub->publish(message("t", "marker2")));
  inbox.wait_for("marker2");
  EXPECT_EQ(inbox.count("retry"), 3u);
  EXPECT_EQ(inbox.count("drop"), 1u);
}

TEST(MemoryPubSub, AThrowingHandlerIsRetried) {
  auto pubsub = make({{"retryInterval", "1ms"}});
  Inbox inbox;
  std::atomic<int> attempts{0};
  ASSERT_TRUE(pubsub->subscribe("t", {}, [&](const PubSubMessage&) -> DeliveryStatus {
    inbox.add("attempt");
    if (++attempts == 1) throw std::runtime_error("boom");
    return DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(message("t", "m")));
  inbox.wait_for("attempt", 2);
}

TEST(MemoryPubSub, CloseWaitsForHandlersInFlightAndRefusesLaterCalls) {
  auto pubsub = make();
  Inbox inbox;
  std::mutex gate;
  std::unique_lock held(gate);
  std::atomic<bool> finished{false};
  ASSERT_TRUE(pubsub->subscribe("t", {}, [&](const PubSubMessage&) {
    inbox.add("started");
    std::lock_guard wait(gate);
    finished = true;
    return DeliveryStatus::Success;
  }));
  ASSERT_TRUE(pubsub->publish(message("t", "m")));
  inbox.wait_for("started");
  std::thread closer([&] { pubsub->close(); });
  held.unlock();
  closer.join();
  EXPECT_TRUE(finished);
  EXPECT_FALSE(pubsub->publish(message("t", "late")));
  EXPECT_FALSE(
      pubsub->subscribe("t", {}, [](const PubSubMessage&) { return DeliveryStatus::Success; }));
  pubsub->close();  // idempotent
}

TEST(MemoryPubSub, BadSettingsAreRefusedNamingTheField) {
  dapr::ComponentSpec spec;
  spec.type = "pubsub.in-memory";
  spec.metadata = {{"maxRetries", "many"}};
  auto refused = make_memory_pubsub(spec);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("maxRetries"), std::string::npos);
  spec.metadata = {{"retryInterval", "soon"}};
  refused = make_memory_pubsub(spec);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("retryInterval"), std::string::npos);
}

}  // namespace
}  // namespace wasmdapr::components
