#include "sidecar/bindings_api.h"

#include <algorithm>
#include <map>

#include "dapr/json_view.h"
#include "sidecar/api_response.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::JsonView;

constexpr std::string_view kInvokeError = "ERR_INVOKE_OUTPUT_BINDING";

http::Response malformed(std::string_view message) {
  return api_error(400, "ERR_MALFORMED_REQUEST", message);
}

// The runtime decodes `data` and encodes it again before the component sees it: the result is
// compact, and an object's keys come out sorted (the last of duplicate keys wins). Numbers and
// strings keep their source text.
void compact(const JsonView& value, std::string& out) {
  if (value.is_object()) {
    std::map<std::string, const JsonView*> members;
    for (const auto& [key, member] : value.members()) members[key] = &member;
    out += '{';
    bool first = true;
    for (const auto& [key, member] : members) {
      if (!first) out += ',';
      first = false;
      out += JsonView::quote(key);
      out += ':';
      compact(*member, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (size_t i = 0; i < value.items().size(); ++i) {
      if (i) out += ',';
      compact(value.items()[i], out);
    }
    out += ']';
  } else {
    out += value.raw();
  }
}

}  // namespace

http::Response BindingsApi::invoke(std::string_view name, const http::Request& request) const {
  auto body = JsonView::parse(request.body);
  if (!body) return malformed("failed deserializing HTTP body: " + body.error());
  if (!body->is_object()) return malformed("failed deserializing HTTP body: not a JSON object");

  dapr::BindingRequest call;
  if (const JsonView* operation = body->find("operation"); operation && !operation->is_null()) {
    if (!operation->is_string()) return malformed("failed deserializing HTTP body: operation");
    call.operation = operation->string();
  }
  if (const JsonView* metadata = body->find("metadata"); metadata && !metadata->is_null()) {
    if (!metadata->is_object()) return malformed("failed deserializing HTTP body: metadata");
    for (const auto& [key, value] : metadata->members()) {
      if (!value.is_string()) {
        return malformed("failed deserializing HTTP body: metadata value of " + key +
                         " is not a string");
      }
      call.metadata[key] = value.string();
    }
  }
  const JsonView* data = body->find("data");
  if (data) {
    compact(*data, call.data);
  } else {
    call.data = "null";
  }

  std::string prefix = "error invoking output binding " + std::string(name) + ": ";
  dapr::OutputBinding* binding = components_.binding(std::string(name));
  if (!binding) {
    return api_error(500, kInvokeError,
                     prefix + "couldn't find output binding " + std::string(name));
  }
  std::vector<std::string> operations = binding->operations();
  if (std::find(operations.begin(), operations.end(), call.operation) == operations.end()) {
    std::string supported;
    for (const auto& op : operations) supported += " " + op;
    return api_error(500, kInvokeError,
                     prefix + "binding " + std::string(name) + " does not support operation " +
                         call.operation + ". supported operations:" + supported);
  }

  auto result = binding->invoke(call);
  if (!result) return api_error(500, kInvokeError, prefix + result.error().message);
  if (result->data.empty() && result->metadata.empty()) return no_content();
  http::Response response = json_ok(std::move(result->data));
  for (const auto& [key, value] : result->metadata) {
    // A value that would break the header line is left out rather than sent broken.
    if (key.find_first_of(":\r\n ") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    response.with_header("metadata." + key, value);
  }
  return response;
}

}  // namespace wasmdapr::sidecar
