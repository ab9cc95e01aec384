#pragma once
// state.sqlite: a durable store in one SQLite file (WAL, synchronous=FULL, so an
// acknowledged write survives a crash of the process), with etags, TTL and transactions.
//
// Metadata: `connectionString` (a file path, or "file:...?" URI; ":memory:" for tests),
// `tableName` (default "state"), `timeoutInSeconds` (busy timeout, default 20),
// `cleanupIntervalInSeconds` (how often expired rows are purged; default 3600, 0 disables).

#include <memory>

#include "dapr/component.h"
#include "dapr/state_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_sqlite_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
