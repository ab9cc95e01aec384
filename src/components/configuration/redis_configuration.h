#pragma once
// configuration.redis: configuration items kept in Redis as Dapr's component keeps them, so
// both can share one Redis. An item is a plain string key whose value is `value||version`; the
// version part is optional (`value` alone is version ""), and only the text up to the next `||`
// after it is the version. Keys holding other types are not items and are skipped.
//
// get(keys) reads the items of `keys` that exist (MGET); get({}) reads every item of the
// database (SCAN, then MGET), a snapshot that concurrent writes may or may not be part of.
//
// subscribe() turns keyspace notifications on (CONFIG SET notify-keyspace-events KA, as Dapr's
// component does; a server that refuses CONFIG must have them on already), then SUBSCRIBEs to
// the keys' keyspace channels (PSUBSCRIBE to every key when `keys` is empty) on a connection
// of its own and returns once Redis has confirmed, so no later change is missed. Each
// subscription has its own thread, which reads the key after every change and calls the
// handler with that one item; a deleted or expired item arrives with an empty value. When the
// connection breaks, the thread dials again (once a second) and subscribes afresh; changes in
// between are lost. unsubscribe() stops the handler from being called again (except a call
// already running, so a handler may itself unsubscribe); the destructor stops and joins every
// thread.
//
// Metadata: the connection settings of components/redis/redis_settings.h (redisHost, ...).
// Errors: bad metadata is InvalidArgument; creating the store connects and fails with
// Unavailable when Redis cannot be reached; a lost server is Unavailable at call time.

#include <memory>

#include "dapr/component.h"
#include "dapr/configuration_store.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::ConfigurationStore>, dapr::Error> make_redis_configuration(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
