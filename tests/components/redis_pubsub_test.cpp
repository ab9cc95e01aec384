#include "components/pubsub/redis_pubsub.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "support/redis_server.h"

namespace wasmdapr::testing {
namespace {

using dapr::DeliveryStatus;
using dapr::Error;
using dapr::PubSubMessage;

constexpr auto kPatience = std::chrono::seconds(20);  // a passing test never waits it out

// What one subscriber received, in order, from the component's thread.
class Inbox {
 public:
  // A handler that answers `status` (Retry only the first `retries` times for each message).
  dapr::MessageHandler handler(DeliveryStatus status = DeliveryStatus::Success, int retries = 0) {
    return [this, status, retries](const PubSubMessage& message) {
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
      changed_.notify_all();
      if (status == DeliveryStatus::Retry && seen_[message.data]++ >= retries) {
        return DeliveryStatus::Success;
      }
      return status;
    };
  }
  // Waits until `done` holds for the messages received so far.
  template <typename Predicate>
  bool wait(Predicate done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return done(messages_); });
  }
  std::vector<PubSubMessage> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<PubSubMessage> messages_;
  std::map<std::string, int> seen_;
};

auto count_at_least(size_t n) {
  return [n](const std::vector<PubSubMessage>& messages) { return messages.size() >= n; };
}

std::set<std::string> payloads(const std::vector<PubSubMessage>& messages) {
  std::set<std::string> out;
  for (const auto& message : messages) out.insert(message.data);
  return out;
}

PubSubMessage message_to(const std::string& topic, const std::string& data) {
  PubSubMessage message;
  message.topic = topic;
  message.data = data;
  return message;
}

class RedisPubSubTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.running()) << server_.failure(); }

  std::unique_ptr<dapr::PubSub> make(dapr::Metadata metadata = {}) {
    dapr::ComponentSpec spec;
    spec.name = "pubsub";
    spec.type = "pubsub.redis";
    spec.metadata = std::move(metadata);
    spec.metadata["redisHost"] = server_.address();
    auto made = components::make_redis_pubsub(spec);
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }

  // Runs one command on a plain client and returns its integer reply (-1 for others).
  long long integer(const std::vector<std::string>& args) {
    redisContext* context = redisConnect("127.0.0.1", server_.port());
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    long long value = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    if (reply) freeReplyObject(reply);
    redisFree(context);
    return value;
  }

  RedisServer server_;
};

TEST_F(RedisPubSubTest, PublishedBytesAndMetadataReachASubscriber) {
  auto pubsub = make();
  Inbox inbox;
  ASSERT_TRUE(pubsub->subscribe("orders", {}, inbox.handler()));
  std::string binary("a\0b\xff", 4);
  auto message = message_to("orders", binary);
  message.metadata["partitionKey"] = "p1";
  ASSERT_TRUE(pubsub->publish(message));
  ASSERT_TRUE(pubsub->publish(message_to("orders", "second")));
  ASSERT_TRUE(pubsub->publish(message_to("other", "elsewhere")));

  ASSERT_TRUE(inbox.wait(count_at_least(2)));
  auto got = inbox.messages();
  EXPECT_EQ(got[0].topic, "orders");
  EXPECT_EQ(got[0].data, binary);
  EXPECT_EQ(got[0].metadata.at("partitionKey"), "p1");
  EXPECT_EQ(got[1].data, "second");
  EXPECT_TRUE(got[1].metadata.empty());
  pubsub->close();
  EXPECT_EQ(inbox.messages().size(), 2u);  // nothing of "other"
  // Each message is an entry of the topic's stream, where Dapr keeps it too.
  EXPECT_EQ(integer({"XLEN", "orders"}), 2);
}

TEST_F(RedisPubSubTest, ConsumersOfOneGroupShareTheMessages) {
  auto first = make({{"consumerID", "workers"}});
  auto second = make({{"consumerID", "workers"}});
  Inbox group;  // both members write here
  ASSERT_TRUE(first->subscribe("jobs", {}, group.handler()));
  ASSERT_TRUE(second->subscribe("jobs", {}, group.handler()));
  std::set<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.insert("job" + std::to_string(i));
    ASSERT_TRUE(first->publish(message_to("jobs", "job" + std::to_string(i))));
  }
  ASSERT_TRUE(group.wait(count_at_least(sent.size())));
  first->close();
  second->close();
  // Every message reached the group exactly once, whichever member took it.
  auto got = group.messages();
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_EQ(payloads(got), sent);
}

TEST_F(RedisPubSubTest, EveryGroupGetsEveryMessage) {
  auto pubsub = make();  // component default group: its name
  Inbox by_default, audit;
  ASSERT_TRUE(pubsub->subscribe("events", {}, by_default.handler()));
  ASSERT_TRUE(pubsub->subscribe("events", {{"consumerID", "audit"}}, audit.handler()));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pubsub->publish(message_to("events", std::to_string(i))));
  }
  ASSERT_TRUE(by_default.wait(count_at_least(5)));
  ASSERT_TRUE(audit.wait(count_at_least(5)));
  pubsub->close();
  EXPECT_EQ(payloads(by_default.messages()), payloads(audit.messages()));
  EXPECT_EQ(by_default.messages().size(), 5u);
}

TEST_F(RedisPubSubTest, RetriedMessagesAreDeliveredAgainDroppedOnesAreNot) {
  auto pubsub = make({{"processingTimeout", "1ms"}, {"redeliverInterval", "20ms"}});
  Inbox retrying, dropping;
  ASSERT_TRUE(pubsub->subscribe("retry", {}, retrying.handler(DeliveryStatus::Retry, 2)));
  ASSERT_TRUE(pubsub->subscribe("drop", {}, dropping.handler(DeliveryStatus::Drop)));
  ASSERT_TRUE(pubsub->publish(message_to("retry", "again")));
  ASSERT_TRUE(pubsub->publish(message_to("drop", "once")));
  // Retry, Retry, then Success: three deliveries of the same message.
  ASSERT_TRUE(retrying.wait(count_at_least(3)));
  ASSERT_TRUE(dropping.wait(count_at_least(1)));
  pubsub->close();
  for (const auto& message : retrying.messages()) EXPECT_EQ(message.data, "again");
  EXPECT_EQ(dropping.messages().size(), 1u);
}

TEST_F(RedisPubSubTest, AGroupGetsWhatWasPublishedWhileNoneOfItsSubscribersRan) {
  {
    auto earlier = make({{"consumerID", "late"}});
    Inbox inbox;
    ASSERT_TRUE(earlier->subscribe("news", {}, inbox.handler()));
    ASSERT_TRUE(earlier->publish(message_to("news", "seen")));
    ASSERT_TRUE(inbox.wait(count_at_least(1)));
  }  // the group's only subscriber is gone
  auto publisher = make();
  ASSERT_TRUE(publisher->publish(message_to("news", "while away")));
  auto later = make({{"consumerID", "late"}});
  Inbox inbox;
  ASSERT_TRUE(later->subscribe("news", {}, inbox.handler()));
  ASSERT_TRUE(inbox.wait(count_at_least(1)));
  later->close();
  auto got = inbox.messages();
  ASSERT_EQ(got.size(), 1u);  // not "seen" again: the group had acknowledged it
  EXPECT_EQ(got[0].data, "while away");
}

TEST_F(RedisPubSubTest, MaxLenApproxBoundsTheStream) {
  auto pubsub = make({{"maxLenApprox", "10"}});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pubsub->publish(message_to("bounded", "x")));
  // "~" trims whole nodes only (100 entries by default), so the bound is approximate.
  EXPECT_LT(integer({"XLEN", "bounded"}), 1000);
}

TEST_F(RedisPubSubTest, CloseStopsBlockedReadersAndRefusesPublishing) {
  // With redelivery off a reader blocks in Redis with no end; close() must not wait for it.
  auto pubsub = make({{"redeliverInterval", "0"}});
  Inbox inbox;
  ASSERT_TRUE(pubsub->subscribe("quiet", {}, inbox.handler()));
  ASSERT_TRUE(pubsub->subscribe("quiet", {{"consumerID", "other"}}, inbox.handler()));
  pubsub->close();
  pubsub->close();  // idempotent
  auto refused = pubsub->publish(message_to("quiet", "late"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Error::Code::Unavailable);
  EXPECT_FALSE(pubsub->subscribe("quiet", {}, inbox.handler()));
}

TEST_F(RedisPubSubTest, BadMetadataIsInvalidArgument) {
  for (auto [name, value] : std::map<std::string, std::string>{
           {"processingTimeout", "soon"}, {"redeliverInterval", "-5s"}, {"maxLenApprox", "-1"}}) {
    dapr::ComponentSpec spec;
    spec.name = "pubsub";
    spec.metadata["redisHost"] = server_.address();
    spec.metadata[name] = value;
    auto made = components::make_redis_pubsub(spec);
    ASSERT_FALSE(made) << name;
    EXPECT_EQ(made.error().code, Error::Code::InvalidArgument) << name;
    EXPECT_NE(made.error().message.find(name), std::string::npos) << made.error().message;
  }
  dapr::ComponentSpec unreachable;
  unreachable.metadata["redisHost"] = "127.0.0.1:1";
  auto made = components::make_redis_pubsub(unreachable);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, Error::Code::Unavailable);
}

}  // namespace
}  // namespace wasmdapr::testing
