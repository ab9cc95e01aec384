#pragma once
// The pub/sub building block as a C++ interface. Knows nothing of HTTP or WASM: the sidecar's
// HTTP API and the guest ABI are two adapters over these calls (through dapr/publisher.h,
// which wraps events as CloudEvents the same way for both).
//
// A PubSub moves opaque messages: `data` is exactly the bytes a subscriber will receive (a
// CloudEvent's JSON, or the raw payload with rawPayload=true). Delivery is at least once:
// a handler that answers Retry sees the message again later.

#include <functional>
#include <string>
#include <vector>

#include "dapr/error.h"
#include "dapr/state_store.h"
#include "base/result.h"

namespace wasmdapr::dapr {

struct PubSubMessage {
  std::string topic;
  std::string data;
  std::string content_type;  // of `data`, e.g. application/cloudevents+json
  Metadata metadata;         // per-message metadata (ttlInSeconds, partitionKey, ...)
};

// What a subscriber did with a message, as Dapr's delivery contract names it.
enum class DeliveryStatus { Success, Retry, Drop };

using MessageHandler = std::function<DeliveryStatus(const PubSubMessage&)>;

class PubSub {
 public:
  virtual ~PubSub() = default;

  // Capabilities the metadata API lists (e.g. "SUBSCRIBE_WILDCARDS"); none by default.
  virtual std::vector<std::string> features() const { return {}; }

  // Accepted means durable in the broker as far as the broker promises durability.
  virtual Result<void, Error> publish(const PubSubMessage& message) = 0;

  // From now on, every message published to `topic` reaches `handler`, called on the
  // component's own threads (never the caller's). `metadata` is the subscription's
  // (consumerGroup, ...). Fails when the broker refuses the subscription.
  virtual Result<void, Error> subscribe(const std::string& topic, const Metadata& metadata,
                                        MessageHandler handler) = 0;

  // Stops every subscription and waits for handlers in flight; publish fails afterwards.
  // Idempotent; the destructor calls it.
  virtual void close() = 0;
};

}  // namespace wasmdapr::dapr
