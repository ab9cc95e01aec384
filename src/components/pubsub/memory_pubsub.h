#pragma once
// pubsub.in-memory: a broker inside this process, for one sidecar and its app (and for tests).
// Nothing survives the process and nothing is shared with other processes.
//
// Contract:
// - publish() only queues: it never runs a handler, so a publisher never waits for its
//   subscribers. Every subscription of the topic (there may be several) gets its own copy.
//   A message published to a topic with no subscriber is discarded, as Dapr's in-memory
//   broker does.
// - Handlers run on the component's own delivery threads (`concurrency`, default 4), so
//   messages of one topic may be handled concurrently and in any order.
// - A handler answering Retry (or throwing) sees the message again after a backoff that
//   starts at `retryInterval` (default 100ms) and doubles up to 5s; after `maxRetries`
//   redeliveries (default 3; -1 means forever) the message is dropped. Drop and Success are
//   final.
// - close() stops accepting publishes and subscriptions, discards queued and waiting
//   messages, and returns once every handler already running has returned. It must not be
//   called from a handler.
//
// Metadata: concurrency (1..64), maxRetries (integer >= -1), retryInterval (a duration such as
// 250ms, 2s or 1m). Anything else is ignored.

#include <memory>

#include "dapr/component.h"
#include "dapr/pubsub.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_memory_pubsub(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
