#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {

namespace {
constexpr std::string_view kMetadataPrefix = "metadata.";
}

RequestParams RequestParams::of(const http::Request& request) {
  RequestParams params;
  for (auto& [name, value] : http::parse_query(request.query)) {
    if (name.starts_with(kMetadataPrefix)) {
      params.metadata[name.substr(kMetadataPrefix.size())] = std::move(value);
    } else {
      params.plain[name] = std::move(value);
    }
  }
  return params;
}

std::optional<std::string> RequestParams::get(std::string_view name) const {
  auto it = plain.find(std::string(name));
  if (it == plain.end()) return std::nullopt;
  return it->second;
}

Result<void, std::string> read_metadata_object(const dapr::JsonView& object, dapr::Metadata& into) {
  if (object.is_null()) return {};
  if (!object.is_object()) return unexpected(std::string("metadata must be an object of strings"));
  for (const auto& [name, value] : object.members()) {
    switch (value.kind()) {
      case dapr::JsonView::Kind::String:
        into[name] = value.string();
        break;
      case dapr::JsonView::Kind::Number:
      case dapr::JsonView::Kind::Bool:
        into[name] = std::string(value.raw());
        break;
      default:
        return unexpected("metadata '" + name + "' must be a string");
    }
  }
  return {};
}

void overlay(dapr::Metadata& item, const dapr::Metadata& request_level) {
  for (const auto& [name, value] : request_level) item[name] = value;
}

}  // namespace wasmdapr::sidecar
