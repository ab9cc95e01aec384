#include "components/configuration/redis_configuration.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::ConfigurationStore>, dapr::Error> make_redis_configuration(
    const dapr::ComponentSpec&) {
  return unexpected(
      dapr::Error{dapr::Error::Code::NotSupported, "configuration.redis is not built yet"});
}

}  // namespace wasmdapr::components
