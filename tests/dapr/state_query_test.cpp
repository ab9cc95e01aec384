#include "dapr/state_query.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace wasmdapr::dapr {
namespace {

// Rows in a deliberately unsorted key order; etags are "e" + key.
std::vector<QueryRow> employees() {
  auto row = [](std::string key, std::string value) {
    std::string etag = "e" + key;
    return QueryRow{std::move(key), std::move(value), std::move(etag)};
  };
  return {
      row("3", R"({"person":{"org":"Dev Ops","id":1036},"city":"San Francisco","state":"CA"})"),
      row("1", R"({"person":{"org":"Dev Ops","id":1001},"city":"Seattle","state":"WA"})"),
      row("5", R"({"person":{"org":"Finance","id":1071},"city":"Sacramento","state":"CA"})"),
      row("2", R"({"person":{"org":"Hardware","id":1002},"city":"Portland","state":"OR"})"),
      row("4", R"({"person":{"org":"Dev Ops","id":1042},"city":"Spokane","state":"WA"})"),
  };
}

// Runs `query` over `rows` and returns the result keys in order.
std::vector<std::string> keys_of(const std::string& query,
                                 std::vector<QueryRow> rows = employees()) {
  auto parsed = StateQuery::parse(query);
  EXPECT_TRUE(parsed) << query << ": " << (parsed ? "" : parsed.error().message);
  if (!parsed) return {};
  std::vector<std::string> keys;
  for (auto& item : parsed->run(std::move(rows)).results) keys.push_back(item.key);
  return keys;
}

using Keys = std::vector<std::string>;

std::string rejection(const std::string& query) {
  auto parsed = StateQuery::parse(query);
  EXPECT_FALSE(parsed) << query << " was accepted";
  if (parsed) return {};
  EXPECT_EQ(parsed.error().code, Error::Code::InvalidArgument) << query;
  return parsed.error().message;
}

TEST(StateQuery, NoFilterReturnsEveryRowInKeyOrder) {
  EXPECT_EQ(keys_of("{}"), (Keys{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(keys_of(R"({"page":{}})"), (Keys{"1", "2", "3", "4", "5"}));
}

TEST(StateQuery, ResultsCarryKeyDataBytesAndEtag) {
  std::vector<QueryRow> rows = {{"app||k", "{ \"a\" : 1 }", "17"}};
  auto query = StateQuery::parse(R"({"filter":{"EQ":{"a":1}}})");
  ASSERT_TRUE(query);
  auto response = query->run(std::move(rows));
  ASSERT_EQ(response.results.size(), 1u);
  EXPECT_EQ(response.results[0].key, "app||k");
  EXPECT_EQ(response.results[0].data, "{ \"a\" : 1 }");
  EXPECT_EQ(response.results[0].etag, "17");
  EXPECT_FALSE(response.results[0].error);
  EXPECT_FALSE(response.token);
}

TEST(StateQuery, EqMatchesTopLevelAndNestedPaths) {
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"state":"CA"}}})"), (Keys{"3", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"person.org":"Dev Ops"}}})"), (Keys{"1", "3", "4"}));
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"person.id":1042}}})"), (Keys{"4"}));
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"person.nothing":1}}})"), Keys{});
  // A prefix path does not look into the value's wrapper: keys are relative to the value.
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"value.state":"CA"}}})"), Keys{});
}

TEST(StateQuery, EqualityIsByValueNotBySpelling) {
  std::vector<QueryRow> rows = {
      {"int", R"({"v":1})", ""},
      {"float", R"({"v":1.0})", ""},
      {"exp", R"({"v":1e0})", ""},
      {"string", R"({"v":"1"})", ""},
      {"escaped", R"({"v":"\u0041"})", ""},
      {"plain", R"({"v":"A"})", ""},
      {"object", R"({"v":{"b":[1,2],"a":null}})", ""},
      {"bool", R"({"v":true})", ""},
      {"null", R"({"v":null})", ""},
  };
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":1}}})", rows), (Keys{"exp", "float", "int"}));
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":"1"}}})", rows), Keys{"string"});
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":"A"}}})", rows), (Keys{"escaped", "plain"}));
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":{"a":null,"b":[1,2.0]}}}})", rows), Keys{"object"});
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":true}}})", rows), Keys{"bool"});
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"v":null}}})", rows), Keys{"null"});
}

TEST(StateQuery, NeqNeedsThePathToExist) {
  std::vector<QueryRow> rows = employees();
  rows.push_back({"6", R"({"person":{"org":"Dev Ops"}})", ""});
  rows.push_back({"7", R"({"state":5})", ""});
  EXPECT_EQ(keys_of(R"({"filter":{"NEQ":{"state":"CA"}}})", rows), (Keys{"1", "2", "4", "7"}));
}

TEST(StateQuery, RangeOperatorsCompareNumbersAndStringsOnly) {
  EXPECT_EQ(keys_of(R"({"filter":{"GT":{"person.id":1036}}})"), (Keys{"4", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"GTE":{"person.id":1036}}})"), (Keys{"3", "4", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"LT":{"person.id":1036}}})"), (Keys{"1", "2"}));
  EXPECT_EQ(keys_of(R"({"filter":{"LTE":{"person.id":1036.0}}})"), (Keys{"1", "2", "3"}));
  EXPECT_EQ(keys_of(R"({"filter":{"LT":{"city":"Sea"}}})"), (Keys{"2", "3", "5"}));
  // A number is not greater or less than a string, whatever the type order says.
  EXPECT_EQ(keys_of(R"({"filter":{"GT":{"person.id":"1"}}})"), Keys{});
  EXPECT_EQ(keys_of(R"({"filter":{"LT":{"city":5}}})"), Keys{});
}

TEST(StateQuery, NumbersCompareExactlyAndBeyondDoubleRange) {
  std::vector<QueryRow> rows = {
      {"a", R"({"n":9007199254740993})", ""}, {"b", R"({"n":9007199254740992})", ""},
      {"huge", R"({"n":1e400})", ""},         {"tiny", R"({"n":-1e400})", ""},
      {"small", R"({"n":1e-400})", ""},
  };
  EXPECT_EQ(keys_of(R"({"filter":{"GT":{"n":9007199254740992}}})", rows), (Keys{"a", "huge"}));
  EXPECT_EQ(keys_of(R"({"filter":{"LT":{"n":0.5}}})", rows), (Keys{"small", "tiny"}));
}

TEST(StateQuery, InMatchesAnyListedValue) {
  EXPECT_EQ(keys_of(R"({"filter":{"IN":{"state":["CA","OR"]}}})"), (Keys{"2", "3", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"IN":{"person.id":[1001,1071,9]}}})"), (Keys{"1", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"IN":{"state":[]}}})"), Keys{});
}

TEST(StateQuery, AndOrNest) {
  EXPECT_EQ(keys_of(R"({"filter":{"AND":[{"EQ":{"person.org":"Dev Ops"}},
                                          {"IN":{"state":["CA","WA"]}},
                                          {"GT":{"person.id":1001}}]}})"),
            (Keys{"3", "4"}));
  EXPECT_EQ(keys_of(R"({"filter":{"OR":[{"EQ":{"state":"OR"}},{"EQ":{"person.org":"Finance"}}]}})"),
            (Keys{"2", "5"}));
  EXPECT_EQ(keys_of(R"({"filter":{"OR":[
                        {"AND":[{"EQ":{"state":"WA"}},{"EQ":{"city":"Seattle"}}]},
                        {"AND":[{"EQ":{"state":"CA"}},{"NEQ":{"person.org":"Dev Ops"}}]}]}})"),
            (Keys{"1", "5"}));
}

TEST(StateQuery, ValuesThatAreNotObjectsDoNotMatchPathFilters) {
  std::vector<QueryRow> rows = {
      {"array", R"([{"state":"CA"}])", ""},
      {"string", R"("CA")", ""},
      {"number", "7", ""},
      {"nested-scalar", R"({"state":{"name":"CA"},"person":"x"})", ""},
      {"object", R"({"state":"CA"})", ""},
  };
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"state":"CA"}}})", rows), Keys{"object"});
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"person.org":"x"}}})", rows), Keys{});
  EXPECT_EQ(keys_of(R"({"filter":{"NEQ":{"state":"TX"}}})", rows),
            (Keys{"nested-scalar", "object"}));
}

TEST(StateQuery, RowsThatAreNotJsonAreNeverReturned) {
  std::vector<QueryRow> rows = {
      {"binary", std::string("\x00\xff", 2), ""},
      {"text", "plain words", ""},
      {"empty", "", ""},
      {"json", R"("fine")", ""},
  };
  EXPECT_EQ(keys_of("{}", rows), Keys{"json"});
}

TEST(StateQuery, SortsNumbersNumericallyInEitherDirection) {
  std::vector<QueryRow> rows = {
      {"a", R"({"n":10})", ""},
      {"b", R"({"n":2})", ""},
      {"c", R"({"n":-1.5})", ""},
      {"d", R"({"n":100})", ""},
  };
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"n"}]})", rows), (Keys{"c", "b", "a", "d"}));
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"n","order":"ASC"}]})", rows), (Keys{"c", "b", "a", "d"}));
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"n","order":"DESC"}]})", rows), (Keys{"d", "a", "b", "c"}));
}

TEST(StateQuery, SortsBySeveralKeysThenByKey) {
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"state"},{"key":"person.id","order":"DESC"}]})"),
            (Keys{"5", "3", "2", "4", "1"}));
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"person.org","order":"DESC"}]})"),
            (Keys{"2", "5", "1", "3", "4"}));
}

TEST(StateQuery, MissingAndMixedValuesSortInOneTypeOrder) {
  std::vector<QueryRow> rows = {
      {"obj", R"({"v":{}})", ""},    {"arr", R"({"v":[]})", ""},    {"str", R"({"v":"a"})", ""},
      {"num", R"({"v":3})", ""},     {"true", R"({"v":true})", ""}, {"false", R"({"v":false})", ""},
      {"null", R"({"v":null})", ""}, {"none", R"({})", ""},         {"scalar", "42", ""},
  };
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"v"}]})", rows),
            (Keys{"none", "scalar", "null", "false", "true", "num", "str", "arr", "obj"}));
  EXPECT_EQ(keys_of(R"({"sort":[{"key":"v","order":"DESC"}]})", rows),
            (Keys{"obj", "arr", "str", "num", "true", "false", "null", "none", "scalar"}));
}

TEST(StateQuery, PagesFollowTheirTokensToTheEnd) {
  std::string base = R"({"sort":[{"key":"person.id"}],"page":{"limit":2)";
  auto first = StateQuery::parse(base + "}}");
  ASSERT_TRUE(first);
  auto page1 = first->run(employees());
  ASSERT_EQ(page1.results.size(), 2u);
  EXPECT_EQ(page1.results[0].key, "1");
  EXPECT_EQ(page1.results[1].key, "2");
  ASSERT_TRUE(page1.token);

  std::vector<std::string> seen;
  std::optional<std::string> token = page1.token;
  for (auto& r : page1.results) seen.push_back(r.key);
  int pages = 1;
  while (token) {
    auto next = StateQuery::parse(base + R"(,"token":")" + *token + "\"}}");
    ASSERT_TRUE(next);
    auto page = next->run(employees());
    EXPECT_LE(page.results.size(), 2u);
    for (auto& r : page.results) seen.push_back(r.key);
    token = page.token;
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (Keys{"1", "2", "3", "4", "5"}));
}

TEST(StateQuery, PagingAppliesAfterFilterAndSort) {
  auto query = StateQuery::parse(
      R"({"filter":{"EQ":{"person.org":"Dev Ops"}},"sort":[{"key":"person.id","order":"DESC"}],
          "page":{"limit":2}})");
  ASSERT_TRUE(query);
  auto page = query->run(employees());
  ASSERT_EQ(page.results.size(), 2u);
  EXPECT_EQ(page.results[0].key, "4");
  EXPECT_EQ(page.results[1].key, "3");
  EXPECT_EQ(page.token, "2");
}

TEST(StateQuery, ExactAndOverrunPagesEndWithoutAToken) {
  auto exact = StateQuery::parse(R"({"page":{"limit":5}})");
  ASSERT_TRUE(exact);
  auto all = exact->run(employees());
  EXPECT_EQ(all.results.size(), 5u);
  EXPECT_FALSE(all.token);

  auto past = StateQuery::parse(R"({"page":{"limit":2,"token":"99"}})");
  ASSERT_TRUE(past);
  auto none = past->run(employees());
  EXPECT_TRUE(none.results.empty());
  EXPECT_FALSE(none.token);

  EXPECT_EQ(keys_of(R"({"page":{"limit":0}})").size(), 5u);
  EXPECT_EQ(keys_of(R"({"page":{"token":"3"}})"), (Keys{"4", "5"}));
  EXPECT_EQ(keys_of(R"({"page":{"limit":2,"token":""}})"), (Keys{"1", "2"}));
}

TEST(StateQuery, AParsedQuerySurvivesBeingMoved) {
  auto parsed = StateQuery::parse(R"({"filter":{"IN":{"state":["WA"]}},"page":{"limit":1}})");
  ASSERT_TRUE(parsed);
  StateQuery moved = std::move(*parsed);
  std::vector<StateQuery> held;
  held.push_back(std::move(moved));
  auto response = held.front().run(employees());
  ASSERT_EQ(response.results.size(), 1u);
  EXPECT_EQ(response.results[0].key, "1");
  EXPECT_EQ(held.front().limit(), 1u);
  EXPECT_EQ(held.front().offset(), 0u);
}

TEST(StateQuery, UnknownTopLevelMembersAreIgnored) {
  EXPECT_EQ(keys_of(R"({"filter":{"EQ":{"state":"OR"}},"extra":[1,2]})"), Keys{"2"});
}

TEST(StateQuery, MalformedQueriesAreRejectedWithWhatIsWrong) {
  struct Case {
    const char* query;
    const char* mentions;
  };
  const Case cases[] = {
      {"{\"filter\":", "not valid JSON"},
      {"[]", "JSON object"},
      {R"({"filter":{}})", "exactly one operator"},
      {R"({"filter":{"EQ":{"a":1},"NEQ":{"a":2}}})", "exactly one operator"},
      {R"({"filter":{"LIKE":{"a":"x%"}}})", "unsupported operator \"LIKE\""},
      {R"({"filter":{"eq":{"a":1}}})", "unsupported operator \"eq\""},
      {R"({"filter":[{"EQ":{"a":1}}]})", "filter must be an object"},
      {R"({"filter":null})", "filter must be an object"},
      {R"({"filter":{"EQ":[1]}})", "filter.EQ must be an object"},
      {R"({"filter":{"EQ":{"a":1,"b":2}}})", "filter.EQ must be an object"},
      {R"({"filter":{"GT":{}}})", "filter.GT must be an object"},
      {R"({"filter":{"IN":{"a":"x"}}})", "filter.IN value must be an array"},
      {R"({"filter":{"AND":[{"EQ":{"a":1}}]}})", "filter.AND must contain at least two"},
      {R"({"filter":{"OR":{"EQ":{"a":1}}}})", "filter.OR must be an array"},
      {R"({"filter":{"AND":[{"EQ":{"a":1}},{"NOPE":{}}]}})", "filter.AND[1]"},
      {R"({"filter":{"EQ":{"":1}}})", "key is empty"},
      {R"({"filter":{"EQ":{"a..b":1}}})", "empty segment"},
      {R"({"filter":{"EQ":{"a.":1}}})", "empty segment"},
      {R"({"sort":{"key":"a"}})", "sort must be an array"},
      {R"({"sort":["a"]})", "sort[0] must be an object"},
      {R"({"sort":[{"key":"a"},{"order":"ASC"}]})", "sort[1].key"},
      {R"({"sort":[{"key":"a","order":"UP"}]})", "sort[0].order"},
      {R"({"sort":[{"key":"a","order":"asc"}]})", "sort[0].order"},
      {R"({"page":[]})", "page must be an object"},
      {R"({"page":{"limit":-1}})", "page.limit"},
      {R"({"page":{"limit":2.5}})", "page.limit"},
      {R"({"page":{"limit":"2"}})", "page.limit"},
      {R"({"page":{"token":"abc"}})", "page.token 'abc'"},
      {R"({"page":{"token":"-1"}})", "page.token"},
      {R"({"page":{"token":4}})", "page.token must be a string"},
  };
  for (const auto& c : cases) {
    std::string message = rejection(c.query);
    EXPECT_NE(message.find(c.mentions), std::string::npos)
        << c.query << " -> " << message << " (expected to mention: " << c.mentions << ")";
  }
}

}  // namespace
}  // namespace wasmdapr::dapr
