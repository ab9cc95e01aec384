#include "components/configuration/redis_configuration.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "support/redis_server.h"

namespace wasmdapr::testing {
namespace {

using dapr::ConfigurationItems;
using dapr::Error;

// Long enough for any machine; a passing test never waits it out.
constexpr auto kPatience = std::chrono::seconds(20);

// Writes to Redis the way an operator does, beside the component.
class Writer {
 public:
  explicit Writer(const RedisServer& server) : context_(redisConnect("127.0.0.1", server.port())) {
    EXPECT_TRUE(context_ && !context_->err);
  }
  void run(const char* format, const std::string& a, const std::string& b = {}) {
    auto* reply =
        static_cast<redisReply*>(redisCommand(context_.get(), format, a.c_str(), b.c_str()));
    ASSERT_NE(reply, nullptr);
    EXPECT_NE(reply->type, REDIS_REPLY_ERROR) << reply->str;
    freeReplyObject(reply);
  }
  void set(const std::string& key, const std::string& value) { run("SET %s %s", key, value); }
  void del(const std::string& key) { run("DEL %s", key); }

 private:
  struct Free {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  std::unique_ptr<redisContext, Free> context_;
};

// Collects what a subscription's handler receives, from the component's thread.
class Changes {
 public:
  dapr::ConfigurationStore::ChangeHandler handler() {
    return [this](const ConfigurationItems& items) {
      std::lock_guard lock(mutex_);
      received_.push_back(items);
      arrived_.notify_all();
    };
  }
  std::optional<ConfigurationItems> next() {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, kPatience, [&] { return !received_.empty(); })) return {};
    auto items = std::move(received_.front());
    received_.pop_front();
    return items;
  }
  size_t pending() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<ConfigurationItems> received_;
};

dapr::ComponentSpec spec_for(const RedisServer& server) {
  dapr::ComponentSpec spec;
  spec.name = "configstore";
  spec.type = "configuration.redis";
  spec.metadata["redisHost"] = server.address();
  return spec;
}

// The server starts without keyspace notifications: the component turns them on itself.
class RedisConfigurationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.running()) << server_.failure();
    auto made = components::make_redis_configuration(spec_for(server_));
    ASSERT_TRUE(made) << made.error().message;
    store_ = std::move(*made);
  }

  RedisServer server_;
  Writer writer_{server_};
  std::unique_ptr<dapr::ConfigurationStore> store_;
};

TEST_F(RedisConfigurationTest, GetReadsValueAndVersionOfTheKeysThatExist) {
  writer_.set("color", "blue||3");
  writer_.set("plain", "just a value");
  writer_.set("extra", "v||7||ignored");
  writer_.run("HSET %s data %s", "hash", "x");  // not an item

  auto items = store_->get({"color", "plain", "extra", "missing", "hash"}, {});
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ(items->at("color").value, "blue");
  EXPECT_EQ(items->at("color").version, "3");
  EXPECT_EQ(items->at("plain").value, "just a value");
  EXPECT_EQ(items->at("plain").version, "");
  EXPECT_EQ(items->at("extra").value, "v");
  EXPECT_EQ(items->at("extra").version, "7");
  EXPECT_TRUE(items->at("color").metadata.empty());
}

TEST_F(RedisConfigurationTest, GetWithoutKeysReadsEveryItemAcrossScanSteps) {
  for (int i = 0; i < 700; ++i) writer_.set("key" + std::to_string(i), std::to_string(i) + "||1");
  writer_.run("RPUSH %s %s", "list", "x");

  auto items = store_->get({}, {});
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 700u);
  EXPECT_EQ(items->at("key699").value, "699");
  EXPECT_EQ(items->at("key0").version, "1");
}

TEST_F(RedisConfigurationTest, GetOfNothingStoredIsEmpty) {
  auto items = store_->get({"nothing"}, {});
  ASSERT_TRUE(items);
  EXPECT_TRUE(items->empty());
  auto all = store_->get({}, {});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(RedisConfigurationTest, SubscriptionSeesChangesAndDeletesOfItsKeysOnly) {
  Changes changes;
  auto id = store_->subscribe({"color", "size"}, {}, changes.handler());
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_FALSE(id->empty());

  writer_.set("unwatched", "x||1");
  writer_.set("color", "red||2");
  auto first = changes.next();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->at("color").value, "red");
  EXPECT_EQ(first->at("color").version, "2");

  writer_.del("color");
  auto deleted = changes.next();
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->count("color"), 1u);
  EXPECT_EQ(deleted->at("color").value, "");

  writer_.set("size", "L");
  auto sized = changes.next();
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->at("size").value, "L");
  EXPECT_EQ(changes.pending(), 0u);  // "unwatched" never arrived
}

TEST_F(RedisConfigurationTest, SubscriptionWithoutKeysSeesEveryKey) {
  Changes changes;
  auto id = store_->subscribe({}, {}, changes.handler());
  ASSERT_TRUE(id) << id.error().message;
  writer_.set("anything", "1||a");
  auto got = changes.next();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("anything").version, "a");
}

TEST_F(RedisConfigurationTest, UnsubscribedHandlersAreNotCalledAgain) {
  Changes stopped, still;
  auto first = store_->subscribe({"k"}, {}, stopped.handler());
  auto second = store_->subscribe({"k"}, {}, still.handler());
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  ASSERT_TRUE(store_->unsubscribe(*first));

  writer_.set("k", "v||1");
  ASSERT_TRUE(still.next());  // the change was published, and the live subscription saw it
  EXPECT_EQ(stopped.pending(), 0u);

  auto again = store_->unsubscribe(*first);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Error::Code::NotFound);
}

TEST_F(RedisConfigurationTest, AHandlerMayUnsubscribeItself) {
  Changes changes;
  std::string id;
  auto handler = changes.handler();
  auto made = store_->subscribe({"k"}, {}, [&, handler](const ConfigurationItems& items) {
    EXPECT_TRUE(store_->unsubscribe(id));
    handler(items);
  });
  ASSERT_TRUE(made);
  id = *made;
  writer_.set("k", "1");
  ASSERT_TRUE(changes.next());
}

TEST_F(RedisConfigurationTest, DestroyingTheStoreStopsLiveSubscriptions) {
  Changes changes;
  ASSERT_TRUE(store_->subscribe({"k"}, {}, changes.handler()));
  ASSERT_TRUE(store_->subscribe({}, {}, changes.handler()));
  store_.reset();  // returns: the threads stopped
  writer_.set("k", "1");
  EXPECT_EQ(changes.pending(), 0u);
}

TEST(RedisConfigurationSettings, BadMetadataAndUnreachableServers) {
  dapr::ComponentSpec spec;
  spec.name = "configstore";
  auto missing = components::make_redis_configuration(spec);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Error::Code::InvalidArgument);

  spec.metadata["redisHost"] = "127.0.0.1:1";
  auto unreachable = components::make_redis_configuration(spec);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, Error::Code::Unavailable);
}

TEST(RedisConfigurationAuth, UsesThePasswordForItsSubscriptionConnectionsToo) {
  RedisServer server({"--requirepass", "s3cret"});
  ASSERT_TRUE(server.running()) << server.failure();
  auto spec = spec_for(server);
  spec.metadata["redisPassword"] = "s3cret";
  auto store = components::make_redis_configuration(spec);
  ASSERT_TRUE(store) << store.error().message;
  Changes changes;
  ASSERT_TRUE((*store)->subscribe({"k"}, {}, changes.handler()));
  Writer writer(server);
  writer.run("AUTH %s", "s3cret");
  writer.set("k", "secret||9");
  auto got = changes.next();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("k").version, "9");
}

}  // namespace
}  // namespace wasmdapr::testing
