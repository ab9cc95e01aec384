// The shared state-store behaviour (see state_conformance.h). Semantics, for every store:
// - values come back byte for byte; etags are decimal strings that change on every write;
// - a write or delete with an etag succeeds only if the key is missing or the etag matches
//   (Dapr's Redis semantics, which the SDKs rely on); a non-numeric etag is InvalidArgument;
// - first-write with no etag succeeds only if the key does not exist yet;
// - ttlInSeconds makes a key disappear; -1 means never; anything else non-numeric is invalid;
// - transactions apply all of their operations or none.
#include "state_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace wasmdapr::testing {
namespace {

using dapr::Concurrency;
using dapr::DeleteRequest;
using dapr::Error;
using dapr::GetRequest;
using dapr::SetRequest;
using dapr::TransactionOperation;

SetRequest set_req(std::string key, std::string value, std::optional<std::string> etag = {}) {
  SetRequest r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.etag = std::move(etag);
  return r;
}

bool has_feature(const dapr::StateStore& store, const char* feature) {
  auto f = store.features();
  return std::find(f.begin(), f.end(), feature) != f.end();
}

TEST_P(StateConformance, MissingKeyIsNotFound) {
  auto got = store_->get(get_request("app||nothing"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(got->found);
}

TEST_P(StateConformance, ValuesComeBackByteForByte) {
  const std::string values[] = {R"({"name":"Tatooine",  "test":123})", R"("Death Star")", "12.50",
                                std::string("bin\0ary\xff", 8), ""};
  int i = 0;
  for (const auto& v : values) {
    std::string key = "app||k" + std::to_string(i++);
    ASSERT_TRUE(store_->set(set_req(key, v)));
    auto got = store_->get(get_request(key));
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->found);
    EXPECT_EQ(got->value, v);
    EXPECT_FALSE(got->etag.empty());
  }
}

TEST_P(StateConformance, EtagChangesOnEveryWrite) {
  ASSERT_TRUE(store_->set(set_req("app||k", "1")));
  auto first = store_->get(get_request("app||k"));
  ASSERT_TRUE(store_->set(set_req("app||k", "1")));
  auto second = store_->get(get_request("app||k"));
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->etag, second->etag);
  EXPECT_TRUE(std::all_of(second->etag.begin(), second->etag.end(), ::isdigit));
}

TEST_P(StateConformance, WriteWithMatchingEtagSucceedsAndStaleEtagConflicts) {
  ASSERT_TRUE(store_->set(set_req("app||k", "1")));
  auto etag = store_->get(get_request("app||k"))->etag;
  ASSERT_TRUE(store_->set(set_req("app||k", "2", etag)));
  auto stale = store_->set(set_req("app||k", "3", etag));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Error::Code::EtagMismatch);
  EXPECT_EQ(store_->get(get_request("app||k"))->value, "2");
}

TEST_P(StateConformance, EtagOnMissingKeyCreatesIt) {
  SetRequest r = set_req("app||fresh", "v", "1234");
  r.options.concurrency = Concurrency::FirstWrite;
  ASSERT_TRUE(store_->set(r));
  EXPECT_EQ(store_->get(get_request("app||fresh"))->value, "v");
}

TEST_P(StateConformance, MalformedEtagIsInvalidArgument) {
  ASSERT_TRUE(store_->set(set_req("app||k", "1")));
  auto bad = store_->set(set_req("app||k", "2", "not-a-number"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Error::Code::InvalidArgument);
}

TEST_P(StateConformance, FirstWriteWithoutEtagOnlyCreates) {
  SetRequest r = set_req("app||k", "first");
  r.options.concurrency = Concurrency::FirstWrite;
  ASSERT_TRUE(store_->set(r));
  r.value = "second";
  auto again = store_->set(r);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Error::Code::EtagMismatch);
  EXPECT_EQ(store_->get(get_request("app||k"))->value, "first");
  // Last-write without an etag always wins.
  ASSERT_TRUE(store_->set(set_req("app||k", "third")));
  EXPECT_EQ(store_->get(get_request("app||k"))->value, "third");
}

TEST_P(StateConformance, DeleteHonoursEtag) {
  ASSERT_TRUE(store_->set(set_req("app||k", "1")));
  auto etag = store_->get(get_request("app||k"))->etag;
  ASSERT_TRUE(store_->set(set_req("app||k", "2")));
  auto stale = store_->del(delete_request("app||k", etag));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Error::Code::EtagMismatch);
  auto current = store_->get(get_request("app||k"))->etag;
  ASSERT_TRUE(store_->del(delete_request("app||k", current)));
  EXPECT_FALSE(store_->get(get_request("app||k"))->found);
}

TEST_P(StateConformance, DeletingAMissingKeySucceeds) {
  EXPECT_TRUE(store_->del(delete_request("app||never")));
  EXPECT_TRUE(store_->del(delete_request("app||never", "7")));
}

TEST_P(StateConformance, BulkGetReportsEveryKeyInOrder) {
  ASSERT_TRUE(store_->set(set_req("app||a", "\"A\"")));
  ASSERT_TRUE(store_->set(set_req("app||c", "\"C\"")));
  auto got =
      store_->bulk_get({get_request("app||a"), get_request("app||b"), get_request("app||c")});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].key, "app||a");
  EXPECT_EQ((*got)[0].response.value, "\"A\"");
  EXPECT_FALSE((*got)[1].response.found);
  EXPECT_EQ((*got)[2].response.value, "\"C\"");
}

TEST_P(StateConformance, TtlExpiresKeys) {
  if (!has_feature(*store_, dapr::kFeatureTtl)) GTEST_SKIP() << "no TTL";
  SetRequest r = set_req("app||short", "x");
  r.metadata["ttlInSeconds"] = "1";
  ASSERT_TRUE(store_->set(r));
  SetRequest forever = set_req("app||forever", "y");
  forever.metadata["ttlInSeconds"] = "-1";
  ASSERT_TRUE(store_->set(forever));
  auto before = store_->get(get_request("app||short"));
  ASSERT_TRUE(before && before->found);
  EXPECT_TRUE(before->metadata.contains("ttlExpireTime"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_FALSE(store_->get(get_request("app||short"))->found);
  EXPECT_TRUE(store_->get(get_request("app||forever"))->found);
}

TEST_P(StateConformance, RewritingWithoutTtlKeepsTheKey) {
  if (!has_feature(*store_, dapr::kFeatureTtl)) GTEST_SKIP() << "no TTL";
  SetRequest r = set_req("app||k", "x");
  r.metadata["ttlInSeconds"] = "1";
  ASSERT_TRUE(store_->set(r));
  ASSERT_TRUE(store_->set(set_req("app||k", "y")));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto got = store_->get(get_request("app||k"));
  ASSERT_TRUE(got->found);
  EXPECT_EQ(got->value, "y");
}

TEST_P(StateConformance, MalformedTtlIsInvalidArgument) {
  if (!has_feature(*store_, dapr::kFeatureTtl)) GTEST_SKIP() << "no TTL";
  SetRequest r = set_req("app||k", "x");
  r.metadata["ttlInSeconds"] = "soon";
  auto bad = store_->set(r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Error::Code::InvalidArgument);
}

TransactionOperation upsert(std::string key, std::string value,
                            std::optional<std::string> etag = {}) {
  TransactionOperation op;
  op.kind = TransactionOperation::Kind::Upsert;
  op.upsert = set_req(std::move(key), std::move(value), std::move(etag));
  return op;
}

TransactionOperation remove(std::string key, std::optional<std::string> etag = {}) {
  TransactionOperation op;
  op.kind = TransactionOperation::Kind::Delete;
  op.del.key = std::move(key);
  op.del.etag = std::move(etag);
  return op;
}

TEST_P(StateConformance, TransactionAppliesUpsertsAndDeletes) {
  if (!has_feature(*store_, dapr::kFeatureTransactional)) GTEST_SKIP() << "not transactional";
  ASSERT_TRUE(store_->set(set_req("app||gone", "1")));
  auto done = store_->transact(
      {upsert("app||a", "\"A\""), upsert("app||b", "\"B\""), remove("app||gone")}, {});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(store_->get(get_request("app||a"))->value, "\"A\"");
  EXPECT_EQ(store_->get(get_request("app||b"))->value, "\"B\"");
  EXPECT_FALSE(store_->get(get_request("app||gone"))->found);
}

TEST_P(StateConformance, TransactionWithAStaleEtagChangesNothing) {
  if (!has_feature(*store_, dapr::kFeatureTransactional)) GTEST_SKIP() << "not transactional";
  ASSERT_TRUE(store_->set(set_req("app||guarded", "old")));
  auto etag = store_->get(get_request("app||guarded"))->etag;
  ASSERT_TRUE(store_->set(set_req("app||guarded", "newer")));
  ASSERT_TRUE(store_->set(set_req("app||kept", "k")));
  auto failed = store_->transact(
      {upsert("app||a", "\"A\""), remove("app||kept"), upsert("app||guarded", "mine", etag)}, {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Error::Code::EtagMismatch);
  EXPECT_FALSE(store_->get(get_request("app||a"))->found);
  EXPECT_TRUE(store_->get(get_request("app||kept"))->found);
  EXPECT_EQ(store_->get(get_request("app||guarded"))->value, "newer");
}

TEST_P(StateConformance, ConcurrentWritersAllLand) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "app||t" + std::to_string(t) + "-" + std::to_string(i);
        if (!store_->set(set_req(key, std::to_string(i)))) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    auto got = store_->get(get_request("app||t" + std::to_string(t) + "-49"));
    ASSERT_TRUE(got && got->found);
    EXPECT_EQ(got->value, "49");
  }
}

TEST_P(StateConformance, CompareAndSwapLetsExactlyOneWriterWin) {
  ASSERT_TRUE(store_->set(set_req("app||counter", "0")));
  auto etag = store_->get(get_request("app||counter"))->etag;
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      if (store_->set(set_req("app||counter", std::to_string(t + 1), etag))) ++wins;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
}

}  // namespace
}  // namespace wasmdapr::testing
