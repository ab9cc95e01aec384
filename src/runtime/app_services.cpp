#include "runtime/app_services.h"

#include <cstdio>

namespace wasmdapr::runtime {
namespace {

// The guest's HTTP request as the sidecar's server would have parsed it.
http::Request to_server_request(const http::OutboundRequest& outbound) {
  http::Request request;
  request.method = outbound.method;
  std::string_view target = outbound.url;
  if (auto scheme_end = target.find("://"); scheme_end != std::string_view::npos) {
    target.remove_prefix(scheme_end + 3);
    size_t path_start = target.find_first_of("/?");
    target = path_start == std::string_view::npos ? "/" : target.substr(path_start);
  }
  size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  if (request.path.empty()) request.path = "/";
  if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
  request.headers = outbound.headers;
  request.body = outbound.body;
  return request;
}

// The sidecar's answer as a client would receive it over TCP: names lower-cased, and the
// Content-Length the server adds; a HEAD answer carries no body.
http::OutboundResponse to_client_response(http::Response response, bool head) {
  http::OutboundResponse out;
  out.status = response.status;
  for (auto& [name, value] : response.headers) {
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  out.headers.emplace_back("content-length", std::to_string(response.body.size()));
  if (!head) out.body = std::move(response.body);
  return out;
}

}  // namespace

bool AppServices::wanted(const RunOptions& options, const wasm::Module& module) {
  if (options.dapr_http_port || !options.resources_paths.empty()) return true;
  for (const auto& import : module.info().imports) {
    if (import.module == "dapr" || import.module == "wasi_experimental_http") return true;
  }
  return false;
}

AppServices::AppServices(std::unique_ptr<SidecarHost> sidecar,
                         std::unique_ptr<hostabi::HttpAbi> http, std::string app_id,
                         uint16_t dapr_port, size_t max_body)
    : sidecar_(std::move(sidecar)),
      http_(std::move(http)),
      dapr_(sidecar_->components(), app_id, &sidecar_->api().invoker()),
      app_id_(std::move(app_id)),
      dapr_port_(dapr_port),
      max_body_(max_body) {
  http_->set_local(
      hostabi::Origin{"http", "127.0.0.1", dapr_port_},
      [this](const http::OutboundRequest& request) { return answer_in_process(request); });
}

http::OutboundResponse AppServices::answer_in_process(const http::OutboundRequest& request) {
  // The limits and framing of the HTTP server apply in process too.
  if (request.body.size() > max_body_) {
    return to_client_response(http::body_too_large(max_body_), false);
  }
  return to_client_response(sidecar_->api().handle(to_server_request(request)),
                            request.method == "HEAD");
}

Result<std::unique_ptr<AppServices>, std::string> AppServices::start(const RunOptions& options) {
  auto http = hostabi::HttpAbi::create({options.allowed_hosts, options.max_http_requests});
  if (!http) return unexpected("--allowed-host: " + http.error());
  auto sidecar = SidecarHost::start(options, options.dapr_http_port);
  if (!sidecar) return unexpected(std::move(sidecar.error()));
  uint16_t port = (*sidecar)->port().value_or(kDefaultDaprHttpPort);
  return std::make_unique<AppServices>(std::move(*sidecar), std::move(*http), options.app_id, port,
                                       options.max_request_body_bytes);
}

void AppServices::add_to_linker(wasm::Linker& linker) {
  http_->add_to_linker(linker);
  dapr_.add_to_linker(linker);
}

std::vector<std::string> AppServices::guest_environment() const {
  return {"APP_ID=" + app_id_, "DAPR_HTTP_PORT=" + std::to_string(dapr_port_)};
}

}  // namespace wasmdapr::runtime
