#pragma once
// The app's pub/sub subscriptions: declarative ones from the resources, and programmatic ones
// the app lists at GET /dapr/subscribe; each message is delivered to the app over the app
// channel, as daprd delivers them.
//
// Start-up (in the background): wait for the app's port, GET /dapr/subscribe (200: a JSON array
// of v1 `route` or v2 `routes` entries; 404: none; anything else is logged and means none),
// then subscribe every subscription on its pub/sub. A declarative subscription wins over a
// programmatic one for the same pub/sub and topic. A subscription naming an unknown pub/sub,
// and a routing rule whose `match` is outside the supported expressions, are logged to stderr
// and skipped (the rule never matches).
//
// Routing: rules are tried in order, the first whose `match` holds gives the path; then the
// default route. `match` supports this subset of CEL: `event.<field>[.<field>...] == "text"`
// and `!=` (single or double quotes), combined with `&&`, `||` and parentheses. A field that is
// missing or not a string makes its comparison false.
//
// Delivery: POST <path> with Content-Type application/cloudevents+json, the event as body, its
// traceparent and the message's metadata as headers. A subscription with metadata
// rawPayload=true receives the bytes wrapped in a synthetic event (data_base64,
// application/octet-stream). The app's answer becomes the broker's DeliveryStatus:
// - 2xx with an empty, non-JSON or `{}` body, or {"status":"SUCCESS"} / "": Success;
// - 2xx with {"status":"RETRY"}, or any other status text: Retry; {"status":"DROP"}: Drop;
// - 404: Drop; any other status, or no answer: Retry.
// Drops, a 404, an event no route matches, an expired event (its `expiration` has passed) and
// a message that is not a CloudEvent go to the subscription's deadLetterTopic on the same
// pub/sub when it has one (the original message, re-published), else they are dropped.
//
// The destructor stops the start-up, waits for deliveries in flight, and makes later deliveries
// answer Retry without calling the app: no thread is left running and nothing reaches a
// destroyed sidecar even if a pub/sub outlives it.

#include <memory>
#include <string>
#include <thread>

#include "dapr/component.h"
#include "sidecar/app_channel.h"

namespace wasmdapr::sidecar {

class Subscriptions {
 public:
  // `components` and `app` must outlive this object.
  Subscriptions(const dapr::ComponentSet& components, const AppChannel& app, std::string app_id);
  ~Subscriptions();
  Subscriptions(const Subscriptions&) = delete;
  Subscriptions& operator=(const Subscriptions&) = delete;

  // Starts delivering, in the background: waits for the app's port, asks it for its
  // subscriptions, subscribes. Returns at once. Without an app channel it does nothing.
  // Only the first call has an effect.
  void start();

  // The "subscriptions" array of the metadata API: one entry per active subscription,
  // {pubsubname, topic, metadata?, rules:{rules:[{match,path}]}, deadLetterTopic?, type}, type
  // DECLARATIVE or PROGRAMMATIC; the default route is the last rule, with an empty match.
  std::string metadata_json() const;

 private:
  struct State;  // shared with the delivery handlers, which may outlive this object
  std::shared_ptr<State> state_;
  std::thread starter_;
};

}  // namespace wasmdapr::sidecar
