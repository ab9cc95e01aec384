#include "components/pubsub/redis_pubsub.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_redis_pubsub(const dapr::ComponentSpec&) {
  return unexpected(dapr::Error{dapr::Error::Code::NotSupported, "pubsub.redis is not built yet"});
}

}  // namespace wasmdapr::components
