#include "dapr/state_query.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "dapr/json_view.h"

namespace wasmdapr::dapr {
namespace {

enum class Op { Eq, Neq, Gt, Gte, Lt, Lte, In, And, Or };

struct OperatorName {
  std::string_view name;
  Op op;
};
constexpr OperatorName kOperators[] = {
    {"EQ", Op::Eq},   {"NEQ", Op::Neq}, {"GT", Op::Gt},   {"GTE", Op::Gte}, {"LT", Op::Lt},
    {"LTE", Op::Lte}, {"IN", Op::In},   {"AND", Op::And}, {"OR", Op::Or},
};

using Path = std::vector<std::string>;

struct Filter {
  Op op = Op::Eq;
  Path path;                     // comparisons and IN
  std::vector<JsonView> values;  // one for a comparison, any number for IN
  std::vector<Filter> children;  // AND, OR
};

struct SortKey {
  Path path;
  bool descending = false;
};

Error invalid(std::string message) {
  return Error{Error::Code::InvalidArgument, "invalid state query: " + std::move(message)};
}

// ---- comparing JSON values ------------------------------------------------------------------

// A number's value as a double, saturating to +-infinity or 0 outside double's range.
double number_value(std::string_view raw) {
  double v = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc::result_out_of_range) return v;
  bool negative = !raw.empty() && raw.front() == '-';
  size_t e = raw.find_first_of("eE");
  bool tiny = e != std::string_view::npos && e + 1 < raw.size() && raw[e + 1] == '-';
  if (tiny) return negative ? -0.0 : 0.0;
  return negative ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::infinity();
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_numbers(const JsonView& a, const JsonView& b) {
  auto ai = a.integer();
  auto bi = b.integer();
  if (ai && bi) return three_way(*ai, *bi);
  return three_way(number_value(a.raw()), number_value(b.raw()));
}

int compare_strings(const JsonView& a, const JsonView& b) {
  // Escapes are rare: compare the source text between the quotes unless either has one.
  std::string_view ar = a.raw(), br = b.raw();
  if (ar.find('\\') == std::string_view::npos && br.find('\\') == std::string_view::npos) {
    return three_way(ar.substr(1, ar.size() - 2), br.substr(1, br.size() - 2));
  }
  return three_way(a.string(), b.string());
}

// Type order for values of different kinds; a missing value (nullptr) is lowest.
int kind_rank(const JsonView* v) {
  if (!v) return 0;
  switch (v->kind()) {
    case JsonView::Kind::Null:
      return 1;
    case JsonView::Kind::Bool:
      return 2;
    case JsonView::Kind::Number:
      return 3;
    case JsonView::Kind::String:
      return 4;
    case JsonView::Kind::Array:
      return 5;
    case JsonView::Kind::Object:
      return 6;
  }
  return 0;
}

int compare_values(const JsonView* a, const JsonView* b);

// An object's members by name, the last of duplicate names winning (as JsonView::find does).
std::vector<const std::pair<std::string, JsonView>*> canonical_members(const JsonView& object) {
  std::vector<const std::pair<std::string, JsonView>*> out;
  for (const auto& member : object.members()) out.push_back(&member);
  std::stable_sort(out.begin(), out.end(), [](auto* x, auto* y) { return x->first < y->first; });
  std::vector<const std::pair<std::string, JsonView>*> unique;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i + 1 < out.size() && out[i + 1]->first == out[i]->first) continue;
    unique.push_back(out[i]);
  }
  return unique;
}

int compare_objects(const JsonView& a, const JsonView& b) {
  auto am = canonical_members(a);
  auto bm = canonical_members(b);
  for (size_t i = 0; i < am.size() && i < bm.size(); ++i) {
    if (int c = three_way(am[i]->first, bm[i]->first)) return c;
    if (int c = compare_values(&am[i]->second, &bm[i]->second)) return c;
  }
  return three_way(am.size(), bm.size());
}

int compare_arrays(const JsonView& a, const JsonView& b) {
  const auto& ai = a.items();
  const auto& bi = b.items();
  for (size_t i = 0; i < ai.size() && i < bi.size(); ++i) {
    if (int c = compare_values(&ai[i], &bi[i])) return c;
  }
  return three_way(ai.size(), bi.size());
}

// A total order over JSON values (and "missing"): by kind first, then by value.
int compare_values(const JsonView* a, const JsonView* b) {
  if (int c = three_way(kind_rank(a), kind_rank(b))) return c;
  if (!a) return 0;
  switch (a->kind()) {
    case JsonView::Kind::Null:
      return 0;
    case JsonView::Kind::Bool:
      return three_way(a->boolean(), b->boolean());
    case JsonView::Kind::Number:
      return compare_numbers(*a, *b);
    case JsonView::Kind::String:
      return compare_strings(*a, *b);
    case JsonView::Kind::Array:
      return compare_arrays(*a, *b);
    case JsonView::Kind::Object:
      return compare_objects(*a, *b);
  }
  return 0;
}

// Range operators only relate numbers to numbers and strings to strings.
bool orderable(const JsonView& a, const JsonView& b) {
  return a.kind() == b.kind() &&
         (a.kind() == JsonView::Kind::Number || a.kind() == JsonView::Kind::String);
}

// ---- evaluating -------------------------------------------------------------------------------

const JsonView* resolve(const JsonView& document, const Path& path) {
  const JsonView* at = &document;
  for (const auto& name : path) {
    if (!at->is_object()) return nullptr;
    at = at->find(name);
    if (!at) return nullptr;
  }
  return at;
}

bool matches(const Filter& filter, const JsonView& document) {
  switch (filter.op) {
    case Op::And:
      return std::all_of(filter.children.begin(), filter.children.end(),
                         [&](const Filter& f) { return matches(f, document); });
    case Op::Or:
      return std::any_of(filter.children.begin(), filter.children.end(),
                         [&](const Filter& f) { return matches(f, document); });
    default:
      break;
  }
  const JsonView* value = resolve(document, filter.path);
  if (!value) return false;
  if (filter.op == Op::In) {
    return std::any_of(filter.values.begin(), filter.values.end(),
                       [&](const JsonView& v) { return compare_values(value, &v) == 0; });
  }
  const JsonView& operand = filter.values.front();
  if (filter.op == Op::Eq) return compare_values(value, &operand) == 0;
  if (filter.op == Op::Neq) return compare_values(value, &operand) != 0;
  if (!orderable(*value, operand)) return false;
  int c = compare_values(value, &operand);
  switch (filter.op) {
    case Op::Gt:
      return c > 0;
    case Op::Gte:
      return c >= 0;
    case Op::Lt:
      return c < 0;
    case Op::Lte:
      return c <= 0;
    default:
      return false;
  }
}

// ---- parsing ----------------------------------------------------------------------------------

Result<Path, Error> parse_path(std::string_view key, const std::string& where) {
  if (key.empty()) return unexpected(invalid(where + ": the key is empty"));
  Path path;
  size_t start = 0;
  for (;;) {
    size_t dot = key.find('.', start);
    std::string_view segment =
        key.substr(start, dot == std::string_view::npos ? key.npos : dot - start);
    if (segment.empty()) {
      return unexpected(invalid(where + ": key '" + std::string(key) + "' has an empty segment"));
    }
    path.emplace_back(segment);
    if (dot == std::string_view::npos) return path;
    start = dot + 1;
  }
}

Result<Filter, Error> parse_filter(const JsonView& node, const std::string& where);

Result<Filter, Error> parse_comparison(Op op, const JsonView& operand, const std::string& where) {
  if (!operand.is_object() || operand.members().size() != 1) {
    return unexpected(invalid(where + " must be an object with exactly one \"key\": value pair"));
  }
  const auto& [key, value] = operand.members().front();
  Filter filter;
  filter.op = op;
  auto path = parse_path(key, where);
  if (!path) return unexpected(std::move(path.error()));
  filter.path = std::move(*path);
  if (op == Op::In) {
    if (!value.is_array()) return unexpected(invalid(where + " value must be an array"));
    filter.values = value.items();
  } else {
    filter.values.push_back(value);
  }
  return filter;
}

Result<Filter, Error> parse_junction(Op op, const JsonView& operand, const std::string& where) {
  if (!operand.is_array()) return unexpected(invalid(where + " must be an array of filters"));
  if (operand.items().size() < 2) {
    return unexpected(invalid(where + " must contain at least two filters"));
  }
  Filter filter;
  filter.op = op;
  for (size_t i = 0; i < operand.items().size(); ++i) {
    auto child = parse_filter(operand.items()[i], where + "[" + std::to_string(i) + "]");
    if (!child) return unexpected(std::move(child.error()));
    filter.children.push_back(std::move(*child));
  }
  return filter;
}

Result<Filter, Error> parse_filter(const JsonView& node, const std::string& where) {
  if (!node.is_object()) return unexpected(invalid(where + " must be an object"));
  if (node.members().size() != 1) {
    return unexpected(invalid(where + " must hold exactly one operator, found " +
                              std::to_string(node.members().size())));
  }
  const auto& [name, operand] = node.members().front();
  for (const auto& candidate : kOperators) {
    if (candidate.name != name) continue;
    std::string here = where + "." + name;
    if (candidate.op == Op::And || candidate.op == Op::Or) {
      return parse_junction(candidate.op, operand, here);
    }
    return parse_comparison(candidate.op, operand, here);
  }
  return unexpected(invalid(where + ": unsupported operator \"" + name +
                            "\" (supported: EQ, NEQ, GT, GTE, LT, LTE, IN, AND, OR)"));
}

Result<std::vector<SortKey>, Error> parse_sort(const JsonView& node) {
  if (!node.is_array()) return unexpected(invalid("sort must be an array"));
  std::vector<SortKey> keys;
  for (size_t i = 0; i < node.items().size(); ++i) {
    const JsonView& item = node.items()[i];
    std::string where = "sort[" + std::to_string(i) + "]";
    if (!item.is_object()) return unexpected(invalid(where + " must be an object"));
    const JsonView* key = item.find("key");
    if (!key || !key->is_string()) {
      return unexpected(invalid(where + ".key must be a string"));
    }
    SortKey sort_key;
    auto path = parse_path(key->string(), where + ".key");
    if (!path) return unexpected(std::move(path.error()));
    sort_key.path = std::move(*path);
    if (const JsonView* order = item.find("order"); order && !order->is_null()) {
      std::string text = order->string();
      if (!order->is_string() || (text != "ASC" && text != "DESC")) {
        return unexpected(invalid(where + ".order must be \"ASC\" or \"DESC\", got " +
                                  std::string(order->raw())));
      }
      sort_key.descending = text == "DESC";
    }
    keys.push_back(std::move(sort_key));
  }
  return keys;
}

// The token is the offset of the page's first match, in decimal.
Result<size_t, Error> parse_token(const JsonView& token) {
  if (token.is_null()) return size_t{0};
  if (!token.is_string()) return unexpected(invalid("page.token must be a string"));
  std::string text = token.string();
  if (text.empty()) return size_t{0};
  size_t offset = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return unexpected(invalid("page.token '" + text + "' is not a token this store returned"));
  }
  return offset;
}

Result<size_t, Error> parse_limit(const JsonView& limit) {
  if (limit.is_null()) return size_t{0};
  auto value = limit.integer();
  if (!value || *value < 0) {
    return unexpected(
        invalid("page.limit must be a non-negative integer, got " + std::string(limit.raw())));
  }
  return static_cast<size_t>(*value);
}

}  // namespace

struct StateQuery::Parsed {
  std::string text;  // the query's bytes, which the literals in `filter` point into
  std::optional<Filter> filter;
  std::vector<SortKey> sort;
  size_t limit = 0;
  size_t offset = 0;
};

StateQuery::StateQuery(std::unique_ptr<Parsed> parsed) : parsed_(std::move(parsed)) {}
StateQuery::StateQuery(StateQuery&&) noexcept = default;
StateQuery& StateQuery::operator=(StateQuery&&) noexcept = default;
StateQuery::~StateQuery() = default;

size_t StateQuery::limit() const {
  return parsed_->limit;
}
size_t StateQuery::offset() const {
  return parsed_->offset;
}

Result<StateQuery, Error> StateQuery::parse(std::string_view query_json) {
  // Parsed lives on the heap, so the views into its text stay valid when the query moves.
  auto parsed = std::make_unique<Parsed>();
  parsed->text = std::string(query_json);
  auto root = JsonView::parse(parsed->text);
  if (!root) return unexpected(invalid("not valid JSON: " + root.error()));
  if (!root->is_object()) return unexpected(invalid("the query must be a JSON object"));

  if (const JsonView* filter = root->find("filter")) {
    auto parsed_filter = parse_filter(*filter, "filter");
    if (!parsed_filter) return unexpected(std::move(parsed_filter.error()));
    parsed->filter = std::move(*parsed_filter);
  }
  if (const JsonView* sort = root->find("sort")) {
    auto keys = parse_sort(*sort);
    if (!keys) return unexpected(std::move(keys.error()));
    parsed->sort = std::move(*keys);
  }
  if (const JsonView* page = root->find("page")) {
    if (!page->is_object()) return unexpected(invalid("page must be an object"));
    if (const JsonView* limit = page->find("limit")) {
      auto value = parse_limit(*limit);
      if (!value) return unexpected(std::move(value.error()));
      parsed->limit = *value;
    }
    if (const JsonView* token = page->find("token")) {
      auto value = parse_token(*token);
      if (!value) return unexpected(std::move(value.error()));
      parsed->offset = *value;
    }
  }
  return StateQuery(std::move(parsed));
}

QueryResponse StateQuery::run(std::vector<QueryRow> rows) const {
  struct Match {
    size_t row;
    JsonView document;  // views into rows[row].value, which stays put until results are built
    std::vector<const JsonView*> sort_values;
  };
  std::vector<Match> matched;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto document = JsonView::parse(rows[i].value);
    if (!document) continue;
    if (parsed_->filter && !matches(*parsed_->filter, *document)) continue;
    matched.push_back(Match{i, std::move(*document), {}});
  }
  // Resolved once `matched` stops growing: the pointers lead into each document's own tree.
  for (auto& match : matched) {
    for (const auto& key : parsed_->sort) {
      match.sort_values.push_back(resolve(match.document, key.path));
    }
  }
  std::sort(matched.begin(), matched.end(), [&](const Match& a, const Match& b) {
    for (size_t k = 0; k < parsed_->sort.size(); ++k) {
      int c = compare_values(a.sort_values[k], b.sort_values[k]);
      if (c != 0) return parsed_->sort[k].descending ? c > 0 : c < 0;
    }
    return rows[a.row].key < rows[b.row].key;
  });

  size_t begin = std::min(parsed_->offset, matched.size());
  size_t end = matched.size();
  if (parsed_->limit > 0 && end - begin > parsed_->limit) end = begin + parsed_->limit;

  QueryResponse response;
  response.results.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    QueryRow& row = rows[matched[i].row];
    QueryResultItem item;
    item.key = std::move(row.key);
    item.data = std::move(row.value);
    item.etag = std::move(row.etag);
    response.results.push_back(std::move(item));
  }
  if (end < matched.size()) response.token = std::to_string(end);
  return response;
}

}  // namespace wasmdapr::dapr
