#pragma once
// The state management building block as a C++ interface. Knows nothing of HTTP or WASM:
// the sidecar's HTTP API and the guest ABI are two adapters over these calls.
//
// Keys given to a StateStore are final store keys: the caller (sidecar/hostabi) has already
// applied Dapr's key prefix ("<appId>||<key>"). Values are the exact bytes the client sent
// (raw JSON or binary), returned unchanged. ETags are opaque strings that change on every
// write of a key.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dapr/error.h"
#include "base/result.h"

namespace wasmdapr::dapr {

using Metadata = std::map<std::string, std::string>;

enum class Concurrency { LastWrite, FirstWrite };
enum class Consistency { Eventual, Strong };

struct StateOptions {
  Concurrency concurrency = Concurrency::LastWrite;
  Consistency consistency = Consistency::Eventual;
};

struct SetRequest {
  std::string key;
  std::string value;                // raw bytes as received
  std::optional<std::string> etag;  // when present, the write succeeds only if it matches
  Metadata metadata;                // ttlInSeconds, contentType, ... (component specific)
  StateOptions options;
};

struct DeleteRequest {
  std::string key;
  std::optional<std::string> etag;
  Metadata metadata;
  StateOptions options;
};

struct GetRequest {
  std::string key;
  Metadata metadata;
  Consistency consistency = Consistency::Eventual;
};

struct GetResponse {
  bool found = false;
  std::string value;
  std::string etag;
  Metadata metadata;  // e.g. ttlExpireTime
};

struct BulkGetItem {
  std::string key;
  GetResponse response;
  std::optional<std::string> error;  // per-key failure
};

struct TransactionOperation {
  enum class Kind { Upsert, Delete } kind = Kind::Upsert;
  SetRequest upsert;  // kind == Upsert
  DeleteRequest del;  // kind == Delete
};

struct QueryRequest {
  std::string query_json;  // the alpha1 query body, as sent (see dapr/state_query.h)
  // Only keys starting with this are queried: the caller's own ("<appId>||"). Result keys are
  // full store keys; the caller strips the prefix.
  std::string key_prefix;
  Metadata metadata;
};

struct QueryResultItem {
  std::string key;
  std::string data;
  std::string etag;
  std::optional<std::string> error;
};

struct QueryResponse {
  std::vector<QueryResultItem> results;
  std::optional<std::string> token;
  Metadata metadata;
};

// Capability names exactly as /v1.0/metadata reports them.
inline constexpr const char* kFeatureEtag = "ETAG";
inline constexpr const char* kFeatureTransactional = "TRANSACTIONAL";
inline constexpr const char* kFeatureQuery = "QUERY_API";
inline constexpr const char* kFeatureTtl = "TTL";
inline constexpr const char* kFeatureActor = "ACTOR";

// Implementations must be safe to call from many threads at once.
class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::vector<std::string> features() const = 0;

  virtual Result<GetResponse, Error> get(const GetRequest& request) = 0;
  virtual Result<void, Error> set(const SetRequest& request) = 0;
  virtual Result<void, Error> del(const DeleteRequest& request) = 0;

  // Default: one get per key. Stores with a native multi-get override it.
  virtual Result<std::vector<BulkGetItem>, Error> bulk_get(const std::vector<GetRequest>& requests);
  // All-or-nothing. Default: NotSupported (the store is not transactional).
  virtual Result<void, Error> transact(const std::vector<TransactionOperation>& operations,
                                       const Metadata& metadata);
  // Default: NotSupported.
  virtual Result<QueryResponse, Error> query(const QueryRequest& request);
};

}  // namespace wasmdapr::dapr
