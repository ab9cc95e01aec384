#include "hostabi/http_abi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

#include "base/utf8.h"
#include "hostabi/guest_memory.h"

namespace wasmdapr::hostabi {
namespace {

using Error = HttpAbiError;
using wasm::HostContext;
using wasm::RawValue;
using wasm::Trap;

struct OpenResponse {
  uint16_t status = 0;
  http::HeaderList headers;
  std::string body;
  size_t cursor = 0;
};

// One Store's open responses, by handle.
struct Sessions {
  std::map<uint32_t, OpenResponse> open;
  uint32_t next = 0;

  uint32_t add(OpenResponse response) {
    while (open.contains(next)) ++next;
    uint32_t handle = next++;
    open.emplace(handle, std::move(response));
    return handle;
  }
};

const char kSessionsKey = 0;

Sessions& sessions_of(wasm::Store& store) {
  if (auto* s = static_cast<Sessions*>(store.extension(&kSessionsKey))) return *s;
  auto created = std::make_shared<Sessions>();
  Sessions& ref = *created;
  store.set_extension(&kSessionsKey, std::move(created));
  return ref;
}

bool is_token_char(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

// "name:value" lines separated by "\n" (a trailing "\r" is dropped with the line break).
std::optional<http::HeaderList> parse_request_headers(std::string_view text) {
  http::HeaderList headers;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return std::nullopt;
    std::string_view value = line.substr(colon + 1);
    if (std::any_of(value.begin(), value.end(), [](char c) {
          auto u = static_cast<unsigned char>(c);
          return (u < 0x20 && u != '\t') || u == 0x7F;
        })) {
      return std::nullopt;
    }
    headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return headers;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

uint32_t arg(std::span<const RawValue> args, size_t i) {
  return static_cast<uint32_t>(args[i]);
}

Error req(const HttpAbi& abi, HostContext& ctx, std::span<const RawValue> a) {
  GuestMemory mem(ctx.memory());
  Sessions& sessions = sessions_of(ctx.store());
  const auto& limit = abi.config().max_open_handles;
  if (limit && sessions.open.size() >= *limit) return Error::TooManySessions;

  auto url = mem.bytes(arg(a, 0), arg(a, 1));
  if (!url) return Error::BufferTooSmall;
  if (!base::is_valid_utf8(*url)) return Error::Utf8Error;
  auto method = mem.bytes(arg(a, 2), arg(a, 3));
  if (!method) return Error::BufferTooSmall;
  if (!base::is_valid_utf8(*method)) return Error::Utf8Error;
  auto body = mem.bytes(arg(a, 6), arg(a, 7));
  if (!body) return Error::BufferTooSmall;
  auto header_text = mem.bytes(arg(a, 4), arg(a, 5));
  if (!header_text) return Error::BufferTooSmall;
  if (!base::is_valid_utf8(*header_text)) return Error::Utf8Error;

  http::OutboundRequest request;
  request.url = std::string(*url);
  request.method = std::string(*method);
  request.body = std::string(*body);
  // The destination is checked before the method and headers, as the original host does.
  auto origin = abi.check_destination(request.url);
  if (!origin) return origin.error();
  if (!is_token(request.method)) return Error::InvalidMethod;
  auto headers = parse_request_headers(*header_text);
  if (!headers) return Error::InvalidEncoding;
  request.headers = std::move(*headers);
  // The result slots are checked before the request goes out: a request the guest cannot be
  // told about (it gets an error code) must not have happened.
  uint32_t status_ptr = arg(a, 8), handle_ptr = arg(a, 9);
  if (!mem.in_bounds(status_ptr, 2) || !mem.in_bounds(handle_ptr, 4)) {
    return Error::MemoryAccessError;
  }
  auto exchanged = abi.send(request, *origin);
  if (!exchanged) return exchanged.error();

  OpenResponse response{static_cast<uint16_t>(exchanged->status), std::move(exchanged->headers),
                        std::move(exchanged->body), 0};
  uint16_t status = response.status;
  uint32_t handle = sessions.add(std::move(response));
  mem.write_u16(status_ptr, status);
  mem.write_u32(handle_ptr, handle);
  return Error::Success;
}

OpenResponse* find(HostContext& ctx, uint32_t handle) {
  auto& open = sessions_of(ctx.store()).open;
  auto it = open.find(handle);
  return it == open.end() ? nullptr : &it->second;
}

// Writes `data` to buffer args (i, i+1) and its length to arg i+2.
Error write_out(const GuestMemory& mem, std::span<const RawValue> a, size_t i,
                std::string_view data) {
  if (data.size() > arg(a, i + 1)) return Error::BufferTooSmall;
  if (!mem.write(arg(a, i), data)) return Error::MemoryAccessError;
  if (!mem.write_u32(arg(a, i + 2), static_cast<uint32_t>(data.size()))) {
    return Error::MemoryAccessError;
  }
  return Error::Success;
}

Error close(const HttpAbi&, HostContext& ctx, std::span<const RawValue> a) {
  sessions_of(ctx.store()).open.erase(arg(a, 0));
  return Error::Success;
}

Error header_get(const HttpAbi&, HostContext& ctx, std::span<const RawValue> a) {
  GuestMemory mem(ctx.memory());
  OpenResponse* r = find(ctx, arg(a, 0));
  if (!r) return Error::InvalidHandle;
  auto name = mem.bytes(arg(a, 1), arg(a, 2));
  if (!name) return Error::BufferTooSmall;
  if (!base::is_valid_utf8(*name)) return Error::Utf8Error;
  std::string wanted = lower(*name);
  for (const auto& [n, v] : r->headers) {
    if (n == wanted) return write_out(mem, a, 3, v);
  }
  return Error::HeaderNotFound;
}

Error headers_get_all(const HttpAbi&, HostContext& ctx, std::span<const RawValue> a) {
  GuestMemory mem(ctx.memory());
  OpenResponse* r = find(ctx, arg(a, 0));
  if (!r) return Error::InvalidHandle;
  std::string all;
  for (const auto& [n, v] : r->headers) all.append(n).append(":").append(v).append("\n");
  return write_out(mem, a, 1, all);
}

Error body_read(const HttpAbi&, HostContext& ctx, std::span<const RawValue> a) {
  GuestMemory mem(ctx.memory());
  OpenResponse* r = find(ctx, arg(a, 0));
  if (!r) return Error::InvalidHandle;
  size_t n = std::min<size_t>(arg(a, 2), r->body.size() - r->cursor);
  if (!mem.in_bounds(arg(a, 3), 4)) return Error::MemoryAccessError;
  if (!mem.write(arg(a, 1), std::string_view(r->body).substr(r->cursor, n))) {
    return Error::MemoryAccessError;
  }
  r->cursor += n;
  mem.write_u32(arg(a, 3), static_cast<uint32_t>(n));
  return Error::Success;
}

using Handler = Error (*)(const HttpAbi&, HostContext&, std::span<const RawValue>);
struct Export {
  const char* name;
  size_t params;
  Handler handler;
  bool needs_memory;
};
constexpr Export kExports[] = {
    {"req", 10, req, true},
    {"close", 1, close, false},
    {"header_get", 6, header_get, true},
    {"headers_get_all", 4, headers_get_all, true},
    {"body_read", 4, body_read, true},
};

}  // namespace

Result<std::unique_ptr<HttpAbi>, std::string> HttpAbi::create(HttpAbiConfig config) {
  auto allow = AllowList::parse(config.allowed_hosts);
  if (!allow) return unexpected(std::move(allow).error());
  return std::make_unique<HttpAbi>(std::move(config), std::move(*allow));
}

void HttpAbi::set_local(Origin origin, LocalHandler handler) {
  local_origin_ = std::move(origin);
  local_handler_ = std::move(handler);
}

Result<Origin, HttpAbiError> HttpAbi::check_destination(std::string_view url) const {
  auto origin = parse_origin(url);
  if (!origin) return unexpected(Error::InvalidUrl);
  if (!allow_.allows(*origin)) return unexpected(Error::DestinationNotAllowed);
  return std::move(*origin);
}

Result<http::OutboundResponse, HttpAbiError> HttpAbi::send(const http::OutboundRequest& request,
                                                           const Origin& destination) const {
  if (local_origin_ && destination == *local_origin_) return local_handler_(request);
  auto response = http::perform(request);
  if (!response) return unexpected(Error::RequestError);
  return std::move(*response);
}

void HttpAbi::add_to_linker(wasm::Linker& linker) {
  for (const auto& e : kExports) {
    Handler handler = e.handler;
    bool needs_memory = e.needs_memory;
    wasm::FuncType type{std::vector<wasm::ValType>(e.params, wasm::ValType::I32),
                        {wasm::ValType::I32}};
    linker.define_host(
        "wasi_experimental_http", e.name, std::move(type),
        [this, handler, needs_memory](HostContext& ctx, std::span<const RawValue> args,
                                      std::span<RawValue> results) -> Result<void, Trap> {
          Error e =
              !needs_memory || ctx.memory() ? handler(*this, ctx, args) : Error::MemoryNotFound;
          results[0] = static_cast<uint32_t>(e);
          return {};
        });
  }
}

}  // namespace wasmdapr::hostabi
