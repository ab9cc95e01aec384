#include "sidecar/state_api.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "dapr/json_view.h"
#include "sidecar/api_response.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::JsonView;

constexpr OperationErrors kSaveErrors{"ERR_STATE_SAVE", true};
constexpr OperationErrors kDeleteErrors{"ERR_STATE_DELETE", true};
constexpr OperationErrors kGetErrors{"ERR_STATE_GET"};
constexpr OperationErrors kBulkGetErrors{"ERR_STATE_BULK_GET"};
constexpr OperationErrors kTransactionErrors{"ERR_STATE_TRANSACTION"};
constexpr OperationErrors kQueryErrors{"ERR_STATE_QUERY"};

http::Response malformed(std::string_view message) {
  return api_error(400, "ERR_MALFORMED_REQUEST", message);
}

Result<std::string, std::string> store_key(const dapr::KeyPrefix& prefix, std::string_view key) {
  if (auto k = prefix.apply(key)) return std::move(*k);
  if (key.empty()) return unexpected(std::string("key is required"));
  return unexpected("input key/keyPrefix '" + std::string(key) + "' can't contain '||'");
}

Result<dapr::Concurrency, std::string> read_concurrency(std::string_view text) {
  if (text.empty() || text == "last-write") return dapr::Concurrency::LastWrite;
  if (text == "first-write") return dapr::Concurrency::FirstWrite;
  return unexpected("unrecognized concurrency model '" + std::string(text) + "'");
}

Result<dapr::Consistency, std::string> read_consistency(std::string_view text) {
  if (text.empty() || text == "eventual") return dapr::Consistency::Eventual;
  if (text == "strong") return dapr::Consistency::Strong;
  return unexpected("unrecognized consistency model '" + std::string(text) + "'");
}

// The text of an optional string member; numbers are accepted as their text.
std::optional<std::string> optional_text(const JsonView& object, std::string_view name) {
  const JsonView* member = object.find(name);
  if (!member || member->is_null()) return std::nullopt;
  return member->is_string() ? member->string() : std::string(member->raw());
}

Result<dapr::StateOptions, std::string> read_options(const JsonView& item) {
  dapr::StateOptions options;
  const JsonView* json = item.find("options");
  if (!json || json->is_null()) return options;
  if (!json->is_object()) return unexpected(std::string("options must be an object"));
  auto concurrency = read_concurrency(optional_text(*json, "concurrency").value_or(""));
  if (!concurrency) return unexpected(std::move(concurrency.error()));
  auto consistency = read_consistency(optional_text(*json, "consistency").value_or(""));
  if (!consistency) return unexpected(std::move(consistency.error()));
  options.concurrency = *concurrency;
  options.consistency = *consistency;
  return options;
}

// The parts every state item has (save items and transaction requests).
struct ItemParts {
  std::string key;
  std::optional<std::string> etag;
  dapr::Metadata metadata;
  dapr::StateOptions options;
};

Result<ItemParts, std::string> read_item(const JsonView& item, const dapr::KeyPrefix& prefix,
                                         const dapr::Metadata& request_metadata) {
  if (!item.is_object()) return unexpected(std::string("each state item must be an object"));
  const JsonView* key = item.find("key");
  if (!key || !key->is_string()) return unexpected(std::string("a state item needs a \"key\""));
  ItemParts parts;
  auto full_key = store_key(prefix, key->string());
  if (!full_key) return unexpected(std::move(full_key.error()));
  parts.key = std::move(*full_key);
  parts.etag = optional_text(item, "etag");
  if (const JsonView* metadata = item.find("metadata")) {
    if (auto read = read_metadata_object(*metadata, parts.metadata); !read) {
      return unexpected(std::move(read.error()));
    }
  }
  overlay(parts.metadata, request_metadata);
  auto options = read_options(item);
  if (!options) return unexpected(std::move(options.error()));
  parts.options = *options;
  return parts;
}

dapr::SetRequest to_set(ItemParts parts, const JsonView& item) {
  const JsonView* value = item.find("value");
  return dapr::SetRequest{std::move(parts.key), value ? std::string(value->raw()) : "null",
                          std::move(parts.etag), std::move(parts.metadata), parts.options};
}

dapr::DeleteRequest to_delete(ItemParts parts) {
  return dapr::DeleteRequest{std::move(parts.key), std::move(parts.etag), std::move(parts.metadata),
                             parts.options};
}

// A stored value inside a JSON document: itself when it is JSON, else as a JSON string.
std::string embedded_value(std::string_view value) {
  return JsonView::valid(value) ? std::string(value) : JsonView::quote(value);
}

std::string metadata_json(const dapr::Metadata& metadata) {
  std::string out = "{";
  for (const auto& [name, value] : metadata) {
    if (out.size() > 1) out += ',';
    out += JsonView::quote(name) + ':' + JsonView::quote(value);
  }
  return out + "}";
}

bool supports(const dapr::StateStore& store, std::string_view feature) {
  auto features = store.features();
  return std::find(features.begin(), features.end(), feature) != features.end();
}

http::Response not_supported(std::string_view store, std::string_view what) {
  return api_error(500, "ERR_STATE_STORE_NOT_SUPPORTED",
                   "state store " + std::string(store) + " doesn't support " + std::string(what));
}

// A member that may be left out: absent or null reads as an empty array.
const JsonView* array_or_empty(const JsonView* member) {
  static const JsonView empty = *JsonView::parse("[]");
  return member && !member->is_null() ? member : &empty;
}

// The request-level metadata of a JSON body's "metadata" object, with the query's metadata.*
// parameters over it.
Result<dapr::Metadata, http::Response> request_metadata(const JsonView& body,
                                                        const http::Request& request) {
  dapr::Metadata metadata;
  if (const JsonView* m = body.find("metadata")) {
    if (auto read = read_metadata_object(*m, metadata); !read) {
      return unexpected(malformed(read.error()));
    }
  }
  overlay(metadata, RequestParams::of(request).metadata);
  return metadata;
}

Result<JsonView, http::Response> parse_body(const http::Request& request) {
  auto json = JsonView::parse(request.body);
  if (!json) return unexpected(malformed("malformed JSON request body: " + json.error()));
  return std::move(*json);
}

}  // namespace

StateApi::StateApi(const dapr::ComponentSet& components, std::string_view app_id) {
  for (const auto& [name, entry] : components.state) {
    stores_.emplace(name, Target{entry.store.get(), dapr::KeyPrefix(entry.spec, app_id)});
  }
}

Result<const StateApi::Target*, http::Response> StateApi::target(std::string_view store) const {
  if (stores_.empty()) {
    return unexpected(
        api_error(500, "ERR_STATE_STORE_NOT_CONFIGURED", "state store is not configured"));
  }
  auto it = stores_.find(store);
  if (it == stores_.end()) {
    return unexpected(api_error(400, "ERR_STATE_STORE_NOT_FOUND",
                                "state store " + std::string(store) + " is not found"));
  }
  return &it->second;
}

Result<StateApi::KeyRequest, http::Response> StateApi::key_request(
    std::string_view store, std::string_view key, const http::Request& request) const {
  auto t = target(store);
  if (!t) return unexpected(std::move(t.error()));
  auto full_key = store_key((*t)->prefix, key);
  if (!full_key) return unexpected(malformed(full_key.error()));
  return KeyRequest{*t, std::move(*full_key), RequestParams::of(request)};
}

http::Response StateApi::save(std::string_view store, const http::Request& request) const {
  auto t = target(store);
  if (!t) return std::move(t.error());
  auto body = parse_body(request);
  if (!body) return std::move(body.error());
  if (!body->is_array()) return malformed("the request body must be a JSON array of state items");
  auto params = RequestParams::of(request);
  std::vector<dapr::SetRequest> writes;
  writes.reserve(body->items().size());
  for (const auto& item : body->items()) {
    auto parts = read_item(item, (*t)->prefix, params.metadata);
    if (!parts) return malformed(parts.error());
    writes.push_back(to_set(std::move(*parts), item));
  }
  for (const auto& write : writes) {
    if (auto done = (*t)->store->set(write); !done)
      return operation_error(done.error(), kSaveErrors);
  }
  return no_content();
}

http::Response StateApi::get(std::string_view store, std::string_view key,
                             const http::Request& request) const {
  auto k = key_request(store, key, request);
  if (!k) return std::move(k.error());
  auto consistency = read_consistency(k->params.get("consistency").value_or(""));
  if (!consistency) return malformed(consistency.error());
  auto got =
      k->target->store->get(dapr::GetRequest{std::move(k->key), k->params.metadata, *consistency});
  if (!got) return operation_error(got.error(), kGetErrors);
  if (!got->found) return no_content();
  http::Response response;
  response.body = std::move(got->value);
  response.with_header("Content-Type", JsonView::valid(response.body) ? "application/json"
                                                                      : "application/octet-stream");
  if (!got->etag.empty()) response.with_header("ETag", got->etag);
  for (const auto& [name, value] : got->metadata) response.with_header("metadata." + name, value);
  return response;
}

http::Response StateApi::bulk_get(std::string_view store, const http::Request& request) const {
  auto t = target(store);
  if (!t) return std::move(t.error());
  auto body = parse_body(request);
  if (!body) return std::move(body.error());
  if (!body->is_object()) return malformed("the request body must be a JSON object");
  // As the runtime reads it, a request without keys asks for none.
  const JsonView* keys = array_or_empty(body->find("keys"));
  if (!keys->is_array()) return malformed("\"keys\" must be an array of strings");
  auto metadata = request_metadata(*body, request);
  if (!metadata) return std::move(metadata.error());
  if (const JsonView* parallelism = body->find("parallelism");
      parallelism && !parallelism->is_null() && parallelism->integer().value_or(0) < 0) {
    return malformed("parallelism must be a non-negative integer");
  }
  std::vector<dapr::GetRequest> gets;
  std::vector<std::string> user_keys;
  for (const auto& key : keys->items()) {
    if (!key.is_string()) return malformed("every key must be a string");
    auto full_key = store_key((*t)->prefix, key.string());
    if (!full_key) return malformed(full_key.error());
    user_keys.push_back(key.string());
    gets.push_back(dapr::GetRequest{std::move(*full_key), *metadata});
  }
  auto items = (*t)->store->bulk_get(gets);
  if (!items) return operation_error(items.error(), kBulkGetErrors);
  std::string out = "[";
  for (size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    if (i) out += ',';
    out += R"({"key":)" + JsonView::quote(user_keys[i]);
    if (item.error) {
      out += R"(,"error":)" + JsonView::quote(*item.error);
    } else if (item.response.found) {
      out += R"(,"data":)" + embedded_value(item.response.value);
      if (!item.response.etag.empty()) out += R"(,"etag":)" + JsonView::quote(item.response.etag);
      if (!item.response.metadata.empty()) {
        out += R"(,"metadata":)" + metadata_json(item.response.metadata);
      }
    }
    out += '}';
  }
  return json_ok(out + "]");
}

http::Response StateApi::del(std::string_view store, std::string_view key,
                             const http::Request& request) const {
  auto k = key_request(store, key, request);
  if (!k) return std::move(k.error());
  auto concurrency = read_concurrency(k->params.get("concurrency").value_or(""));
  if (!concurrency) return malformed(concurrency.error());
  auto consistency = read_consistency(k->params.get("consistency").value_or(""));
  if (!consistency) return malformed(consistency.error());
  dapr::DeleteRequest del{std::move(k->key), std::nullopt, k->params.metadata,
                          dapr::StateOptions{*concurrency, *consistency}};
  if (auto etag = request.header("If-Match"); !etag.empty()) del.etag = std::string(etag);
  if (auto done = k->target->store->del(del); !done) {
    return operation_error(done.error(), kDeleteErrors);
  }
  return no_content();
}

http::Response StateApi::transaction(std::string_view store, const http::Request& request) const {
  auto t = target(store);
  if (!t) return std::move(t.error());
  // As the runtime does, the capability is checked before the body is read.
  if (!supports(*(*t)->store, dapr::kFeatureTransactional)) {
    return not_supported(store, "transaction");
  }
  auto body = parse_body(request);
  if (!body) return std::move(body.error());
  if (!body->is_object()) return malformed("the request body must be a JSON object");
  // As the runtime reads it, a transaction without operations changes nothing.
  const JsonView* operations = array_or_empty(body->find("operations"));
  if (!operations->is_array()) return malformed("\"operations\" must be an array");
  auto metadata = request_metadata(*body, request);
  if (!metadata) return std::move(metadata.error());
  std::vector<dapr::TransactionOperation> ops;
  for (const auto& op : operations->items()) {
    const JsonView* kind = op.is_object() ? op.find("operation") : nullptr;
    const JsonView* item = op.is_object() ? op.find("request") : nullptr;
    if (!kind || !kind->is_string() || !item) {
      return malformed("each operation needs \"operation\" and \"request\"");
    }
    auto parts = read_item(*item, (*t)->prefix, *metadata);
    if (!parts) return malformed(parts.error());
    dapr::TransactionOperation operation;
    if (kind->string() == "upsert") {
      operation.upsert = to_set(std::move(*parts), *item);
    } else if (kind->string() == "delete") {
      operation.kind = dapr::TransactionOperation::Kind::Delete;
      operation.del = to_delete(std::move(*parts));
    } else {
      return api_error(400, "ERR_NOT_SUPPORTED_STATE_OPERATION",
                       "operation type " + kind->string() + " not supported");
    }
    ops.push_back(std::move(operation));
  }
  auto done = (*t)->store->transact(ops, *metadata);
  if (!done && done.error().code == dapr::Error::Code::NotSupported) {
    return not_supported(store, "transaction");
  }
  if (!done) return operation_error(done.error(), kTransactionErrors);
  return no_content();
}

http::Response StateApi::query(std::string_view store, const http::Request& request) const {
  auto t = target(store);
  if (!t) return std::move(t.error());
  // The runtime checks the capability first, then reports an unreadable query, like any other
  // failed query, as 500 ERR_STATE_QUERY.
  if (!supports(*(*t)->store, dapr::kFeatureQuery)) return not_supported(store, "query");
  if (!JsonView::valid(request.body)) {
    return api_error(500, "ERR_STATE_QUERY", "failed to parse JSON query body");
  }
  dapr::QueryRequest query;
  query.query_json = request.body;
  query.metadata = RequestParams::of(request).metadata;
  query.key_prefix = std::string((*t)->prefix.prefix());
  auto result = (*t)->store->query(query);
  if (!result && result.error().code == dapr::Error::Code::NotSupported) {
    return not_supported(store, "query");
  }
  if (!result) return operation_error(result.error(), kQueryErrors);
  std::string out = R"({"results":[)";
  for (size_t i = 0; i < result->results.size(); ++i) {
    const auto& item = result->results[i];
    if (i) out += ',';
    out += R"({"key":)" + JsonView::quote((*t)->prefix.strip(item.key));
    out += R"(,"data":)" + embedded_value(item.data);
    if (!item.etag.empty()) out += R"(,"etag":)" + JsonView::quote(item.etag);
    if (item.error) out += R"(,"error":)" + JsonView::quote(*item.error);
    out += '}';
  }
  out += ']';
  if (result->token) out += R"(,"token":)" + JsonView::quote(*result->token);
  if (!result->metadata.empty()) out += R"(,"metadata":)" + metadata_json(result->metadata);
  return json_ok(out + "}");
}

}  // namespace wasmdapr::sidecar
