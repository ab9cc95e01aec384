#pragma once
// pubsub.redis: pub/sub over Redis Streams, laid out as Dapr's component lays it out, so both
// can share one Redis. A topic is a stream of that name; a message is one entry whose field
// `data` holds the bytes and, when the message carries metadata, field `metadata` a JSON object
// of strings. The content type is not kept (Dapr keeps none); deliveries have an empty one.
//
// Subscribers read through consumer groups: every group gets every message, and the consumers
// of one group share them. The group is the subscription's `consumerID` metadata, else the
// component's `consumerID`, else the component's name (the app id, Dapr's default, is not
// known to a component). A group is created at the start of the stream (id 0) when it does not
// exist yet, so its first subscriber also gets what was published before. Each subscription is
// a consumer of its own (named `<group>-<pid>-<n>`) with a connection and a thread of its
// own, reading with XREADGROUP ... BLOCK; messages are handled one at a time.
//
// Delivery is at least once: Success and Drop acknowledge (XACK); Retry leaves the message
// pending, and every `redeliverInterval` the subscription claims (XAUTOCLAIM) messages of its
// group pending longer than `processingTimeout` (of any consumer, also one that died) and
// delivers them again. A lost connection is dialled again once a second.
//
// Metadata: the connection settings of components/redis/redis_settings.h; `consumerID`;
// `processingTimeout` and `redeliverInterval` (Go durations such as "30s", or a number of
// milliseconds; default 60s each; "0" turns redelivery off); `maxLenApprox` (XADD MAXLEN ~,
// the stream's approximate bound; default none). Other metadata is ignored.
//
// Errors: bad metadata is InvalidArgument; creating the component connects and fails with
// Unavailable when Redis cannot be reached; publish fails with Unavailable while it is gone
// and after close(). close() stops every subscription without waiting for blocked reads,
// waits for handlers in flight, and must not be called from a handler.

#include <memory>

#include "dapr/component.h"
#include "dapr/pubsub.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_redis_pubsub(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
