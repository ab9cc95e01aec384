#include "components/bindings/localstorage_binding.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_localstorage_binding(
    const dapr::ComponentSpec&) {
  return unexpected(
      dapr::Error{dapr::Error::Code::NotSupported, "bindings.localstorage is not built yet"});
}

}  // namespace wasmdapr::components
