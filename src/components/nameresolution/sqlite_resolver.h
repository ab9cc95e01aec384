#pragma once
// Name resolution "sqlite": the sidecars of one machine share a SQLite file in which each one
// keeps a row (app id, address of its API, time of its last heartbeat), as Dapr's SQLite name
// resolver does for local development. Only the file is shared, so it must be on a local disk.
//
// A registered instance refreshes its row every `updateInterval` from a background thread and
// deletes it when the resolver is destroyed (a clean shutdown). A row whose heartbeat is older
// than `updateInterval + timeout` belongs to an instance that died without cleaning up: it is
// never returned, and every `cleanupInterval` one of the sidecars deletes such rows. With
// several live instances of an app id, each resolution picks one at random.
//
// spec.nameResolution.configuration fields:
//   connectionString   required: a file path (relative to the working directory) or a
//                      "file:" URI
//   updateInterval     Go duration, default 5s, truncated to whole seconds; it must exceed
//                      `timeout` by at least 1s
//   timeout            Go duration or whole seconds, at least 1s, default 1s: how long one
//                      database operation may take
//   tableName          default "hosts"; metadataTableName default "metadata" (letters,
//                      digits and '_' only); both tables are created when missing
//   cleanupInterval    Go duration, default 1h; 0 or less: no cleanup
//   busyTimeout        Go duration, default 800ms: how long to wait for another process's
//                      write lock
//   disableWAL         "true" keeps SQLite's rollback journal instead of write-ahead logging

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "dapr/name_resolution.h"

namespace wasmdapr::components {

// Wall-clock time as the rows record it (milliseconds since the epoch); tests pass their own.
using ResolverClock = std::function<std::chrono::milliseconds()>;

class SqliteResolver final : public dapr::NameResolver {
 public:
  struct Settings {
    std::string connection_string;
    std::chrono::seconds update_interval{5};
    std::chrono::milliseconds timeout{1000};
    std::string table = "hosts";
    std::string metadata_table = "metadata";
    std::chrono::milliseconds cleanup_interval{3'600'000};  // zero: never
    std::chrono::milliseconds busy_timeout{800};
    bool wal = true;
  };

  // The settings a spec asks for; InvalidArgument naming the file and field.
  static Result<Settings, dapr::Error> settings(const dapr::NameResolutionSpec& spec);
  // Opens (creating) the file and its tables; Unavailable when that fails.
  static Result<std::unique_ptr<SqliteResolver>, dapr::Error> open(Settings settings,
                                                                   ResolverClock clock = {});
  ~SqliteResolver() override;

  Result<void, dapr::Error> register_instance(const std::string& app_id,
                                              const std::string& address) override;
  Result<std::string, dapr::Error> resolve(const std::string& app_id) override;

  // What the background thread does every updateInterval once an instance is registered:
  // refresh its row (re-creating it if another sidecar's cleanup removed it) and clean up
  // stale rows when that is due. Public so that tests can drive it without waiting.
  Result<void, dapr::Error> heartbeat();

  struct Database;
  SqliteResolver(std::unique_ptr<Database> db, Settings settings, ResolverClock clock);

 private:
  struct Registration {
    std::string id;
    std::string app_id;
    std::string address;
  };

  Result<void, dapr::Error> write_row(const Registration& registration);
  Result<void, dapr::Error> clean_up_if_due();
  void delete_row();
  void heartbeat_loop();
  std::chrono::milliseconds now() const;
  std::chrono::milliseconds live_after() const;

  std::unique_ptr<Database> db_;
  Settings settings_;
  ResolverClock clock_;
  std::mutex mutex_;  // guards db_ and registration_
  std::optional<Registration> registration_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread heartbeat_thread_;
};

// The resolver a spec asks for, as a NameResolver: the settings, then the opened file.
Result<std::unique_ptr<dapr::NameResolver>, dapr::Error> make_sqlite_resolver(
    const dapr::NameResolutionSpec& spec);

}  // namespace wasmdapr::components
