#include "components/state/redis_store.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "components/registry.h"
#include "components/state_conformance.h"
#include "support/redis_server.h"

namespace wasmdapr::testing {
namespace {

using dapr::Error;

// A reply from the raw client, copied out of hiredis.
struct Reply {
  int type = 0;
  std::string text;  // strings, statuses and errors
  long long integer = 0;
  std::vector<Reply> elements;
};

Reply copy_reply(const redisReply* reply) {
  Reply out;
  if (!reply) return out;
  out.type = reply->type;
  if (reply->str) out.text.assign(reply->str, reply->len);
  out.integer = reply->integer;
  for (size_t i = 0; i < reply->elements; ++i)
    out.elements.push_back(copy_reply(reply->element[i]));
  return out;
}

// A plain hiredis client, to see and touch what the store keeps in Redis.
class RawClient {
 public:
  explicit RawClient(const RedisServer& server, const std::string& password = {})
      : context_(redisConnect("127.0.0.1", server.port())) {
    EXPECT_TRUE(context_ && !context_->err) << "raw client cannot connect";
    if (!password.empty()) command({"AUTH", password});
  }

  Reply command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    Reply reply = copy_reply(raw);
    if (raw) freeReplyObject(raw);
    return reply;
  }

  std::map<std::string, std::string> hash(const std::string& key) {
    Reply all = command({"HGETALL", key});
    std::map<std::string, std::string> fields;
    for (size_t i = 0; i + 1 < all.elements.size(); i += 2) {
      fields[all.elements[i].text] = all.elements[i + 1].text;
    }
    return fields;
  }

 private:
  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> context_;
};

// One server for the conformance suite, started on first use (each test runs in a process of
// its own under ctest) and flushed before every test.
RedisServer& shared_server() {
  static RedisServer server;
  return server;
}

dapr::ComponentSpec spec_for(const RedisServer& server,
                             const std::map<std::string, std::string>& extra = {}) {
  dapr::ComponentSpec spec;
  spec.name = "statestore";
  spec.type = "state.redis";
  spec.metadata["redisHost"] = server.address();
  for (const auto& [name, value] : extra) spec.metadata[name] = value;
  return spec;
}

std::unique_ptr<dapr::StateStore> open_store(const dapr::ComponentSpec& spec) {
  auto store = components::make_redis_store(spec);
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

std::unique_ptr<dapr::StateStore> fresh_shared_store() {
  RedisServer& server = shared_server();
  EXPECT_TRUE(server.running()) << server.failure();
  RawClient(server).command({"FLUSHALL"});
  return open_store(spec_for(server));
}

INSTANTIATE_TEST_SUITE_P(Redis, StateConformance,
                         ::testing::Values(StoreFactory{"redis", fresh_shared_store}));

dapr::SetRequest set_request(std::string key, std::string value,
                             std::optional<std::string> etag = {}) {
  dapr::SetRequest r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.etag = std::move(etag);
  return r;
}

dapr::TransactionOperation upsert_op(std::string key, std::string value) {
  dapr::TransactionOperation op;
  op.upsert = set_request(std::move(key), std::move(value));
  return op;
}

dapr::TransactionOperation delete_op(std::string key) {
  dapr::TransactionOperation op;
  op.kind = dapr::TransactionOperation::Kind::Delete;
  op.del.key = std::move(key);
  return op;
}

bool mentions(const Error& error, const std::string& word) {
  return error.message.find(word) != std::string::npos;
}

class RedisStore : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.running()) << server_.failure();
    store_ = open_store(spec_for(server_));
    ASSERT_NE(store_, nullptr);
  }

  RedisServer server_;
  std::unique_ptr<dapr::StateStore> store_;
};

TEST_F(RedisStore, KeepsDaprsHashLayout) {
  ASSERT_TRUE(store_->set(set_request("app||weapon", R"("Death Star")")));
  auto got = store_->get(get_request("app||weapon"));
  ASSERT_TRUE(got && got->found);
  RawClient raw(server_);
  EXPECT_EQ(raw.command({"TYPE", "app||weapon"}).text, "hash");
  auto fields = raw.hash("app||weapon");
  EXPECT_EQ(fields, (std::map<std::string, std::string>{{"data", R"("Death Star")"},
                                                        {"version", got->etag}}));
  EXPECT_EQ(raw.command({"TTL", "app||weapon"}).integer, -1);
}

TEST_F(RedisStore, ReadsAndAdvancesValuesKeptByDaprd) {
  RawClient raw(server_);
  raw.command({"HSET", "app||planet", "data", R"({"name":"Tatooine"})", "version", "7"});
  auto got = store_->get(get_request("app||planet"));
  ASSERT_TRUE(got && got->found);
  EXPECT_EQ(got->value, R"({"name":"Tatooine"})");
  EXPECT_EQ(got->etag, "7");
  ASSERT_TRUE(store_->set(set_request("app||planet", R"({"name":"Hoth"})", "7")));
  EXPECT_EQ(raw.hash("app||planet")["version"], "8");
  auto stale = store_->set(set_request("app||planet", "{}", "7"));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Error::Code::EtagMismatch);
}

TEST_F(RedisStore, TtlIsAnExpiryOnTheKey) {
  dapr::SetRequest with_ttl = set_request("app||k", "v");
  with_ttl.metadata["ttlInSeconds"] = "100";
  ASSERT_TRUE(store_->set(with_ttl));
  RawClient raw(server_);
  long long ttl = raw.command({"TTL", "app||k"}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 100);
  auto got = store_->get(get_request("app||k"));
  ASSERT_TRUE(got && got->found);
  EXPECT_TRUE(got->metadata.contains("ttlExpireTime"));

  dapr::SetRequest forever = set_request("app||k", "w");
  forever.metadata["ttlInSeconds"] = "-1";
  ASSERT_TRUE(store_->set(forever));
  EXPECT_EQ(raw.command({"TTL", "app||k"}).integer, -1);
  EXPECT_FALSE(store_->get(get_request("app||k"))->metadata.contains("ttlExpireTime"));
}

TEST_F(RedisStore, ComponentTtlIsTheDefaultForEveryWrite) {
  auto store = open_store(spec_for(server_, {{"ttlInSeconds", "100"}}));
  ASSERT_NE(store, nullptr);
  RawClient raw(server_);
  ASSERT_TRUE(store->set(set_request("app||plain", "v")));
  EXPECT_GT(raw.command({"TTL", "app||plain"}).integer, 0);
  ASSERT_TRUE(store->transact({upsert_op("app||in-tx", "v")}, {}));
  EXPECT_GT(raw.command({"TTL", "app||in-tx"}).integer, 0);
  dapr::SetRequest forever = set_request("app||forever", "v");
  forever.metadata["ttlInSeconds"] = "-1";
  ASSERT_TRUE(store->set(forever));
  EXPECT_EQ(raw.command({"TTL", "app||forever"}).integer, -1);
}

TEST_F(RedisStore, EtagsOfADeletedKeyDoNotMatchItsSuccessor) {
  ASSERT_TRUE(store_->set(set_request("app||k", "1")));
  std::string etag = store_->get(get_request("app||k"))->etag;
  ASSERT_TRUE(store_->del(delete_request("app||k")));
  ASSERT_TRUE(store_->set(set_request("app||k", "2")));
  auto stale = store_->set(set_request("app||k", "3", etag));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Error::Code::EtagMismatch);
}

TEST_F(RedisStore, PlainStringValuesAreReadAndReplacedOtherTypesAreErrors) {
  RawClient raw(server_);
  raw.command({"SET", "app||old", "legacy"});
  raw.command({"RPUSH", "app||list", "x"});
  auto old = store_->get(get_request("app||old"));
  ASSERT_TRUE(old && old->found);
  EXPECT_EQ(old->value, "legacy");
  ASSERT_TRUE(store_->set(set_request("app||old", "new")));
  EXPECT_EQ(raw.hash("app||old")["data"], "new");

  auto list = store_->get(get_request("app||list"));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Error::Code::Internal);
  auto bulk = store_->bulk_get({get_request("app||old"), get_request("app||list")});
  ASSERT_TRUE(bulk);
  ASSERT_EQ(bulk->size(), 2u);
  EXPECT_EQ((*bulk)[0].response.value, "new");
  EXPECT_FALSE((*bulk)[0].error);
  EXPECT_TRUE((*bulk)[1].error);
}

TEST_F(RedisStore, BulkGetSpansManyScriptCalls) {
  std::vector<dapr::GetRequest> requests;
  for (int i = 0; i < 600; ++i) {
    std::string key = "app||k" + std::to_string(i);
    if (i % 3 == 0) {
      ASSERT_TRUE(store_->set(set_request(key, std::to_string(i))));
    }
    requests.push_back(get_request(key));
  }
  auto got = store_->bulk_get(requests);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 600u);
  for (int i = 0; i < 600; ++i) {
    const auto& item = (*got)[static_cast<size_t>(i)];
    EXPECT_EQ(item.key, "app||k" + std::to_string(i));
    EXPECT_EQ(item.response.found, i % 3 == 0);
    EXPECT_EQ(item.response.value, i % 3 == 0 ? std::to_string(i) : "");
  }
}

TEST_F(RedisStore, TransactionSeesItsOwnEarlierOperations) {
  dapr::TransactionOperation create_again = upsert_op("app||a", "second");
  create_again.upsert.options.concurrency = dapr::Concurrency::FirstWrite;
  auto refused = store_->transact({upsert_op("app||a", "first"), create_again}, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Error::Code::EtagMismatch);
  EXPECT_FALSE(store_->get(get_request("app||a"))->found);

  ASSERT_TRUE(store_->transact({upsert_op("app||a", "first"), delete_op("app||a")}, {}));
  EXPECT_FALSE(store_->get(get_request("app||a"))->found);

  ASSERT_TRUE(store_->set(set_request("app||b", "old")));
  ASSERT_TRUE(store_->transact({delete_op("app||b"), create_again}, {}));
  EXPECT_EQ(store_->get(get_request("app||a"))->value, "second");
  EXPECT_FALSE(store_->get(get_request("app||b"))->found);

  // A transaction cannot guess the version its own earlier write will produce.
  std::string etag = store_->get(get_request("app||a"))->etag;
  dapr::TransactionOperation guessed = upsert_op("app||a", "guess");
  guessed.upsert.etag = std::to_string(std::stoull(etag) + 1);
  auto guess = store_->transact({upsert_op("app||a", "third"), guessed}, {});
  ASSERT_FALSE(guess);
  EXPECT_EQ(guess.error().code, Error::Code::EtagMismatch);
  EXPECT_EQ(store_->get(get_request("app||a"))->value, "second");
}

TEST_F(RedisStore, ScriptsAreSentAgainWhenTheServerForgetsThem) {
  ASSERT_TRUE(store_->set(set_request("app||k", "1")));
  RawClient(server_).command({"SCRIPT", "FLUSH"});
  ASSERT_TRUE(store_->set(set_request("app||k", "2")));
  EXPECT_EQ(store_->get(get_request("app||k"))->value, "2");
  RawClient(server_).command({"SCRIPT", "FLUSH"});
  ASSERT_TRUE(store_->transact({upsert_op("app||t", "x"), delete_op("app||k")}, {}));
  RawClient(server_).command({"SCRIPT", "FLUSH"});
  ASSERT_TRUE(store_->del(delete_request("app||t")));
  EXPECT_FALSE(store_->get(get_request("app||t"))->found);
}

TEST_F(RedisStore, OnePooledConnectionServesManyThreads) {
  auto store = open_store(spec_for(server_, {{"poolSize", "1"}}));
  ASSERT_NE(store, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!store->set(set_request("app||t" + std::to_string(t), std::to_string(i)))) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(store->get(get_request("app||t" + std::to_string(t)))->value, "24");
  }
}

TEST_F(RedisStore, SelectsTheConfiguredDatabase) {
  auto store = open_store(spec_for(server_, {{"redisDB", "3"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||k", "v")));
  EXPECT_FALSE(store_->get(get_request("app||k"))->found);  // database 0
  RawClient raw(server_);
  EXPECT_EQ(raw.command({"EXISTS", "app||k"}).integer, 0);
  raw.command({"SELECT", "3"});
  EXPECT_EQ(raw.hash("app||k")["data"], "v");

  auto missing = components::make_redis_store(spec_for(server_, {{"redisDB", "99"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Error::Code::InvalidArgument);
  EXPECT_TRUE(mentions(missing.error(), "redisDB")) << missing.error().message;
}

TEST(RedisStoreAuth, NeedsTheServersPassword) {
  RedisServer server({"--requirepass", "s3cret"});
  ASSERT_TRUE(server.running()) << server.failure();

  auto without = components::make_redis_store(spec_for(server));
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().code, Error::Code::InvalidArgument);
  EXPECT_TRUE(mentions(without.error(), "redisPassword")) << without.error().message;

  auto wrong = components::make_redis_store(spec_for(server, {{"redisPassword", "guess"}}));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Error::Code::InvalidArgument);
  EXPECT_TRUE(mentions(wrong.error(), "redisPassword")) << wrong.error().message;

  auto store = open_store(spec_for(server, {{"redisPassword", "s3cret"}, {"redisDB", "2"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||k", "v")));
  EXPECT_EQ(store->get(get_request("app||k"))->value, "v");

  auto as_user =
      open_store(spec_for(server, {{"redisUsername", "default"}, {"redisPassword", "s3cret"}}));
  ASSERT_NE(as_user, nullptr);
  EXPECT_TRUE(as_user->set(set_request("app||k", "w")));
}

TEST(RedisStoreSettings, BadMetadataIsInvalidArgumentNamingTheField) {
  struct Case {
    std::string field, value;
  };
  const Case cases[] = {
      {"redisHost", ""},
      {"redisHost", "localhost"},
      {"redisHost", "localhost:http"},
      {"redisHost", "a:1,b:2"},
      {"redisHost", "localhost:0"},
      {"redisDB", "-1"},
      {"redisDB", "one"},
      {"poolSize", "0"},
      {"dialTimeout", "5 seconds"},
      {"readTimeout", "fast"},
      {"writeTimeout", "10"},
      {"readTimeout", "1x"},
      {"ttlInSeconds", "soon"},
      {"ttlInSeconds", "-5"},
      {"enableTLS", "true"},
      {"redisType", "cluster"},
      {"failover", "true"},
  };
  for (const auto& c : cases) {
    dapr::ComponentSpec spec;
    spec.type = "state.redis";
    spec.metadata["redisHost"] = "127.0.0.1:1";  // never reached: settings are read first
    spec.metadata[c.field] = c.value;
    auto store = components::make_redis_store(spec);
    ASSERT_FALSE(store) << c.field << "=" << c.value;
    EXPECT_EQ(store.error().code, Error::Code::InvalidArgument) << c.field << "=" << c.value;
    EXPECT_TRUE(mentions(store.error(), c.field)) << store.error().message;
  }
}

TEST(RedisStoreSettings, AcceptsGoDurationsAndDaprsSpellings) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  const std::map<std::string, std::string> accepted[] = {
      {{"dialTimeout", "1h30m"}, {"readTimeout", "1.5s"}, {"writeTimeout", "500ms"}},
      {{"dialTimeout", "0"}, {"readTimeout", "-1"}, {"writeTimeout", "250000us"}},
      {{"enableTLS", "false"}, {"redisType", "node"}, {"failover", "False"}, {"poolSize", "3"}},
      {{"redisHost", "[::1]:" + std::to_string(server.port())}, {"enableTLS", ""}},
  };
  for (const auto& extra : accepted) {
    auto spec = spec_for(server, extra);
    if (spec.metadata["redisHost"].starts_with("[::1]")) {
      // The test server listens on IPv4 only: the address must parse, then fail to connect.
      auto store = components::make_redis_store(spec);
      ASSERT_FALSE(store);
      EXPECT_EQ(store.error().code, Error::Code::Unavailable) << store.error().message;
      continue;
    }
    auto store = open_store(spec);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->set(set_request("app||k", "v")));
  }
}

TEST(RedisStoreSettings, IsRegisteredAsStateRedis) {
  EXPECT_TRUE(components::builtin_registry().knows("state.redis"));
}

TEST(RedisStoreOutage, AnUnreachableServerFailsCreationNamingRedisHost) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  server.kill();  // its port is now closed
  auto store = components::make_redis_store(spec_for(server));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Error::Code::Unavailable);
  EXPECT_TRUE(mentions(store.error(), "redisHost")) << store.error().message;
  EXPECT_TRUE(mentions(store.error(), server.address())) << store.error().message;
}

TEST(RedisStoreOutage, AKilledServerIsUnavailableAndTheStoreRecoversWhenItIsBack) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  auto store = open_store(spec_for(server, {{"poolSize", "4"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||k", "v")));
  // Put several connections in the pool, all of which the kill will break.
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(store->get(get_request("app||k")));
    });
  }
  for (auto& reader : readers) reader.join();

  server.kill();
  auto expect_unavailable = [](const Error& error) {
    EXPECT_EQ(error.code, Error::Code::Unavailable) << error.message;
    EXPECT_TRUE(mentions(error, "redisHost")) << error.message;
  };
  for (int i = 0; i < 6; ++i) {
    auto got = store->get(get_request("app||k"));
    ASSERT_FALSE(got);
    expect_unavailable(got.error());
  }
  auto set = store->set(set_request("app||k", "w"));
  ASSERT_FALSE(set);
  expect_unavailable(set.error());
  auto del = store->del(delete_request("app||k"));
  ASSERT_FALSE(del);
  expect_unavailable(del.error());
  auto bulk = store->bulk_get({get_request("app||k")});
  ASSERT_FALSE(bulk);
  expect_unavailable(bulk.error());
  auto tx = store->transact({upsert_op("app||k", "x")}, {});
  ASSERT_FALSE(tx);
  expect_unavailable(tx.error());

  ASSERT_TRUE(server.restart()) << server.failure();
  EXPECT_FALSE(store->get(get_request("app||k"))->found);  // the new server starts empty
  ASSERT_TRUE(store->set(set_request("app||k", "back")));
  EXPECT_EQ(store->get(get_request("app||k"))->value, "back");
}

TEST(RedisStoreOutage, ALargeWriteToAServerThatDiedIsAnErrorNotASignal) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  auto store = open_store(spec_for(server, {{"poolSize", "1"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||k", "v")));
  server.kill();
  // Larger than a socket buffer: writing it meets the closed connection (EPIPE, SIGPIPE).
  auto set = store->set(set_request("app||k", std::string(16 << 20, 'x')));
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, Error::Code::Unavailable) << set.error().message;
}

TEST(RedisStoreOutage, ARestartBetweenCallsGoesUnnoticed) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  auto store = open_store(spec_for(server, {{"poolSize", "2"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||k", "v")));
  ASSERT_TRUE(server.restart()) << server.failure();
  // The pooled connection was closed by the old server: the command is sent again on a new one.
  auto set = store->set(set_request("app||k", "w"));
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(store->get(get_request("app||k"))->value, "w");
}

TEST(RedisStoreOutage, WritersKeepGoingThroughACrashAndARestart) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  auto store = open_store(spec_for(server, {{"poolSize", "3"}}));
  ASSERT_NE(store, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> successes{0}, unavailable{0}, other_errors{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        auto done = store->set(set_request("app||w" + std::to_string(t), std::to_string(i)));
        if (done) {
          ++successes;
        } else if (done.error().code == Error::Code::Unavailable) {
          ++unavailable;
        } else {
          ++other_errors;
        }
      }
    });
  }
  // Waits for a counter to pass a mark (bounded, so a broken store fails instead of hanging).
  auto wait_for = [](const std::atomic<int>& counter, int mark) {
    for (int i = 0; i < 20000 && counter.load() < mark; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return counter.load() >= mark;
  };
  EXPECT_TRUE(wait_for(successes, 50));
  server.kill();
  EXPECT_TRUE(wait_for(unavailable, 50));
  ASSERT_TRUE(server.restart()) << server.failure();
  int before = successes.load();
  EXPECT_TRUE(wait_for(successes, before + 50));
  stop = true;
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(other_errors.load(), 0);
}

TEST(RedisStoreOutage, AReadTimeoutIsUnavailableAndTheConnectionIsReplaced) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.failure();
  auto store = open_store(spec_for(server, {{"poolSize", "1"}, {"readTimeout", "200ms"}}));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set(set_request("app||a", "A")));
  ASSERT_TRUE(store->set(set_request("app||b", "B")));

  ::kill(server.pid(), SIGSTOP);
  auto stalled = store->get(get_request("app||a"));
  ::kill(server.pid(), SIGCONT);
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().code, Error::Code::Unavailable);

  // The stalled reply must not be taken for the next request's: the connection is a new one.
  auto b = store->get(get_request("app||b"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->value, "B");
  EXPECT_EQ(store->get(get_request("app||a"))->value, "A");
}

}  // namespace
}  // namespace wasmdapr::testing
