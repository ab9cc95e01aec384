#pragma once
// The app's pub/sub subscriptions: declarative ones from the resources, and programmatic ones
// the app lists at GET /dapr/subscribe; each message is delivered to the app over the app
// channel. TODO: state the delivery contract.

#include <string>

#include "dapr/component.h"
#include "sidecar/app_channel.h"

namespace wasmdapr::sidecar {

class Subscriptions {
 public:
  // `components` and `app` must outlive this object.
  Subscriptions(const dapr::ComponentSet& components, const AppChannel& app, std::string app_id)
      : components_(components), app_(app), app_id_(std::move(app_id)) {}

  // Starts delivering, in the background: waits for the app's port, asks it for its
  // subscriptions, subscribes. Returns at once. Without an app channel it does nothing.
  void start();

  // The "subscriptions" array of the metadata API.
  std::string metadata_json() const;

 private:
  const dapr::ComponentSet& components_;
  const AppChannel& app_;
  std::string app_id_;
};

}  // namespace wasmdapr::sidecar
