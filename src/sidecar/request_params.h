#pragma once
// What a Dapr API request carries besides its body: `metadata.<key>` query parameters (passed
// on to the component with the prefix removed) and plain query parameters.

#include <optional>
#include <string>
#include <string_view>

#include "dapr/json_view.h"
#include "dapr/state_store.h"
#include "http/server.h"
#include "base/result.h"

namespace wasmdapr::sidecar {

struct RequestParams {
  dapr::Metadata metadata;  // from metadata.* parameters
  dapr::Metadata plain;     // every other parameter (the last of repeated names)

  static RequestParams of(const http::Request& request);
  std::optional<std::string> get(std::string_view name) const;
};

// A JSON object of string values ({"ttlInSeconds":"3"}) as metadata; numbers and booleans are
// taken as their text, as Dapr's YAML and SDKs write them both ways. `into` keeps what it had
// for keys the object does not name.
Result<void, std::string> read_metadata_object(const dapr::JsonView& object, dapr::Metadata& into);

// Request-level metadata wins over an item's own, as the Dapr runtime merges them.
void overlay(dapr::Metadata& item, const dapr::Metadata& request_level);

}  // namespace wasmdapr::sidecar
