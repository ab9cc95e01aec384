#pragma once
// state.redis: Dapr's Redis state store over hiredis. Each key is a hash {data, version}, as
// daprd keeps it, so both can share one Redis: `data` holds the value's bytes, `version` is the
// etag, a decimal counter that every write increments. A key's first version is the server's
// clock in microseconds, so an etag from a deleted earlier key of that name never matches.
// Writes and deletes with etags, first-write concurrency and transactions run as Lua scripts
// (EVALSHA, EVAL when the server lost its script cache) so each is atomic on the server; a
// transaction checks every etag before it changes anything. TTL is EXPIRE; a write without a
// TTL removes an earlier one (PERSIST). Reads report `ttlExpireTime` when a TTL is set.
//
// Metadata (as Dapr's): `redisHost` ("host:port", required), `redisPassword`,
// `redisUsername`, `redisDB` (default 0), `poolSize` (connections, default 2 x cores),
// `dialTimeout`/`readTimeout`/`writeTimeout` (Go durations such as "5s"; "0" or "-1": none;
// defaults 5s, 3s, readTimeout), `ttlInSeconds` (default TTL for every write), `enableTLS`
// (only "false" is accepted). Cluster and failover modes are refused.
//
// Errors: bad metadata, and credentials or a database the server refuses, are InvalidArgument
// naming the field. Creating the store connects and fails with Unavailable (naming redisHost)
// when Redis cannot be reached. At call time a lost server is Unavailable; broken connections
// are dropped and dialled again, so the store recovers by itself when Redis is back.

#include <memory>

#include "dapr/component.h"
#include "dapr/state_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::StateStore>, dapr::Error> make_redis_store(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
