#include "components/bindings/http_binding.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_http_binding(
    const dapr::ComponentSpec&) {
  return unexpected(dapr::Error{dapr::Error::Code::NotSupported, "bindings.http is not built yet"});
}

}  // namespace wasmdapr::components
