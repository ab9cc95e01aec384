#include "components/pubsub/memory_pubsub.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::PubSub>, dapr::Error> make_memory_pubsub(const dapr::ComponentSpec&) {
  return unexpected(
      dapr::Error{dapr::Error::Code::NotSupported, "pubsub.in-memory is not built yet"});
}

}  // namespace wasmdapr::components
