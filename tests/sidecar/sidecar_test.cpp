// The Dapr HTTP API v1.0 as Sidecar::handle answers it, over real stores (state.in-memory and
// state.sqlite on ":memory:"), with no sockets in between: routes, status codes, error codes and
// bodies as the Dapr runtime gives them, key prefixes, metadata, health, shutdown and auth.
#include "sidecar/sidecar.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "components/registry.h"
#include "dapr/json_view.h"
#include "sidecar/api_test_support.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

using dapr::JsonView;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kAppId = "app1";
constexpr const char* kRuntimeVersion = "9.9.9-test";

// A request as the server hands it over: the target split at '?', the path still encoded.
http::Request request(std::string method, std::string_view target, std::string body = {},
                      Headers headers = {}) {
  http::Request r;
  r.method = std::move(method);
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

std::optional<std::string> header(const http::Response& response, std::string_view name) {
  for (const auto& [k, v] : response.headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return std::nullopt;
}

// A Dapr error answer: that status, a JSON body {"errorCode":code,"message":"<non-empty>"}.
// A store with only get/set/del: neither transactional nor queryable, advertising nothing.
class PlainStore final : public dapr::StateStore {
 public:
  std::vector<std::string> features() const override { return {}; }
  Result<dapr::GetResponse, dapr::Error> get(const dapr::GetRequest& request) override {
    std::lock_guard lock(mutex_);
    dapr::GetResponse response;
    if (auto it = values_.find(request.key); it != values_.end()) {
      response.found = true;
      response.value = it->second;
      response.etag = "1";
    }
    return response;
  }
  Result<void, dapr::Error> set(const dapr::SetRequest& request) override {
    std::lock_guard lock(mutex_);
    values_[request.key] = request.value;
    return {};
  }
  Result<void, dapr::Error> del(const dapr::DeleteRequest& request) override {
    std::lock_guard lock(mutex_);
    values_.erase(request.key);
    return {};
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> values_;
};

dapr::ComponentSpec spec(std::string name, std::string type, dapr::Metadata metadata = {}) {
  dapr::ComponentSpec s;
  s.name = std::move(name);
  s.type = std::move(type);
  s.metadata = std::move(metadata);
  return s;
}

class SidecarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto built = components::builtin_registry().build({
        spec("memstore", "state.in-memory"),
        spec("sqlstore", "state.sqlite", {{"connectionString", ":memory:"}}),
        spec("byname", "state.in-memory", {{"keyPrefix", "name"}}),
        spec("shared", "state.in-memory", {{"keyPrefix", "none"}}),
        spec("custom", "state.in-memory", {{"keyPrefix", "team"}}),
        spec("envsecrets", "secretstores.local.env"),
    });
    ASSERT_TRUE(built) << built.error();
    components_ = std::move(*built);
    components_.state.emplace("plainstore",
                              dapr::ComponentSet::StateEntry{spec("plainstore", "state.plain"),
                                                             std::make_shared<PlainStore>()});
    sidecar_ = make_sidecar(kAppId);
  }

  std::unique_ptr<Sidecar> make_sidecar(std::string app_id,
                                        std::optional<std::string> token = std::nullopt) {
    return std::make_unique<Sidecar>(components_,
                                     SidecarOptions{.app_id = std::move(app_id),
                                                    .api_token = std::move(token),
                                                    .runtime_version = kRuntimeVersion});
  }

  http::Response call(std::string method, std::string_view target, std::string body = {},
                      Headers headers = {}) {
    return sidecar_->handle(
        request(std::move(method), target, std::move(body), std::move(headers)));
  }

  // The value as the store itself holds it under its full key, or nullopt.
  std::optional<std::string> stored(const std::string& store, const std::string& full_key) {
    dapr::GetRequest get;
    get.key = full_key;
    auto got = components_.state_store(store)->get(get);
    if (!got || !got->found) return std::nullopt;
    return got->value;
  }

  dapr::ComponentSet components_;
  std::unique_ptr<Sidecar> sidecar_;
};

// ---- State, against every real store ------------------------------------------------------

class StateRoutes : public SidecarTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string store() const { return GetParam(); }
  std::string state_path(std::string_view rest = "") const {
    return "/v1.0/state/" + store() + std::string(rest);
  }

  http::Response save(std::string body, std::string_view query = "") {
    return call("POST", state_path(query), std::move(body));
  }
  http::Response get(std::string_view key, std::string_view query = "") {
    return call("GET", state_path("/" + std::string(key) + std::string(query)));
  }
  std::string etag_of(std::string_view key) {
    auto response = get(key);
    EXPECT_EQ(response.status, 200) << response.body;
    return header(response, "ETag").value_or("");
  }
  // Saves one key and answers its etag.
  std::string put(std::string_view key, std::string_view value_json) {
    auto response =
        save(R"([{"key":")" + std::string(key) + R"(","value":)" + std::string(value_json) + "}]");
    EXPECT_EQ(response.status, 204) << response.body;
    return etag_of(key);
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, StateRoutes, ::testing::Values("memstore", "sqlstore"));

TEST_P(StateRoutes, SaveKeepsTheValueByteForByte) {
  auto saved = save(R"([{"key":"k","value":{"b":1,  "a":[1.0]}}])");
  EXPECT_EQ(saved.status, 204);
  EXPECT_TRUE(saved.body.empty());

  auto got = get("k");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, R"({"b":1,  "a":[1.0]})");
  EXPECT_EQ(header(got, "Content-Type"), "application/json");
  ASSERT_TRUE(header(got, "ETag"));
  EXPECT_FALSE(header(got, "ETag")->empty());
}

TEST_P(StateRoutes, ScalarValuesComeBackAsTheirJson) {
  EXPECT_EQ(save(R"([{"key":"s","value":"hello"},{"key":"n","value":-1.5e3},)"
                 R"({"key":"t","value":true}])")
                .status,
            204);
  EXPECT_EQ(get("s").body, R"("hello")");
  EXPECT_EQ(get("n").body, "-1.5e3");
  EXPECT_EQ(get("t").body, "true");
}

TEST_P(StateRoutes, PutIsAcceptedLikePostAndAnEmptyArraySavesNothing) {
  EXPECT_EQ(call("PUT", state_path(), R"([{"key":"p","value":1}])").status, 204);
  EXPECT_EQ(get("p").body, "1");
  EXPECT_EQ(save("[]").status, 204);
}

TEST_P(StateRoutes, EtagChangesOnEveryWrite) {
  std::string first = put("k", "1");
  std::string second = put("k", "1");
  EXPECT_NE(first, second);
}

TEST_P(StateRoutes, SaveWithTheCurrentEtagSucceeds) {
  std::string etag = put("k", "1");
  EXPECT_EQ(save(R"([{"key":"k","value":2,"etag":")" + etag + R"("}])").status, 204);
  EXPECT_EQ(get("k").body, "2");
}

TEST_P(StateRoutes, SaveWithAStaleEtagIs409AndChangesNothing) {
  std::string stale = put("k", "1");
  put("k", "2");
  EXPECT_TRUE(IsApiError(save(R"([{"key":"k","value":3,"etag":")" + stale + R"("}])"), 409,
                         "ERR_STATE_SAVE"));
  EXPECT_EQ(get("k").body, "2");
}

TEST_P(StateRoutes, SaveWithAnInvalidEtagIs400) {
  put("k", "1");
  EXPECT_TRUE(
      IsApiError(save(R"([{"key":"k","value":3,"etag":"not-an-etag"}])"), 400, "ERR_STATE_SAVE"));
  EXPECT_EQ(get("k").body, "1");
}

TEST_P(StateRoutes, FirstWriteCreatesOnceThenConflicts) {
  const std::string first_write = R"("options":{"concurrency":"first-write"})";
  EXPECT_EQ(save(R"([{"key":"fw","value":1,)" + first_write + "}]").status, 204);
  EXPECT_TRUE(
      IsApiError(save(R"([{"key":"fw","value":2,)" + first_write + "}]"), 409, "ERR_STATE_SAVE"));
  EXPECT_EQ(get("fw").body, "1");
  // With the current etag, first-write may replace the value.
  std::string etag = etag_of("fw");
  EXPECT_EQ(save(R"([{"key":"fw","value":3,"etag":")" + etag + R"(",)" + first_write + "}]").status,
            204);
  EXPECT_EQ(get("fw").body, "3");
}

TEST_P(StateRoutes, FirstWriteWithAnEtagCreatesAMissingKey) {
  // The JS SDK's e2e tests rely on this (as Redis answers it in daprd).
  EXPECT_EQ(save(R"([{"key":"new","value":1,"etag":"1234",)"
                 R"("options":{"concurrency":"first-write","consistency":"strong"}}])")
                .status,
            204);
  EXPECT_EQ(get("new").body, "1");
}

TEST_P(StateRoutes, LastWriteAndConsistencyOptionsAreAccepted) {
  EXPECT_EQ(save(R"([{"key":"k","value":1,)"
                 R"("options":{"concurrency":"last-write","consistency":"eventual"}}])")
                .status,
            204);
  EXPECT_EQ(save(R"([{"key":"k","value":2,"options":{"concurrency":"last-write"}}])").status, 204);
  EXPECT_EQ(get("k").body, "2");
}

TEST_P(StateRoutes, AnUnknownConcurrencyIsMalformed) {
  EXPECT_TRUE(IsApiError(save(R"([{"key":"k","value":1,"options":{"concurrency":"some"}}])"), 400,
                         "ERR_MALFORMED_REQUEST"));
}

// RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" as a time point.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (text.size() != 20 || !end || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

TEST_P(StateRoutes, ItemTtlIsReportedAsTtlExpireTime) {
  EXPECT_EQ(save(R"([{"key":"t","value":1,"metadata":{"ttlInSeconds":"3600"}}])").status, 204);
  auto got = get("t");
  ASSERT_EQ(got.status, 200);
  auto expires = header(got, "metadata.ttlExpireTime");
  ASSERT_TRUE(expires);
  auto at = parse_rfc3339(*expires);
  ASSERT_TRUE(at) << *expires;
  EXPECT_GT(*at, std::chrono::system_clock::now() + std::chrono::minutes(30));

  put("forever", "1");
  EXPECT_FALSE(header(get("forever"), "metadata.ttlExpireTime"));
}

TEST_P(StateRoutes, RequestLevelTtlOverridesTheItems) {
  // Item says 1 s, the query string says an hour: the hour wins.
  EXPECT_EQ(save(R"([{"key":"a","value":1,"metadata":{"ttlInSeconds":"1"}}])",
                 "?metadata.ttlInSeconds=3600")
                .status,
            204);
  auto a = get("a");
  ASSERT_EQ(a.status, 200);
  auto at = parse_rfc3339(header(a, "metadata.ttlExpireTime").value_or(""));
  ASSERT_TRUE(at);
  EXPECT_GT(*at, std::chrono::system_clock::now() + std::chrono::minutes(30));

  // Item says an hour, the query string says never: no expiry at all.
  EXPECT_EQ(save(R"([{"key":"b","value":1,"metadata":{"ttlInSeconds":"3600"}}])",
                 "?metadata.ttlInSeconds=-1")
                .status,
            204);
  auto b = get("b");
  ASSERT_EQ(b.status, 200);
  EXPECT_FALSE(header(b, "metadata.ttlExpireTime"));

  // An item value the store would refuse never reaches it once overridden.
  EXPECT_EQ(save(R"([{"key":"c","value":1,"metadata":{"ttlInSeconds":"soon"}}])",
                 "?metadata.ttlInSeconds=60")
                .status,
            204);
}

TEST_P(StateRoutes, GetOfAMissingKeyIs204WithNoBody) {
  auto got = get("nope");
  EXPECT_EQ(got.status, 204);
  EXPECT_TRUE(got.body.empty());
  EXPECT_FALSE(header(got, "ETag"));
}

TEST_P(StateRoutes, GetTakesConsistencyAndMetadataParameters) {
  put("k", R"({"x":1})");
  EXPECT_EQ(get("k", "?consistency=strong").body, R"({"x":1})");
  EXPECT_EQ(get("k", "?consistency=eventual&metadata.contentType=application%2Fjson").body,
            R"({"x":1})");
}

TEST_P(StateRoutes, KeysArePercentDecoded) {
  EXPECT_EQ(save(R"([{"key":"a b/c","value":1}])").status, 204);
  EXPECT_EQ(get("a%20b%2Fc").body, "1");
}

TEST_P(StateRoutes, AKeyWithTheSeparatorIsMalformed) {
  EXPECT_TRUE(IsApiError(get("a||b"), 400, "ERR_MALFORMED_REQUEST"));
  EXPECT_TRUE(IsApiError(get("a%7C%7Cb"), 400, "ERR_MALFORMED_REQUEST"));
  EXPECT_TRUE(IsApiError(save(R"([{"key":"a||b","value":1}])"), 400, "ERR_MALFORMED_REQUEST"));
  EXPECT_TRUE(IsApiError(call("DELETE", state_path("/a||b")), 400, "ERR_MALFORMED_REQUEST"));
  EXPECT_TRUE(IsApiError(call("POST", state_path("/bulk"), R"({"keys":["ok","a||b"]})"), 400,
                         "ERR_MALFORMED_REQUEST"));
}

TEST_P(StateRoutes, MalformedSaveBodiesAre400) {
  for (std::string body :
       {R"([{"key":)", R"({"key":"k","value":1})", R"([{"value":1}])", R"([{"key":"","value":1}])",
        R"([{"key":7,"value":1}])", "", R"([{"key":"k","value":1,"metadata":{"a":[1]}}])"}) {
    EXPECT_TRUE(IsApiError(save(body), 400, "ERR_MALFORMED_REQUEST")) << body;
  }
}

TEST_P(StateRoutes, BulkGetReturnsDataEtagsAndMissingKeysWithoutData) {
  std::string etag1 = put("k1", R"({"v":  1})");
  std::string etag2 = put("k2", R"("two")");
  auto response =
      call("POST", state_path("/bulk"), R"({"keys":["k1","missing","k2"],"parallelism":10})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  auto json = JsonView::parse(response.body);
  ASSERT_TRUE(json) << response.body;
  ASSERT_TRUE(json->is_array());
  const auto& items = json->items();
  ASSERT_EQ(items.size(), 3u);

  EXPECT_EQ(items[0].find("key")->string(), "k1");
  ASSERT_TRUE(items[0].find("data"));
  EXPECT_EQ(items[0].find("data")->raw(), R"({"v":  1})");
  EXPECT_EQ(items[0].find("etag")->string(), etag1);

  EXPECT_EQ(items[1].find("key")->string(), "missing");
  EXPECT_FALSE(items[1].find("data"));
  EXPECT_FALSE(items[1].find("error"));

  EXPECT_EQ(items[2].find("key")->string(), "k2");
  EXPECT_EQ(items[2].find("data")->raw(), R"("two")");
  EXPECT_EQ(items[2].find("etag")->string(), etag2);
}

TEST_P(StateRoutes, BulkGetReportsTtlMetadataAndTakesPut) {
  EXPECT_EQ(save(R"([{"key":"t","value":1,"metadata":{"ttlInSeconds":"600"}}])").status, 204);
  auto response = call("PUT", state_path("/bulk"), R"({"keys":["t"],"metadata":{}})");
  ASSERT_EQ(response.status, 200);
  auto json = JsonView::parse(response.body);
  ASSERT_TRUE(json && json->is_array() && json->items().size() == 1) << response.body;
  const JsonView* metadata = json->items()[0].find("metadata");
  ASSERT_TRUE(metadata && metadata->is_object()) << response.body;
  ASSERT_TRUE(metadata->find("ttlExpireTime"));
  EXPECT_TRUE(parse_rfc3339(metadata->find("ttlExpireTime")->string()));
}

TEST_P(StateRoutes, BulkGetOfNoKeysIsAnEmptyArray) {
  auto response = call("POST", state_path("/bulk"), R"({"keys":[]})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "[]");
}

TEST_P(StateRoutes, MalformedBulkGetBodiesAre400) {
  for (std::string body : {"{", R"({"keys":"k"})", R"({"keys":[1]})", "[]"}) {
    EXPECT_TRUE(IsApiError(call("POST", state_path("/bulk"), body), 400, "ERR_MALFORMED_REQUEST"))
        << body;
  }
}

TEST_P(StateRoutes, DeleteRemovesTheKey) {
  put("k", "1");
  EXPECT_EQ(call("DELETE", state_path("/k")).status, 204);
  EXPECT_EQ(get("k").status, 204);
  // Deleting what is not there is no error.
  EXPECT_EQ(call("DELETE", state_path("/k")).status, 204);
}

TEST_P(StateRoutes, DeleteWithAMatchingIfMatchSucceeds) {
  std::string etag = put("k", "1");
  EXPECT_EQ(call("DELETE", state_path("/k"), "", {{"If-Match", etag}}).status, 204);
  EXPECT_EQ(get("k").status, 204);
}

TEST_P(StateRoutes, DeleteWithAStaleIfMatchIs409AndKeepsTheKey) {
  std::string stale = put("k", "1");
  put("k", "2");
  EXPECT_TRUE(IsApiError(call("DELETE", state_path("/k"), "", {{"If-Match", stale}}), 409,
                         "ERR_STATE_DELETE"));
  EXPECT_EQ(get("k").body, "2");
}

TEST_P(StateRoutes, DeleteWithAnInvalidIfMatchIs400) {
  put("k", "1");
  EXPECT_TRUE(IsApiError(call("DELETE", state_path("/k"), "", {{"if-match", "W/\"x\""}}), 400,
                         "ERR_STATE_DELETE"));
  EXPECT_EQ(get("k").body, "1");
}

TEST_P(StateRoutes, DeleteTakesConcurrencyAndConsistencyParameters) {
  put("k", "1");
  EXPECT_EQ(call("DELETE", state_path("/k?concurrency=first-write&consistency=strong")).status,
            204);
  EXPECT_EQ(get("k").status, 204);
}

TEST_P(StateRoutes, LeftOutKeysAndOperationsMeanNoneAsTheRuntimeReadsThem) {
  auto bulk = call("POST", state_path("/bulk"), "{}");
  EXPECT_EQ(bulk.status, 200) << bulk.body;
  EXPECT_EQ(bulk.body, "[]");
  EXPECT_EQ(call("POST", state_path("/transaction"), R"({"metadata":null})").status, 204);
  EXPECT_TRUE(IsApiError(call("POST", state_path("/bulk"), R"({"keys":"k1"})"), 400,
                         "ERR_MALFORMED_REQUEST"));
  EXPECT_TRUE(
      IsApiError(call("POST", state_path("/transaction"), "[]"), 400, "ERR_MALFORMED_REQUEST"));
}

TEST_P(StateRoutes, TransactionAppliesUpsertsAndDeletes) {
  put("gone", "1");
  std::string etag = put("kept", "1");
  auto response = call("POST", state_path("/transaction"),
                       R"({"operations":[)"
                       R"({"operation":"upsert","request":{"key":"new","value":{"n": 1}}},)"
                       R"({"operation":"upsert","request":{"key":"kept","value":2,"etag":")" +
                           etag +
                           R"("}},)"
                           R"({"operation":"delete","request":{"key":"gone"}}]})");
  EXPECT_EQ(response.status, 204) << response.body;
  EXPECT_EQ(get("new").body, R"({"n": 1})");
  EXPECT_EQ(get("kept").body, "2");
  EXPECT_EQ(get("gone").status, 204);
}

TEST_P(StateRoutes, TransactionIsAtomicWhenOneEtagIsStale) {
  std::string stale = put("a", "1");
  put("a", "2");
  put("b", "1");
  auto response = call("PUT", state_path("/transaction"),
                       R"({"operations":[)"
                       R"({"operation":"upsert","request":{"key":"c","value":3}},)"
                       R"({"operation":"delete","request":{"key":"b"}},)"
                       R"({"operation":"upsert","request":{"key":"a","value":9,"etag":")" +
                           stale + R"("}}]})");
  EXPECT_TRUE(IsApiError(response, 500, "ERR_STATE_TRANSACTION"));
  EXPECT_EQ(get("a").body, "2");
  EXPECT_EQ(get("b").body, "1");
  EXPECT_EQ(get("c").status, 204);
}

TEST_P(StateRoutes, TransactionWithAnInvalidEtagIs500AndAppliesNothing) {
  put("a", "1");
  auto response = call("POST", state_path("/transaction"),
                       R"({"operations":[)"
                       R"({"operation":"upsert","request":{"key":"c","value":3}},)"
                       R"({"operation":"delete","request":{"key":"a","etag":"x1"}}]})");
  EXPECT_TRUE(IsApiError(response, 500, "ERR_STATE_TRANSACTION"));
  EXPECT_EQ(get("a").body, "1");
  EXPECT_EQ(get("c").status, 204);
}

TEST_P(StateRoutes, AnUnknownTransactionOperationIs400AndAppliesNothing) {
  auto response = call("POST", state_path("/transaction"),
                       R"({"operations":[)"
                       R"({"operation":"upsert","request":{"key":"c","value":3}},)"
                       R"({"operation":"merge","request":{"key":"d","value":4}}]})");
  EXPECT_TRUE(IsApiError(response, 400, "ERR_NOT_SUPPORTED_STATE_OPERATION"));
  EXPECT_EQ(get("c").status, 204);
  EXPECT_EQ(get("d").status, 204);
}

TEST_P(StateRoutes, TransactionMetadataReachesTheItems) {
  auto response =
      call("POST", state_path("/transaction?metadata.ttlInSeconds=3600"),
           R"({"operations":[{"operation":"upsert","request":{"key":"t","value":1}}]})");
  EXPECT_EQ(response.status, 204) << response.body;
  EXPECT_TRUE(header(get("t"), "metadata.ttlExpireTime"));
}

TEST_P(StateRoutes, EmptyAndMalformedTransactions) {
  EXPECT_EQ(call("POST", state_path("/transaction"), R"({"operations":[]})").status, 204);
  for (std::string body :
       {"{", R"({"operations":{}})", R"({"operations":[{"operation":"upsert"}]})",
        R"({"operations":[{"operation":"delete","request":{"key":"a||b"}}]})"}) {
    EXPECT_TRUE(
        IsApiError(call("POST", state_path("/transaction"), body), 400, "ERR_MALFORMED_REQUEST"))
        << body;
  }
}

TEST_P(StateRoutes, QueryFiltersSortsAndPagesThisAppsKeys) {
  put("p1", R"({"team":"blue","rank":1})");
  put("p2", R"({"team":"red","rank":2})");
  put("p3", R"({"team":"blue","rank":3})");
  put("p4", R"({"team":"blue", "rank":4})");
  // Another app's key that would match: not this app's to see.
  auto other = make_sidecar("app2");
  EXPECT_EQ(other->handle(request("POST", state_path(), R"([{"key":"x","value":{"team":"blue"}}])"))
                .status,
            204);

  const std::string query_path = "/v1.0-alpha1/state/" + store() + "/query";
  auto first = call("POST", query_path,
                    R"({"filter":{"EQ":{"team":"blue"}},"sort":[{"key":"rank","order":"DESC"}],)"
                    R"("page":{"limit":2}})");
  ASSERT_EQ(first.status, 200) << first.body;
  auto json = JsonView::parse(first.body);
  ASSERT_TRUE(json) << first.body;
  const JsonView* results = json->find("results");
  ASSERT_TRUE(results && results->is_array());
  ASSERT_EQ(results->items().size(), 2u);
  EXPECT_EQ(results->items()[0].find("key")->string(), "p4");
  EXPECT_EQ(results->items()[0].find("data")->raw(), R"({"team":"blue", "rank":4})");
  EXPECT_FALSE(results->items()[0].find("etag")->string().empty());
  EXPECT_EQ(results->items()[1].find("key")->string(), "p3");
  const JsonView* token = json->find("token");
  ASSERT_TRUE(token && token->is_string());

  auto second = call("PUT", query_path,
                     R"({"filter":{"EQ":{"team":"blue"}},"sort":[{"key":"rank","order":"DESC"}],)"
                     R"("page":{"limit":2,"token":)" +
                         JsonView::quote(token->string()) + "}}");
  ASSERT_EQ(second.status, 200) << second.body;
  auto rest = JsonView::parse(second.body);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->find("results")->items().size(), 1u) << second.body;
  EXPECT_EQ(rest->find("results")->items()[0].find("key")->string(), "p1");
  EXPECT_FALSE(rest->find("token"));
}

TEST_P(StateRoutes, AQueryThatCannotBeParsedIs500StateQuery) {
  const std::string query_path = "/v1.0-alpha1/state/" + store() + "/query";
  EXPECT_TRUE(IsApiError(call("POST", query_path, "{"), 500, "ERR_STATE_QUERY"));
  EXPECT_TRUE(IsApiError(call("POST", query_path, R"({"filter":{"LIKE":{"a":1}}})"), 500,
                         "ERR_STATE_QUERY"));
}

TEST_P(StateRoutes, AnUnknownStoreIs400OnEveryRoute) {
  EXPECT_TRUE(
      IsApiError(call("POST", "/v1.0/state/nostore", "[]"), 400, "ERR_STATE_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("GET", "/v1.0/state/nostore/k"), 400, "ERR_STATE_STORE_NOT_FOUND"));
  EXPECT_TRUE(
      IsApiError(call("DELETE", "/v1.0/state/nostore/k"), 400, "ERR_STATE_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0/state/nostore/bulk", R"({"keys":[]})"), 400,
                         "ERR_STATE_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0/state/nostore/transaction", R"({"operations":[]})"),
                         400, "ERR_STATE_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0-alpha1/state/nostore/query", "{}"), 400,
                         "ERR_STATE_STORE_NOT_FOUND"));
}

// ---- Stores that lack a capability, and no stores at all ----------------------------------

TEST_F(SidecarTest, ANonTransactionalStoreRefusesTransactions) {
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0/state/plainstore/transaction",
                              R"({"operations":[{"operation":"upsert",)"
                              R"("request":{"key":"k","value":1}}]})"),
                         500, "ERR_STATE_STORE_NOT_SUPPORTED"));
  // The capability is checked before the body, as the runtime does.
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0/state/plainstore/transaction", "{"), 500,
                         "ERR_STATE_STORE_NOT_SUPPORTED"));
  EXPECT_EQ(call("GET", "/v1.0/state/plainstore/k").status, 204);
}

TEST_F(SidecarTest, AStoreWithoutQueryRefusesQueries) {
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0-alpha1/state/plainstore/query", "{}"), 500,
                         "ERR_STATE_STORE_NOT_SUPPORTED"));
  EXPECT_TRUE(IsApiError(call("POST", "/v1.0-alpha1/state/plainstore/query", "{"), 500,
                         "ERR_STATE_STORE_NOT_SUPPORTED"));
}

TEST(SidecarWithoutStores, StateRoutesAre500NotConfigured) {
  auto built = components::builtin_registry().build({spec("envsecrets", "secretstores.local.env")});
  ASSERT_TRUE(built) << built.error();
  Sidecar sidecar(*built, SidecarOptions{.app_id = kAppId, .runtime_version = kRuntimeVersion});
  for (auto r :
       {request("POST", "/v1.0/state/statestore", "[]"), request("GET", "/v1.0/state/statestore/k"),
        request("DELETE", "/v1.0/state/statestore/k"),
        request("POST", "/v1.0/state/statestore/bulk", R"({"keys":[]})"),
        request("POST", "/v1.0/state/statestore/transaction", R"({"operations":[]})"),
        request("POST", "/v1.0-alpha1/state/statestore/query", "{}")}) {
    EXPECT_TRUE(IsApiError(sidecar.handle(r), 500, "ERR_STATE_STORE_NOT_CONFIGURED"))
        << r.method << " " << r.path;
  }
}

// ---- Key prefixes ----------------------------------------------------------------------------

TEST_F(SidecarTest, KeysGetTheComponentsPrefix) {
  for (const char* store : {"memstore", "sqlstore", "byname", "shared", "custom"}) {
    EXPECT_EQ(
        call("POST", std::string("/v1.0/state/") + store, R"([{"key":"k","value":"v"}])").status,
        204)
        << store;
  }
  EXPECT_EQ(stored("memstore", "app1||k"), R"("v")");
  EXPECT_EQ(stored("sqlstore", "app1||k"), R"("v")");
  EXPECT_EQ(stored("byname", "byname||k"), R"("v")");
  EXPECT_EQ(stored("shared", "k"), R"("v")");
  EXPECT_EQ(stored("custom", "team||k"), R"("v")");
  EXPECT_FALSE(stored("memstore", "k"));
}

TEST_F(SidecarTest, TwoAppsDoNotSeeEachOthersKeys) {
  auto app2 = make_sidecar("app2");
  for (const char* store : {"memstore", "sqlstore"}) {
    std::string path = std::string("/v1.0/state/") + store;
    EXPECT_EQ(call("POST", path, R"([{"key":"k","value":1}])").status, 204);
    EXPECT_EQ(app2->handle(request("GET", path + "/k")).status, 204) << store;
    EXPECT_EQ(app2->handle(request("POST", path, R"([{"key":"k","value":2}])")).status, 204);
    EXPECT_EQ(call("GET", path + "/k").body, "1") << store;
    EXPECT_EQ(app2->handle(request("GET", path + "/k")).body, "2") << store;
    EXPECT_EQ(app2->handle(request("DELETE", path + "/k")).status, 204);
    EXPECT_EQ(call("GET", path + "/k").body, "1") << store;
  }
}

TEST_F(SidecarTest, StoresWithoutAnAppPrefixAreShared) {
  auto app2 = make_sidecar("app2");
  for (const char* store : {"shared", "byname", "custom"}) {
    std::string path = std::string("/v1.0/state/") + store;
    EXPECT_EQ(call("POST", path, R"([{"key":"k","value":1}])").status, 204);
    EXPECT_EQ(app2->handle(request("GET", path + "/k")).body, "1") << store;
  }
}

// ---- Metadata --------------------------------------------------------------------------------

TEST_F(SidecarTest, MetadataDescribesTheAppAndItsComponents) {
  auto response = call("GET", "/v1.0/metadata");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  auto json = JsonView::parse(response.body);
  ASSERT_TRUE(json && json->is_object()) << response.body;
  EXPECT_EQ(json->find("id")->string(), kAppId);
  EXPECT_EQ(json->find("runtimeVersion")->string(), kRuntimeVersion);

  const JsonView* components = json->find("components");
  ASSERT_TRUE(components && components->is_array());
  std::map<std::string, const JsonView*> by_name;
  for (const auto& c : components->items()) by_name[c.find("name")->string()] = &c;
  ASSERT_EQ(by_name.size(), 7u) << response.body;

  auto capabilities = [&](const std::string& name) {
    std::vector<std::string> out;
    if (const JsonView* caps = by_name.at(name)->find("capabilities")) {
      for (const auto& c : caps->items()) out.push_back(c.string());
    }
    return out;
  };
  for (const char* name : {"memstore", "sqlstore"}) {
    const JsonView& c = *by_name.at(name);
    EXPECT_EQ(c.find("version")->string(), "v1");
    auto caps = capabilities(name);
    for (const char* want : {"ETAG", "TRANSACTIONAL", "TTL", "QUERY_API"}) {
      EXPECT_NE(std::find(caps.begin(), caps.end(), want), caps.end()) << name << " " << want;
    }
  }
  EXPECT_EQ(by_name.at("memstore")->find("type")->string(), "state.in-memory");
  EXPECT_EQ(by_name.at("sqlstore")->find("type")->string(), "state.sqlite");
  EXPECT_EQ(by_name.at("envsecrets")->find("type")->string(), "secretstores.local.env");
  EXPECT_EQ(by_name.at("envsecrets")->find("version")->string(), "v1");
  EXPECT_TRUE(capabilities("envsecrets").empty());
  EXPECT_TRUE(capabilities("plainstore").empty());
}

TEST_F(SidecarTest, PutMetadataShowsUpUnderExtended) {
  EXPECT_EQ(call("PUT", "/v1.0/metadata/owner", "team \"blue\"").status, 204);
  EXPECT_EQ(call("PUT", "/v1.0/metadata/owner", "team red").status, 204);
  auto response = call("GET", "/v1.0/metadata");
  auto json = JsonView::parse(response.body);
  ASSERT_TRUE(json) << response.body;
  const JsonView* extended = json->find("extended");
  ASSERT_TRUE(extended && extended->is_object()) << response.body;
  ASSERT_TRUE(extended->find("owner"));
  EXPECT_EQ(extended->find("owner")->string(), "team red");
}

TEST_F(SidecarTest, ATrailingSlashIsIgnored) {
  EXPECT_EQ(call("GET", "/v1.0/metadata/").status, 200);
  EXPECT_EQ(call("GET", "/v1.0/healthz/").status, 204);
  EXPECT_EQ(call("POST", "/v1.0/state/memstore/", R"([{"key":"k","value":1}])").status, 204);
}

// ---- Health and shutdown ---------------------------------------------------------------------

TEST_F(SidecarTest, HealthChecksAre204) {
  auto health = call("GET", "/v1.0/healthz");
  EXPECT_EQ(health.status, 204);
  EXPECT_TRUE(health.body.empty());
  EXPECT_EQ(call("GET", "/v1.0/healthz/outbound").status, 204);
  EXPECT_EQ(call("GET", "/v1.0/healthz?appid=app1").status, 204);
}

TEST_F(SidecarTest, HealthOfAnotherAppIdIs500) {
  EXPECT_TRUE(
      IsApiError(call("GET", "/v1.0/healthz?appid=other"), 500, "ERR_HEALTH_APPID_NOT_MATCH"));
}

TEST_F(SidecarTest, ShutdownCallsTheCallbackOnce) {
  int calls = 0;
  sidecar_->on_shutdown([&] { ++calls; });
  auto first = call("POST", "/v1.0/shutdown");
  EXPECT_EQ(first.status, 204);
  EXPECT_TRUE(first.body.empty());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(call("POST", "/v1.0/shutdown").status, 204);
  EXPECT_EQ(calls, 1);
}

TEST_F(SidecarTest, ShutdownWithoutACallbackStillAnswers) {
  EXPECT_EQ(call("POST", "/v1.0/shutdown").status, 204);
}

// ---- Routing ---------------------------------------------------------------------------------

TEST_F(SidecarTest, UnknownRoutesAre404) {
  for (const char* path :
       {"/", "/v1.0", "/v2.0/state/memstore", "/v1.0/nothing", "/v1.0/state/memstore/k/extra",
        "/v1.0/healthz/inbound", "/v1.0/metadata/a/b", "/v1.0-alpha1/state/memstore/other"}) {
    EXPECT_EQ(call("GET", path).status, 404) << path;
  }
}

TEST_F(SidecarTest, WrongMethodsAre405) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"GET", "/v1.0/state/memstore"},
      {"DELETE", "/v1.0/state/memstore"},
      {"POST", "/v1.0/state/memstore/k"},
      {"PATCH", "/v1.0/state/memstore/k"},
      {"DELETE", "/v1.0/metadata"},
      {"POST", "/v1.0/metadata"},
      {"GET", "/v1.0/metadata/k"},
      {"POST", "/v1.0/healthz"},
      {"DELETE", "/v1.0/healthz/outbound"},
      {"GET", "/v1.0/shutdown"},
      {"GET", "/v1.0-alpha1/state/memstore/query"},
  };
  for (const auto& [method, path] : cases) {
    EXPECT_EQ(call(method, path).status, 405) << method << " " << path;
  }
}

TEST_F(SidecarTest, BulkAndTransactionAreKeysForGetAndDelete) {
  EXPECT_EQ(call("POST", "/v1.0/state/memstore",
                 R"([{"key":"bulk","value":1},{"key":"transaction","value":2}])")
                .status,
            204);
  EXPECT_EQ(call("GET", "/v1.0/state/memstore/bulk").body, "1");
  EXPECT_EQ(call("GET", "/v1.0/state/memstore/transaction").body, "2");
  EXPECT_EQ(call("DELETE", "/v1.0/state/memstore/bulk").status, 204);
  EXPECT_EQ(call("GET", "/v1.0/state/memstore/bulk").status, 204);
}

// ---- API token ---------------------------------------------------------------------------------

class AuthTest : public SidecarTest {
 protected:
  void SetUp() override {
    SidecarTest::SetUp();
    sidecar_ = make_sidecar(kAppId, "s3cret");
    sidecar_->on_shutdown([this] { ++shutdowns_; });
  }

  static std::vector<http::Request> protected_routes(const Headers& headers) {
    return {
        request("POST", "/v1.0/state/memstore", R"([{"key":"k","value":1}])", headers),
        request("GET", "/v1.0/state/memstore/k", "", headers),
        request("POST", "/v1.0/state/memstore/bulk", R"({"keys":["k"]})", headers),
        request("DELETE", "/v1.0/state/memstore/k", "", headers),
        request("POST", "/v1.0/state/memstore/transaction", R"({"operations":[]})", headers),
        request("POST", "/v1.0-alpha1/state/memstore/query", "{}", headers),
        request("GET", "/v1.0/metadata", "", headers),
        request("PUT", "/v1.0/metadata/k", "v", headers),
        request("GET", "/v1.0/nothing", "", headers),
        request("POST", "/v1.0/shutdown", "", headers),
    };
  }

  int shutdowns_ = 0;
};

TEST_F(AuthTest, EveryRouteButHealthNeedsTheToken) {
  for (const Headers& headers :
       {Headers{}, Headers{{"dapr-api-token", "wrong"}}, Headers{{"dapr-api-token", "s3cre"}},
        Headers{{"dapr-api-token", "s3cret "}}, Headers{{"authorization", "s3cret"}}}) {
    for (const auto& r : protected_routes(headers)) {
      auto response = sidecar_->handle(r);
      EXPECT_EQ(response.status, 401) << r.method << " " << r.path;
      EXPECT_EQ(response.body, "invalid api token");
    }
  }
  EXPECT_EQ(shutdowns_, 0);
  EXPECT_EQ(stored("memstore", "app1||k"), std::nullopt);
  EXPECT_EQ(call("GET", "/v1.0/healthz").status, 204);
  EXPECT_EQ(call("GET", "/v1.0/healthz/outbound").status, 204);
}

TEST_F(AuthTest, OnlyGetsOfTheHealthChecksAreExempt) {
  EXPECT_EQ(call("GET", "/v1.0/healthz/").status, 204);
  EXPECT_EQ(call("GET", "/v1.0/healthz/outbound/").status, 204);
  EXPECT_EQ(call("GET", "/v1.0/healthz?appid=app1").status, 204);
  EXPECT_EQ(call("POST", "/v1.0/healthz").status, 401);
  EXPECT_EQ(call("DELETE", "/v1.0/healthz/outbound").status, 401);
  EXPECT_EQ(call("GET", "/v1.0/healthz/other").status, 401);
  EXPECT_EQ(call("GET", "/v1.0/healthzzz").status, 401);
}

TEST_F(AuthTest, TheRightTokenPasses) {
  for (const Headers& headers :
       {Headers{{"dapr-api-token", "s3cret"}}, Headers{{"Dapr-Api-Token", "s3cret"}}}) {
    for (const auto& r : protected_routes(headers)) {
      EXPECT_NE(sidecar_->handle(r).status, 401) << r.method << " " << r.path;
    }
  }
  EXPECT_EQ(stored("memstore", "app1||k"), std::nullopt);  // saved, then deleted
  EXPECT_EQ(call("GET", "/v1.0/metadata", "", {{"dapr-api-token", "s3cret"}}).status, 200);
  EXPECT_EQ(shutdowns_, 1);
}

}  // namespace
}  // namespace wasmdapr::sidecar
