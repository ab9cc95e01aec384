#pragma once
// The state store of a test app, for `wasmdapr run --resources-path` or AppServices: a
// temporary directory holding one component named "statestore" of the kind asked for (SQLite
// keeps its file there too), and for Redis a real redis-server of its own on a free port. The
// destructor stops the server and removes the directory.

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "support/redis_server.h"

namespace wasmdapr::testing {

enum class StoreKind { Memory, Sqlite, Redis };

// "memory", "sqlite", "redis": test-name friendly.
std::string to_string(StoreKind kind);
// How GoogleTest prints a parameter.
inline void PrintTo(StoreKind kind, std::ostream* out) {
  *out << to_string(kind);
}

class StateBackend {
 public:
  explicit StateBackend(StoreKind kind);
  ~StateBackend();
  StateBackend(const StateBackend&) = delete;
  StateBackend& operator=(const StateBackend&) = delete;

  // False (with the reason in failure()) when the directory or the Redis server is missing.
  bool ready() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }

  StoreKind kind() const { return kind_; }
  // The --resources-path directory.
  std::string resources() const { return (dir_ / "resources").string(); }
  // A scratch directory of the test's own (e.g. --state-dir).
  std::string scratch() const { return (dir_ / "scratch").string(); }
  // The Redis server, for Redis backends.
  RedisServer* redis() const { return redis_.get(); }

 private:
  StoreKind kind_;
  std::filesystem::path dir_;
  std::unique_ptr<RedisServer> redis_;
  std::string failure_;
};

}  // namespace wasmdapr::testing
