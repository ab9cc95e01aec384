// The shared state-store behaviour (see state_conformance.h). Semantics, for every store:
// - values come back byte for byte; etags are decimal strings that change on every write;
// - a write or delete with an etag succeeds only if the key is missing or the etag matches
//   (Dapr's Redis semantics, which the SDKs rely on); a non-numeric etag is InvalidArgument;
// - first-write with no etag succeeds only if the key does not exist yet;
// - ttlInSeconds makes a key disappear; -1 means never; anything else non-numeric is invalid;
// - transactions apply all of their operations or none;
// - stores advertising QUERY_API answer alpha1 queries (dapr/state_query.h) over the live keys
//   with the caller's prefix, returning full keys, stored bytes and current etags; the others
//   say NotSupported.
#include "state_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
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

// ---- the alpha1 query API, for stores that advertise QUERY_API ----

Result<dapr::QueryResponse, Error> run_query(dapr::StateStore& store, std::string key_prefix,
                                             std::string query_json) {
  dapr::QueryRequest request;
  request.key_prefix = std::move(key_prefix);
  request.query_json = std::move(query_json);
  return store.query(request);
}

std::vector<std::string> result_keys(const dapr::QueryResponse& response) {
  std::vector<std::string> keys;
  for (const auto& item : response.results) keys.push_back(item.key);
  return keys;
}

using Keys = std::vector<std::string>;

// Five employees under "app||", written out of key order.
void write_employees(dapr::StateStore& store) {
  const std::pair<const char*, const char*> rows[] = {
      {"app||e3", R"({"person":{"org":"Dev Ops","id":1036},"state":"CA"})"},
      {"app||e1", R"({"person":{"org":"Dev Ops","id":1001},"state":"WA"})"},
      {"app||e5", R"({"person":{"org":"Finance","id":1071},"state":"CA"})"},
      {"app||e2", R"({"person":{"org":"Hardware","id":1002},"state":"OR"})"},
      {"app||e4", R"({"person":{"org":"Dev Ops","id":1042},"state":"WA"})"},
  };
  for (const auto& [key, value] : rows) ASSERT_TRUE(store.set(set_req(key, value)));
}

// The keys an "app||" query returns, in order.
Keys keys_for(dapr::StateStore& store, const std::string& query_json) {
  auto response = run_query(store, "app||", query_json);
  EXPECT_TRUE(response) << query_json << ": " << (response ? "" : response.error().message);
  return response ? result_keys(*response) : Keys{};
}

TEST_P(StateConformance, StoresWithoutQueryApiSayNotSupported) {
  if (has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "has QUERY_API";
  auto response = run_query(*store_, "app||", "{}");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, Error::Code::NotSupported);
}

TEST_P(StateConformance, QueryEqReturnsTheStoredBytesAndCurrentEtags) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  write_employees(*store_);
  auto response = run_query(*store_, "app||", R"({"filter":{"EQ":{"person.org":"Finance"}}})");
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(response->results.size(), 1u);
  const auto& item = response->results[0];
  auto got = store_->get(get_request("app||e5"));
  ASSERT_TRUE(got && got->found);
  EXPECT_EQ(item.key, "app||e5");
  EXPECT_EQ(item.data, got->value);
  EXPECT_EQ(item.etag, got->etag);
  EXPECT_FALSE(response->token);
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"EQ":{"state":"WA"}}})"), (Keys{"app||e1", "app||e4"}));
}

TEST_P(StateConformance, QueryInAndOrCombine) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  write_employees(*store_);
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"IN":{"state":["CA","OR"]}}})"),
            (Keys{"app||e2", "app||e3", "app||e5"}));
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"AND":[{"EQ":{"person.org":"Dev Ops"}},
                                           {"IN":{"state":["CA","OR"]}}]}})"),
            Keys{"app||e3"});
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"OR":[{"EQ":{"state":"OR"}},
                                          {"AND":[{"EQ":{"state":"WA"}},
                                                  {"GT":{"person.id":1010}}]}]}})"),
            (Keys{"app||e2", "app||e4"}));
}

TEST_P(StateConformance, QuerySortsByValueInEitherDirection) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  write_employees(*store_);
  EXPECT_EQ(keys_for(*store_, R"({"sort":[{"key":"person.id","order":"DESC"}]})"),
            (Keys{"app||e5", "app||e4", "app||e3", "app||e2", "app||e1"}));
  EXPECT_EQ(keys_for(*store_, R"({"sort":[{"key":"state"},{"key":"person.id","order":"DESC"}]})"),
            (Keys{"app||e5", "app||e3", "app||e2", "app||e4", "app||e1"}));
}

TEST_P(StateConformance, QueryPagesVisitEveryMatchOnce) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  for (int i = 0; i < 7; ++i) {
    std::string value = R"({"n":)" + std::to_string(10 - i) + "}";
    ASSERT_TRUE(store_->set(set_req("app||p" + std::to_string(i), value)));
  }
  Keys seen;
  std::optional<std::string> token;
  int pages = 0;
  do {
    std::string page = R"({"limit":3)";
    if (token) page += R"(,"token":")" + *token + "\"";
    auto response = run_query(*store_, "app||", R"({"sort":[{"key":"n"}],"page":)" + page + "}}");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_LE(response->results.size(), 3u);
    for (auto& key : result_keys(*response)) seen.push_back(key);
    token = response->token;
    ASSERT_LT(++pages, 10) << "paging does not end";
  } while (token);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen,
            (Keys{"app||p6", "app||p5", "app||p4", "app||p3", "app||p2", "app||p1", "app||p0"}));
}

TEST_P(StateConformance, QuerySeesOnlyTheCallersPrefix) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  ASSERT_TRUE(store_->set(set_req("app||mine", R"({"v":1})")));
  ASSERT_TRUE(store_->set(set_req("app2||theirs", R"({"v":1})")));
  ASSERT_TRUE(store_->set(set_req("ap||short", R"({"v":1})")));
  ASSERT_TRUE(store_->set(set_req("other||x", R"({"v":1})")));
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"EQ":{"v":1}}})"), Keys{"app||mine"});
  auto theirs = run_query(*store_, "app2||", "{}");
  ASSERT_TRUE(theirs);
  EXPECT_EQ(result_keys(*theirs), Keys{"app2||theirs"});
  auto nobody = run_query(*store_, "nobody||", "{}");
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->results.empty());
}

TEST_P(StateConformance, QuerySeesTheLatestWritesAndDeletes) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  write_employees(*store_);
  ASSERT_TRUE(store_->del(delete_request("app||e1")));
  ASSERT_TRUE(store_->set(set_req("app||e2", R"({"person":{"org":"Dev Ops"},"state":"WA"})")));
  ASSERT_TRUE(store_->set(set_req("app||e6", R"("not an object")")));
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"EQ":{"state":"WA"}}})"), (Keys{"app||e2", "app||e4"}));
  EXPECT_EQ(keys_for(*store_, "{}").size(), 5u);
}

TEST_P(StateConformance, QuerySkipsExpiredKeys) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  if (!has_feature(*store_, dapr::kFeatureTtl)) GTEST_SKIP() << "no TTL";
  SetRequest brief = set_req("app||brief", R"({"v":1})");
  brief.metadata["ttlInSeconds"] = "1";
  ASSERT_TRUE(store_->set(brief));
  ASSERT_TRUE(store_->set(set_req("app||lasting", R"({"v":1})")));
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"EQ":{"v":1}}})"),
            (Keys{"app||brief", "app||lasting"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(keys_for(*store_, R"({"filter":{"EQ":{"v":1}}})"), Keys{"app||lasting"});
}

TEST_P(StateConformance, QueryMalformedIsInvalidArgument) {
  if (!has_feature(*store_, dapr::kFeatureQuery)) GTEST_SKIP() << "no QUERY_API";
  write_employees(*store_);
  for (const char* query : {"not json", R"({"filter":{"LIKE":{"state":"C%"}}})",
                            R"({"filter":{"AND":[{"EQ":{"state":"CA"}}]}})",
                            R"({"sort":[{"key":"state","order":"SIDEWAYS"}]})",
                            R"({"page":{"limit":-2}})", R"({"page":{"token":"not-ours"}})"}) {
    auto response = run_query(*store_, "app||", query);
    ASSERT_FALSE(response) << query;
    EXPECT_EQ(response.error().code, Error::Code::InvalidArgument) << query;
    EXPECT_FALSE(response.error().message.empty());
  }
}

}  // namespace
}  // namespace wasmdapr::testing
