#pragma once
// state.redis: Dapr's Redis state store over hiredis. Each key is a hash {data, version};
// the etag is the version. Writes and deletes with etags, first-write concurrency and
// transactions run as Lua scripts (EVALSHA) so each is atomic on the server; TTL is EXPIRE.
//
// Metadata (as Dapr's): `redisHost` ("host:port", required), `redisPassword`,
// `redisUsername`, `redisDB` (default 0), `poolSize` (connections, default 2 x cores),
// `dialTimeout`/`readTimeout`/`writeTimeout` (Go durations such as "5s"), `ttlInSeconds`
// (default TTL for every write), `enableTLS` (only "false" is accepted).

#include <memory>

#include "dapr/component.h"
#include "dapr/state_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_redis_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
