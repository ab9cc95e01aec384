#include "components/nameresolution/sqlite_resolver.h"

#include <sqlite3.h>

#include <cctype>
#include <cmath>
#include <map>
#include <random>
#include <string_view>

namespace wasmdapr::components {
namespace {

using dapr::Error;
using std::chrono::milliseconds;

Error invalid(const dapr::NameResolutionSpec& spec, const std::string& field,
              const std::string& problem) {
  std::string where = spec.source.empty() ? "" : spec.source + ": ";
  return Error{Error::Code::InvalidArgument,
               where + "spec.nameResolution.configuration." + field + " " + problem};
}

// Go's time.ParseDuration: an optional sign, then one or more decimal numbers each followed by
// a unit ("1h30m", "1.5s", "300ms"); "0" alone is zero.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  struct Unit {
    std::string_view name;
    double nanoseconds;
  };
  // Longer names first, so that "ms" is not read as "m".
  static constexpr Unit units[] = {{"ns", 1},  {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"ms", 1e6},
                                   {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    std::string number(text.substr(0, digits));
    if (number == ".") return std::nullopt;
    double value = std::strtod(number.c_str(), nullptr);
    text.remove_prefix(digits);
    const Unit* unit = nullptr;
    for (const Unit& candidate : units) {
      if (text.starts_with(candidate.name)) {
        unit = &candidate;
        break;
      }
    }
    if (!unit) return std::nullopt;
    text.remove_prefix(unit->name.size());
    total += value * unit->nanoseconds;
  }
  if (total > 9.2e18) return std::nullopt;
  auto result = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
  return negative ? -result : result;
}

// A duration field: a Go duration, or (where `integer_seconds`) a whole number of seconds.
Result<std::optional<milliseconds>, Error> duration_field(const dapr::NameResolutionSpec& spec,
                                                          const std::string& field,
                                                          bool integer_seconds) {
  auto it = spec.configuration.find(field);
  if (it == spec.configuration.end() || it->second.empty()) return std::optional<milliseconds>();
  const std::string& text = it->second;
  if (integer_seconds && text.find_first_not_of("0123456789") == std::string::npos) {
    return std::optional<milliseconds>(std::chrono::seconds(std::stoll(text.substr(0, 12))));
  }
  auto parsed = parse_go_duration(text);
  if (!parsed) {
    return unexpected(invalid(spec, field, "is not a duration such as \"5s\": \"" + text + "\""));
  }
  return std::optional<milliseconds>(std::chrono::duration_cast<milliseconds>(*parsed));
}

bool is_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string random_id() {
  std::random_device source;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id(32, '0');
  for (char& c : id) c = "0123456789abcdef"[hex(source)];
  return id;
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Leaves a cached statement ready for its next use.
struct ResetOnExit {
  sqlite3_stmt* statement;
  ~ResetOnExit() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

}  // namespace

struct SqliteResolver::Database {
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> handle;
  std::map<std::string, Statement> statements;  // destroyed before the handle

  Error failure(const std::string& what) const {
    return Error{Error::Code::Unavailable,
                 "name resolution database: " + what + ": " + sqlite3_errmsg(handle.get())};
  }

  Result<void, Error> exec(const std::string& sql) {
    if (sqlite3_exec(handle.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return unexpected(failure(sql.substr(0, sql.find(' ', 7))));
    }
    return {};
  }

  // The statement for `sql`, prepared once per connection and kept; the caller resets it
  // (ResetOnExit) when done.
  Result<sqlite3_stmt*, Error> prepare(const std::string& sql) {
    if (auto it = statements.find(sql); it != statements.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(handle.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw,
                           nullptr) != SQLITE_OK) {
      return unexpected(failure("prepare"));
    }
    statements.emplace(sql, Statement(raw));
    return raw;
  }

  // Runs a statement that returns no rows, with text and integer parameters in order.
  Result<int, Error> run(const std::string& sql, std::initializer_list<std::string_view> text,
                         std::initializer_list<int64_t> integers = {}) {
    auto statement = prepare(sql);
    if (!statement) return unexpected(std::move(statement.error()));
    ResetOnExit reset{*statement};
    int index = 1;
    for (std::string_view value : text) {
      sqlite3_bind_text(*statement, index++, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT);
    }
    for (int64_t value : integers) sqlite3_bind_int64(*statement, index++, value);
    if (sqlite3_step(*statement) != SQLITE_DONE) return unexpected(failure("write"));
    return sqlite3_changes(handle.get());
  }
};

Result<SqliteResolver::Settings, Error> SqliteResolver::settings(
    const dapr::NameResolutionSpec& spec) {
  Settings out;
  auto field = [&](const char* name) -> std::string {
    auto it = spec.configuration.find(name);
    return it == spec.configuration.end() ? std::string() : it->second;
  };
  out.connection_string = field("connectionString");
  if (out.connection_string.empty()) {
    return unexpected(invalid(spec, "connectionString", "is required: the SQLite file's path"));
  }
  auto timeout = duration_field(spec, "timeout", true);
  if (!timeout) return unexpected(std::move(timeout.error()));
  if (*timeout) {
    if (**timeout < std::chrono::seconds(1)) {
      return unexpected(invalid(spec, "timeout", "must be at least 1s"));
    }
    out.timeout = **timeout;
  }
  auto update = duration_field(spec, "updateInterval", false);
  if (!update) return unexpected(std::move(update.error()));
  if (*update) out.update_interval = std::chrono::duration_cast<std::chrono::seconds>(**update);
  if (out.update_interval < out.timeout + std::chrono::seconds(1)) {
    return unexpected(invalid(spec, "updateInterval", "must exceed timeout by at least 1s"));
  }
  auto cleanup = duration_field(spec, "cleanupInterval", false);
  if (!cleanup) return unexpected(std::move(cleanup.error()));
  if (*cleanup) out.cleanup_interval = std::max(milliseconds(0), **cleanup);
  auto busy = duration_field(spec, "busyTimeout", false);
  if (!busy) return unexpected(std::move(busy.error()));
  if (*busy) out.busy_timeout = std::max(milliseconds(0), **busy);
  if (std::string table = field("tableName"); !table.empty()) out.table = table;
  if (std::string table = field("metadataTableName"); !table.empty()) out.metadata_table = table;
  if (!is_identifier(out.table)) {
    return unexpected(invalid(spec, "tableName", "must be letters, digits and '_'"));
  }
  if (!is_identifier(out.metadata_table)) {
    return unexpected(invalid(spec, "metadataTableName", "must be letters, digits and '_'"));
  }
  if (out.table == out.metadata_table) {
    return unexpected(invalid(spec, "metadataTableName", "must differ from tableName"));
  }
  std::string wal = field("disableWAL");
  if (wal == "true" || wal == "1") {
    out.wal = false;
  } else if (!wal.empty() && wal != "false" && wal != "0") {
    return unexpected(invalid(spec, "disableWAL", "must be true or false: \"" + wal + "\""));
  }
  return out;
}

Result<std::unique_ptr<SqliteResolver>, Error> SqliteResolver::open(Settings settings,
                                                                    ResolverClock clock) {
  auto db = std::make_unique<Database>();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(settings.connection_string.c_str(), &raw, flags, nullptr);
  db->handle.reset(raw);
  if (rc != SQLITE_OK) return unexpected(db->failure("cannot open " + settings.connection_string));
  sqlite3_busy_timeout(raw, static_cast<int>(settings.busy_timeout.count()));
  if (settings.wal) {
    if (auto done = db->exec("PRAGMA journal_mode=WAL"); !done) {
      return unexpected(std::move(done.error()));
    }
  }
  const std::string& t = settings.table;
  for (const std::string& sql :
       {"CREATE TABLE IF NOT EXISTS " + t +
            " (registration_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, address TEXT NOT NULL,"
            " last_update INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + t + "_app_id ON " + t + " (app_id, last_update)",
        "CREATE TABLE IF NOT EXISTS " + settings.metadata_table +
            " (key TEXT PRIMARY KEY, value TEXT NOT NULL)"}) {
    if (auto done = db->exec(sql); !done) return unexpected(std::move(done.error()));
  }
  return std::make_unique<SqliteResolver>(std::move(db), std::move(settings), std::move(clock));
}

SqliteResolver::SqliteResolver(std::unique_ptr<Database> db, Settings settings, ResolverClock clock)
    : db_(std::move(db)), settings_(std::move(settings)), clock_(std::move(clock)) {}

SqliteResolver::~SqliteResolver() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  std::lock_guard lock(mutex_);
  delete_row();
}

milliseconds SqliteResolver::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
}

// A live instance refreshes its row every updateInterval, and each refresh takes at most
// `timeout`: a row older than both together belongs to an instance that is gone.
milliseconds SqliteResolver::live_after() const {
  return now() - settings_.update_interval - settings_.timeout;
}

Result<void, Error> SqliteResolver::write_row(const Registration& registration) {
  auto written =
      db_->run("INSERT OR REPLACE INTO " + settings_.table +
                   " (registration_id, app_id, address, last_update) VALUES (?, ?, ?, ?)",
               {registration.id, registration.app_id, registration.address}, {now().count()});
  if (!written) return unexpected(std::move(written.error()));
  return {};
}

void SqliteResolver::delete_row() {
  if (!registration_) return;
  (void)db_->run("DELETE FROM " + settings_.table + " WHERE registration_id = ?",
                 {registration_->id});
  registration_.reset();
}

Result<void, Error> SqliteResolver::register_instance(const std::string& app_id,
                                                      const std::string& address) {
  {
    std::lock_guard lock(mutex_);
    delete_row();
    Registration registration{random_id(), app_id, address};
    if (auto written = write_row(registration); !written) return written;
    registration_ = std::move(registration);
    if (!heartbeat_thread_.joinable()) {
      heartbeat_thread_ = std::thread([this] { heartbeat_loop(); });
    }
    // Best effort: a cleanup that fails now is tried again at the next heartbeat.
    (void)clean_up_if_due();
  }
  return {};
}

Result<std::string, Error> SqliteResolver::resolve(const std::string& app_id) {
  std::lock_guard lock(mutex_);
  auto statement = db_->prepare("SELECT address FROM " + settings_.table +
                                " WHERE app_id = ? AND last_update >= ? ORDER BY random() LIMIT 1");
  if (!statement) return unexpected(std::move(statement.error()));
  ResetOnExit reset{*statement};
  sqlite3_bind_text(*statement, 1, app_id.data(), static_cast<int>(app_id.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(*statement, 2, live_after().count());
  int rc = sqlite3_step(*statement);
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(*statement, 0);
    return std::string(text ? reinterpret_cast<const char*>(text) : "");
  }
  if (rc != SQLITE_DONE) return unexpected(db_->failure("read"));
  return unexpected(
      Error{Error::Code::NotFound, "no live instance of app id \"" + app_id + "\" is registered"});
}

Result<void, Error> SqliteResolver::heartbeat() {
  std::lock_guard lock(mutex_);
  if (!registration_) return {};
  auto updated =
      db_->run("UPDATE " + settings_.table + " SET last_update = ?2 WHERE registration_id = ?1",
               {registration_->id}, {now().count()});
  if (!updated) return unexpected(std::move(updated.error()));
  if (*updated == 0) {
    if (auto written = write_row(*registration_); !written) return written;
  }
  return clean_up_if_due();
}

// One sidecar per cleanupInterval deletes the rows of instances that are gone: the time of the
// last cleanup is kept in the metadata table, read and written in one write transaction.
Result<void, Error> SqliteResolver::clean_up_if_due() {
  if (settings_.cleanup_interval.count() <= 0) return {};
  if (auto begun = db_->exec("BEGIN IMMEDIATE"); !begun) return begun;
  auto finish = [&](Result<void, Error> outcome) -> Result<void, Error> {
    (void)db_->exec(outcome ? "COMMIT" : "ROLLBACK");
    return outcome;
  };
  auto statement =
      db_->prepare("SELECT value FROM " + settings_.metadata_table + " WHERE key = 'last-cleanup'");
  if (!statement) return finish(unexpected(std::move(statement.error())));
  int64_t last_cleanup = 0;
  {
    ResetOnExit reset{*statement};
    if (sqlite3_step(*statement) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(*statement, 0);
      last_cleanup = text ? std::atoll(reinterpret_cast<const char*>(text)) : 0;
    }
  }
  int64_t current = now().count();
  if (current - last_cleanup < settings_.cleanup_interval.count()) return finish({});
  auto deleted = db_->run("DELETE FROM " + settings_.table + " WHERE last_update < ?", {},
                          {live_after().count()});
  if (!deleted) return finish(unexpected(std::move(deleted.error())));
  auto stamped = db_->run("INSERT OR REPLACE INTO " + settings_.metadata_table +
                              " (key, value) VALUES ('last-cleanup', ?)",
                          {std::to_string(current)});
  if (!stamped) return finish(unexpected(std::move(stamped.error())));
  return finish({});
}

void SqliteResolver::heartbeat_loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, settings_.update_interval, [this] { return stopping_; })) {
    lock.unlock();
    // A failed refresh is retried at the next interval; the row only goes stale if every
    // refresh fails for longer than the timeout allows.
    (void)heartbeat();
    lock.lock();
  }
}

Result<std::unique_ptr<dapr::NameResolver>, Error> make_sqlite_resolver(
    const dapr::NameResolutionSpec& spec) {
  auto settings = SqliteResolver::settings(spec);
  if (!settings) return unexpected(std::move(settings.error()));
  auto resolver = SqliteResolver::open(std::move(*settings));
  if (!resolver) {
    Error error = std::move(resolver.error());
    if (!spec.source.empty()) error.message = spec.source + ": " + error.message;
    return unexpected(std::move(error));
  }
  return std::unique_ptr<dapr::NameResolver>(std::move(*resolver));
}

}  // namespace wasmdapr::components
