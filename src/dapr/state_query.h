#pragma once
// Dapr's state query language (alpha1), parsed once and evaluated over a store's rows. Stores
// that cannot translate a query into a native one (memory, SQLite) scan their live rows and let
// this evaluator filter, sort and page them, so every such store answers a query the same way.
//
// A query is the JSON body of POST /v1.0-alpha1/state/{store}/query:
//
//   {"filter": {"AND": [{"EQ": {"person.org": "Dev Ops"}}, {"IN": {"state": ["CA", "WA"]}}]},
//    "sort":   [{"key": "person.id", "order": "DESC"}],
//    "page":   {"limit": 10, "token": "20"}}
//
// Every member is optional; members other than these three are ignored, as Dapr does.
// - filter: one operator per object. EQ, NEQ, GT, GTE, LT, LTE take {"<path>": <value>};
//   IN takes {"<path>": [<value>...]}; AND and OR take an array of at least two filters.
// - A path is dotted member names into the stored JSON value ("person.org" is value.person.org);
//   there is no "value." prefix. A row whose value is not an object, or lacks the path, does not
//   match any comparison (NEQ included).
// - EQ, NEQ and IN compare JSON values structurally (numbers by value: 1 equals 1.0; strings
//   after unescaping; objects regardless of member order). GT/GTE/LT/LTE only match a number
//   against a number or a string against a string (bytewise).
// - sort: keys in priority order, "order" "ASC" (default) or "DESC". Values of different types
//   order as: missing < null < false < true < numbers < strings < arrays < objects; DESC
//   reverses all of it. Rows that tie, and all rows when there is no sort, come in key order, so
//   paging over an unchanged store neither repeats nor skips a row.
// - page: "limit" 0 or absent means no limit; "token" is the one a previous page returned (an
//   offset into the sorted matches). A response has a token only when more matches remain.
//
// Rows whose value is not JSON are never returned: a result carries its data as JSON.
// Anything malformed is Error::InvalidArgument with a message naming the offending part.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

// One live row of a store, as the evaluator consumes it.
struct QueryRow {
  std::string key;    // the full store key
  std::string value;  // the stored bytes
  std::string etag;
};

class StateQuery {
 public:
  static Result<StateQuery, Error> parse(std::string_view query_json);

  StateQuery(StateQuery&&) noexcept;
  StateQuery& operator=(StateQuery&&) noexcept;
  ~StateQuery();

  // Filters, sorts and pages `rows` (in any order; keys unique). Result items keep the row's
  // key, value bytes and etag.
  QueryResponse run(std::vector<QueryRow> rows) const;

  size_t limit() const;   // 0: no limit
  size_t offset() const;  // where the page starts, from the token

 private:
  struct Parsed;
  explicit StateQuery(std::unique_ptr<Parsed> parsed);
  std::unique_ptr<Parsed> parsed_;
};

}  // namespace wasmdapr::dapr
