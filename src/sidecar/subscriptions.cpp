#include "sidecar/subscriptions.h"

namespace wasmdapr::sidecar {

void Subscriptions::start() {}

std::string Subscriptions::metadata_json() const {
  return "[]";
}

}  // namespace wasmdapr::sidecar
