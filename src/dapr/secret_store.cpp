#include "dapr/secret_store.h"

#include "dapr/json_view.h"

namespace wasmdapr::dapr {

std::string secret_json(const Secret& secret) {
  std::string out = "{";
  for (const auto& [key, value] : secret) {
    if (out.size() > 1) out += ',';
    out += JsonView::quote(key);
    out += ':';
    out += JsonView::quote(value);
  }
  out += '}';
  return out;
}

}  // namespace wasmdapr::dapr
