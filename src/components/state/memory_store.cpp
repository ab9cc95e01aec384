#include "components/state/memory_store.h"

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "dapr/state_query.h"
#include "dapr/state_rules.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;
using Clock = std::chrono::system_clock;

struct Entry {
  std::string value;
  uint64_t version = 0;
  std::optional<Clock::time_point> expires;

  bool live(Clock::time_point now) const { return !expires || *expires > now; }
};

class MemoryStore final : public dapr::StateStore {
 public:
  std::vector<std::string> features() const override {
    return {dapr::kFeatureEtag, dapr::kFeatureTransactional, dapr::kFeatureTtl, dapr::kFeatureActor,
            dapr::kFeatureQuery};
  }

  Result<dapr::GetResponse, Error> get(const dapr::GetRequest& request) override {
    std::shared_lock lock(mutex_);
    dapr::GetResponse response;
    const Entry* entry = find_live(request.key, Clock::now());
    if (!entry) return response;
    response.found = true;
    response.value = entry->value;
    response.etag = std::to_string(entry->version);
    if (entry->expires) response.metadata["ttlExpireTime"] = dapr::rfc3339(*entry->expires);
    return response;
  }

  Result<void, Error> set(const dapr::SetRequest& request) override {
    std::unique_lock lock(mutex_);
    auto checked = check_set(request, Clock::now());
    if (!checked) return unexpected(std::move(checked.error()));
    apply_set(request, *checked);
    sweep_now_and_then();
    return {};
  }

  Result<void, Error> del(const dapr::DeleteRequest& request) override {
    std::unique_lock lock(mutex_);
    auto checked = check_delete(request, Clock::now());
    if (!checked) return unexpected(std::move(checked.error()));
    entries_.erase(request.key);
    return {};
  }

  Result<void, Error> transact(const std::vector<dapr::TransactionOperation>& operations,
                               const dapr::Metadata&) override {
    std::unique_lock lock(mutex_);
    auto now = Clock::now();
    // Every check happens before any change, so a failing operation leaves the store as it was.
    // Operations on the same key see the key as the transaction left it: simulate in order.
    std::vector<std::optional<Clock::time_point>> ttls;
    std::unordered_map<std::string, std::optional<uint64_t>> pending;
    for (const auto& op : operations) {
      bool upsert = op.kind == dapr::TransactionOperation::Kind::Upsert;
      const std::string& key = upsert ? op.upsert.key : op.del.key;
      auto current = pending.contains(key) ? pending[key] : current_version(key, now);
      auto etag = dapr::parse_etag(upsert ? op.upsert.etag : op.del.etag);
      if (!etag) return unexpected(std::move(etag.error()));
      auto concurrency = upsert ? op.upsert.options.concurrency : op.del.options.concurrency;
      if (!upsert && !*etag) concurrency = dapr::Concurrency::LastWrite;
      auto ok = dapr::check_concurrency(current, *etag, concurrency, key);
      if (!ok) return unexpected(std::move(ok.error()));
      if (upsert) {
        auto ttl = dapr::parse_ttl(op.upsert.metadata);
        if (!ttl) return unexpected(std::move(ttl.error()));
        ttls.push_back(expiry(*ttl, now));
        pending[key] = UINT64_MAX;  // exists, with a version no etag can match
      } else {
        pending[key] = std::nullopt;
      }
    }
    size_t next_ttl = 0;
    for (const auto& op : operations) {
      if (op.kind == dapr::TransactionOperation::Kind::Upsert) {
        apply_set(op.upsert, ttls[next_ttl++]);
      } else {
        entries_.erase(op.del.key);
      }
    }
    return {};
  }

  // A scan of the caller's live entries, evaluated outside the lock.
  Result<dapr::QueryResponse, Error> query(const dapr::QueryRequest& request) override {
    auto query = dapr::StateQuery::parse(request.query_json);
    if (!query) return unexpected(std::move(query.error()));
    std::vector<dapr::QueryRow> rows;
    {
      std::shared_lock lock(mutex_);
      auto now = Clock::now();
      for (const auto& [key, entry] : entries_) {
        if (!key.starts_with(request.key_prefix) || !entry.live(now)) continue;
        rows.push_back(dapr::QueryRow{key, entry.value, std::to_string(entry.version)});
      }
    }
    return query->run(std::move(rows));
  }

 private:
  static std::optional<Clock::time_point> expiry(std::optional<std::chrono::seconds> ttl,
                                                 Clock::time_point now) {
    if (!ttl) return std::nullopt;
    return now + *ttl;
  }

  const Entry* find_live(const std::string& key, Clock::time_point now) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || !it->second.live(now)) return nullptr;
    return &it->second;
  }

  std::optional<uint64_t> current_version(const std::string& key, Clock::time_point now) const {
    const Entry* entry = find_live(key, now);
    return entry ? std::optional<uint64_t>(entry->version) : std::nullopt;
  }

  // The expiry the write will have, once its etag, concurrency and TTL are checked.
  Result<std::optional<Clock::time_point>, Error> check_set(const dapr::SetRequest& request,
                                                            Clock::time_point now) const {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    auto ok = dapr::check_concurrency(current_version(request.key, now), *etag,
                                      request.options.concurrency, request.key);
    if (!ok) return unexpected(std::move(ok.error()));
    auto ttl = dapr::parse_ttl(request.metadata);
    if (!ttl) return unexpected(std::move(ttl.error()));
    return expiry(*ttl, now);
  }

  Result<void, Error> check_delete(const dapr::DeleteRequest& request,
                                   Clock::time_point now) const {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    // A delete without an etag is unconditional, whatever the concurrency mode.
    return dapr::check_concurrency(current_version(request.key, now), *etag,
                                   dapr::Concurrency::LastWrite, request.key);
  }

  void apply_set(const dapr::SetRequest& request, std::optional<Clock::time_point> expires) {
    Entry& entry = entries_[request.key];
    entry.value = request.value;
    entry.version = ++last_version_;
    entry.expires = expires;
  }

  // Expired entries are invisible at once; their memory is reclaimed every few thousand writes.
  void sweep_now_and_then() {
    if (++writes_since_sweep_ < 4096) return;
    writes_since_sweep_ = 0;
    auto now = Clock::now();
    std::erase_if(entries_, [&](const auto& kv) { return !kv.second.live(now); });
  }

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t last_version_ = 0;
  size_t writes_since_sweep_ = 0;
};

}  // namespace

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_memory_store(
    const dapr::ComponentSpec&) {
  return std::unique_ptr<dapr::StateStore>(std::make_unique<MemoryStore>());
}

}  // namespace wasmdapr::components
