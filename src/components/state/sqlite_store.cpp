#include "components/state/sqlite_store.h"

#include <sqlite3.h>

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "dapr/state_query.h"
#include "dapr/state_rules.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;
using Clock = std::chrono::system_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

Error sqlite_error(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  auto kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? Error::Code::Unavailable
                                                             : Error::Code::Internal;
  return Error{kind, what + ": " + sqlite3_errmsg(db)};
}

// A prepared statement in use: reset and unbound when the use ends.
class Use {
 public:
  explicit Use(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Use& text(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    return *this;
  }
  Use& blob(int i, std::string_view s) {
    sqlite3_bind_blob(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    return *this;
  }
  Use& integer(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Use& optional_integer(int i, std::optional<int64_t> v) {
    if (v) return integer(i, *v);
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool column_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string column_bytes(int i) const {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_;
};

// One connection and its prepared statements.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>, Error> open(const std::string& path,
                                                         const std::string& table,
                                                         int busy_timeout_ms) {
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK) return unexpected(sqlite_error(db.get(), "cannot open " + path));
    sqlite3_busy_timeout(db.get(), busy_timeout_ms);
    return std::make_unique<Connection>(std::move(db), table);
  }

  Connection(DbHandle db, std::string table) : db_(std::move(db)), table_(std::move(table)) {}

  Result<void, Error> exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      return unexpected(Error{Error::Code::Internal, sql.substr(0, 40) + "...: " + text});
    }
    return {};
  }

  Result<sqlite3_stmt*, Error> statement(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
        SQLITE_OK) {
      return unexpected(sqlite_error(db_.get(), "prepare"));
    }
    statements_.emplace(sql, StmtHandle(raw));
    return raw;
  }

  sqlite3* db() const { return db_.get(); }
  const std::string& table() const { return table_; }

 private:
  DbHandle db_;
  std::string table_;
  std::map<std::string, StmtHandle> statements_;
};

struct Row {
  std::string value;
  uint64_t version = 0;
  std::optional<int64_t> expires_at_ms;
};

class SqliteStore final : public dapr::StateStore {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
              uint64_t last_version, std::chrono::seconds cleanup_interval)
      : writer_(std::move(writer)), readers_(std::move(readers)), last_version_(last_version) {
    for (auto& r : readers_) free_readers_.push_back(r.get());
    if (cleanup_interval.count() > 0) {
      cleaner_ = std::jthread([this, cleanup_interval](std::stop_token stop) {
        clean_until_stopped(stop, cleanup_interval);
      });
    }
  }
  ~SqliteStore() override {
    if (cleaner_.joinable()) {
      cleaner_.request_stop();
      cleaner_wake_.notify_all();
    }
  }

  std::vector<std::string> features() const override {
    return {dapr::kFeatureEtag, dapr::kFeatureTransactional, dapr::kFeatureTtl, dapr::kFeatureActor,
            dapr::kFeatureQuery};
  }

  Result<dapr::GetResponse, Error> get(const dapr::GetRequest& request) override {
    ReaderLease lease(*this);
    auto row = select(lease.connection(), request.key, now_ms());
    if (!row) return unexpected(std::move(row.error()));
    dapr::GetResponse response;
    if (!*row) return response;
    response.found = true;
    response.value = std::move((*row)->value);
    response.etag = std::to_string((*row)->version);
    if ((*row)->expires_at_ms) {
      auto at = Clock::time_point(std::chrono::milliseconds(*(*row)->expires_at_ms));
      response.metadata["ttlExpireTime"] = dapr::rfc3339(at);
    }
    return response;
  }

  Result<void, Error> set(const dapr::SetRequest& request) override {
    return write_transaction([&](int64_t now) { return upsert(request, now); });
  }

  Result<void, Error> del(const dapr::DeleteRequest& request) override {
    return write_transaction([&](int64_t now) { return remove(request, now); });
  }

  Result<void, Error> transact(const std::vector<dapr::TransactionOperation>& operations,
                               const dapr::Metadata&) override {
    return write_transaction([&](int64_t now) -> Result<void, Error> {
      for (const auto& op : operations) {
        auto done = op.kind == dapr::TransactionOperation::Kind::Upsert ? upsert(op.upsert, now)
                                                                        : remove(op.del, now);
        if (!done) return done;
      }
      return {};
    });
  }

  // The caller's live rows come from a range scan of the primary key, in key order, so the
  // scan stops at the first key past the prefix.
  Result<dapr::QueryResponse, Error> query(const dapr::QueryRequest& request) override {
    auto query = dapr::StateQuery::parse(request.query_json);
    if (!query) return unexpected(std::move(query.error()));
    std::vector<dapr::QueryRow> rows;
    {
      ReaderLease lease(*this);
      Connection& conn = lease.connection();
      auto stmt =
          conn.statement(sql("SELECT key, value, version FROM $T WHERE key >= ?1 AND "
                             "(expires_at IS NULL OR expires_at > ?2) ORDER BY key"));
      if (!stmt) return unexpected(std::move(stmt.error()));
      Use use(*stmt);
      use.text(1, request.key_prefix).integer(2, now_ms());
      int rc;
      while ((rc = use.step()) == SQLITE_ROW) {
        std::string key = use.column_bytes(0);
        if (!key.starts_with(request.key_prefix)) break;
        rows.push_back(
            dapr::QueryRow{std::move(key), use.column_bytes(1), std::to_string(use.column_int(2))});
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return unexpected(sqlite_error(conn.db(), "query"));
      }
    }
    return query->run(std::move(rows));
  }

 private:
  // Readers take a connection of their own, so gets run in parallel with each other and with
  // the writer (WAL). With no reader connections (":memory:"), they share the writer's.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStore& store) : store_(store) {
      if (store_.readers_.empty()) {
        writer_lock_ = std::unique_lock(store_.writer_mutex_);
        connection_ = store_.writer_.get();
        return;
      }
      std::unique_lock lock(store_.readers_mutex_);
      store_.reader_free_.wait(lock, [&] { return !store_.free_readers_.empty(); });
      connection_ = store_.free_readers_.back();
      store_.free_readers_.pop_back();
    }
    ~ReaderLease() {
      if (writer_lock_.owns_lock()) return;
      {
        std::lock_guard lock(store_.readers_mutex_);
        store_.free_readers_.push_back(connection_);
      }
      store_.reader_free_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Connection& connection() { return *connection_; }

   private:
    SqliteStore& store_;
    Connection* connection_ = nullptr;
    std::unique_lock<std::mutex> writer_lock_;
  };

  std::string sql(const char* pattern) const {
    std::string out = pattern;
    for (size_t at = out.find("$T"); at != std::string::npos; at = out.find("$T")) {
      out.replace(at, 2, writer_->table());
    }
    return out;
  }

  Result<std::optional<Row>, Error> select(Connection& conn, const std::string& key, int64_t now) {
    auto stmt =
        conn.statement(sql("SELECT value, version, expires_at FROM $T WHERE key = ?1 AND "
                           "(expires_at IS NULL OR expires_at > ?2)"));
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    use.text(1, key).integer(2, now);
    int rc = use.step();
    if (rc == SQLITE_DONE) return std::optional<Row>{};
    if (rc != SQLITE_ROW) return unexpected(sqlite_error(conn.db(), "get " + key));
    Row row;
    row.value = use.column_bytes(0);
    row.version = static_cast<uint64_t>(use.column_int(1));
    if (!use.column_null(2)) row.expires_at_ms = use.column_int(2);
    return std::optional<Row>(std::move(row));
  }

  Result<std::optional<uint64_t>, Error> live_version(const std::string& key, int64_t now) {
    auto row = select(*writer_, key, now);
    if (!row) return unexpected(std::move(row.error()));
    return *row ? std::optional<uint64_t>((*row)->version) : std::nullopt;
  }

  // Runs `body` in one IMMEDIATE transaction: committed (and synced) when it succeeds, rolled
  // back otherwise. The version counter only moves for committed work.
  template <typename Body>
  Result<void, Error> write_transaction(Body&& body) {
    std::lock_guard lock(writer_mutex_);
    uint64_t version_before = last_version_;
    if (auto begun = step_sql("BEGIN IMMEDIATE"); !begun) return begun;
    auto done = body(now_ms());
    if (done && last_version_ != version_before) done = save_last_version();
    if (done) done = step_sql("COMMIT");
    if (!done) {
      (void)step_sql("ROLLBACK");
      last_version_ = version_before;
    }
    return done;
  }

  Result<void, Error> step_sql(const std::string& text) {
    auto stmt = writer_->statement(text);
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    if (use.step() != SQLITE_DONE) return unexpected(sqlite_error(writer_->db(), text));
    return {};
  }

  Result<void, Error> save_last_version() {
    auto stmt = writer_->statement(sql("UPDATE $T_meta SET last_version = ?1 WHERE id = 1"));
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    use.integer(1, static_cast<int64_t>(last_version_));
    if (use.step() != SQLITE_DONE) return unexpected(sqlite_error(writer_->db(), "version"));
    return {};
  }

  Result<void, Error> upsert(const dapr::SetRequest& request, int64_t now) {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    auto ttl = dapr::parse_ttl(request.metadata);
    if (!ttl) return unexpected(std::move(ttl.error()));
    auto current = live_version(request.key, now);
    if (!current) return unexpected(std::move(current.error()));
    auto ok = dapr::check_concurrency(*current, *etag, request.options.concurrency, request.key);
    if (!ok) return ok;
    auto stmt = writer_->statement(
        sql("INSERT INTO $T (key, value, version, expires_at) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, "
            "expires_at = excluded.expires_at"));
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    std::optional<int64_t> expires;
    if (*ttl) expires = now + std::chrono::milliseconds(**ttl).count();
    use.text(1, request.key).blob(2, request.value);
    use.integer(3, static_cast<int64_t>(++last_version_)).optional_integer(4, expires);
    if (use.step() != SQLITE_DONE) return unexpected(sqlite_error(writer_->db(), "set"));
    return {};
  }

  Result<void, Error> remove(const dapr::DeleteRequest& request, int64_t now) {
    auto etag = dapr::parse_etag(request.etag);
    if (!etag) return unexpected(std::move(etag.error()));
    if (*etag) {
      auto current = live_version(request.key, now);
      if (!current) return unexpected(std::move(current.error()));
      auto ok = dapr::check_concurrency(*current, *etag, dapr::Concurrency::LastWrite, request.key);
      if (!ok) return ok;
    }
    auto stmt = writer_->statement(sql("DELETE FROM $T WHERE key = ?1"));
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    use.text(1, request.key);
    if (use.step() != SQLITE_DONE) return unexpected(sqlite_error(writer_->db(), "delete"));
    return {};
  }

  void clean_until_stopped(std::stop_token stop, std::chrono::seconds interval) {
    std::mutex idle;
    std::unique_lock lock(idle);
    while (!stop.stop_requested()) {
      {
        std::lock_guard writer(writer_mutex_);
        (void)exec_purge();
      }
      cleaner_wake_.wait_for(lock, stop, interval, [] { return false; });
    }
  }

  Result<void, Error> exec_purge() {
    auto stmt =
        writer_->statement(sql("DELETE FROM $T WHERE expires_at IS NOT NULL AND "
                               "expires_at <= ?1"));
    if (!stmt) return unexpected(std::move(stmt.error()));
    Use use(*stmt);
    use.integer(1, now_ms());
    use.step();
    return {};
  }

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_;
  uint64_t last_version_;
  std::condition_variable_any cleaner_wake_;
  std::jthread cleaner_;  // last: stopped and joined before the connections close
};

bool valid_table_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Result<int64_t, Error> integer_setting(const dapr::ComponentSpec& spec, const std::string& name,
                                       int64_t fallback) {
  auto it = spec.metadata.find(name);
  if (it == spec.metadata.end() || it->second.empty()) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || v < 0) {
    return unexpected(Error{Error::Code::InvalidArgument,
                            name + " must be a non-negative integer, got '" + it->second + "'"});
  }
  return v;
}

bool in_memory(const std::string& path) {
  return path == ":memory:" || path.find("mode=memory") != std::string::npos;
}

Result<uint64_t, Error> prepare_schema(Connection& writer) {
  const std::string& t = writer.table();
  for (const std::string& statement :
       {std::string("PRAGMA journal_mode=WAL"), std::string("PRAGMA synchronous=FULL"),
        "CREATE TABLE IF NOT EXISTS " + t +
            " (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, version INTEGER NOT NULL, "
            "expires_at INTEGER)",
        "CREATE INDEX IF NOT EXISTS " + t + "_expiry ON " + t +
            " (expires_at) WHERE expires_at IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS " + t +
            "_meta (id INTEGER PRIMARY KEY CHECK (id = 1), last_version INTEGER NOT NULL)",
        "INSERT OR IGNORE INTO " + t + "_meta (id, last_version) VALUES (1, 0)"}) {
    if (auto done = writer.exec(statement); !done) return unexpected(std::move(done.error()));
  }
  auto stmt = writer.statement("SELECT last_version FROM " + t + "_meta WHERE id = 1");
  if (!stmt) return unexpected(std::move(stmt.error()));
  Use use(*stmt);
  if (use.step() != SQLITE_ROW) return unexpected(sqlite_error(writer.db(), "read version"));
  return static_cast<uint64_t>(use.column_int(0));
}

}  // namespace

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_sqlite_store(
    const dapr::ComponentSpec& spec) {
  auto path_it = spec.metadata.find("connectionString");
  if (path_it == spec.metadata.end() || path_it->second.empty()) {
    return unexpected(Error{Error::Code::InvalidArgument, "connectionString is required"});
  }
  const std::string& path = path_it->second;
  auto table_it = spec.metadata.find("tableName");
  std::string table = table_it == spec.metadata.end() ? "state" : table_it->second;
  if (!valid_table_name(table)) {
    return unexpected(Error{Error::Code::InvalidArgument,
                            "tableName '" + table + "' is not a plain SQL identifier"});
  }
  auto timeout = integer_setting(spec, "timeoutInSeconds", 20);
  if (!timeout) return unexpected(std::move(timeout.error()));
  auto cleanup = integer_setting(spec, "cleanupIntervalInSeconds", 3600);
  if (!cleanup) return unexpected(std::move(cleanup.error()));
  int busy_ms = static_cast<int>(*timeout * 1000);

  auto writer = Connection::open(path, table, busy_ms);
  if (!writer) return unexpected(std::move(writer.error()));
  auto last_version = prepare_schema(**writer);
  if (!last_version) return unexpected(std::move(last_version.error()));

  std::vector<std::unique_ptr<Connection>> readers;
  if (!in_memory(path)) {
    unsigned count = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
      auto reader = Connection::open(path, table, busy_ms);
      if (!reader) return unexpected(std::move(reader.error()));
      readers.push_back(std::move(*reader));
    }
  }
  return std::unique_ptr<dapr::StateStore>(std::make_unique<SqliteStore>(
      std::move(*writer), std::move(readers), *last_version, std::chrono::seconds(*cleanup)));
}

}  // namespace wasmdapr::components
