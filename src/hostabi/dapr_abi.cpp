#include "hostabi/dapr_abi.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "dapr/publisher.h"
#include "hostabi/guest_memory.h"
#include "hostabi/list_codec.h"

namespace wasmdapr::hostabi {
namespace {

using wasm::FuncType;
using wasm::HostContext;
using wasm::RawValue;
using wasm::Trap;
using wasm::ValType;
using Status = DaprAbiStatus;

FuncType i32_function(size_t params) {
  return FuncType{std::vector<ValType>(params, ValType::I32), {ValType::I32}};
}

Status from_error(const dapr::Error& e) {
  switch (e.code) {
    case dapr::Error::Code::NotFound:
      return Status::ComponentNotFound;
    case dapr::Error::Code::InvalidArgument:
      return Status::InvalidArgument;
    case dapr::Error::Code::EtagMismatch:
      return Status::EtagMismatch;
    case dapr::Error::Code::NotSupported:
      return Status::NotSupported;
    case dapr::Error::Code::Unavailable:
      return Status::Unavailable;
    case dapr::Error::Code::Internal:
      return Status::Internal;
  }
  return Status::Internal;
}

uint32_t arg(std::span<const RawValue> args, size_t i) {
  return static_cast<uint32_t>(args[i]);
}

// The result of a call with effects (invoke, binding) that did not fit the guest's buffer,
// kept per Store until `result_take` fetches it or the next such call replaces it, so that
// the guest never has to repeat the call itself to get a larger answer.
struct KeptResult {
  bool present = false;
  std::string data;
};

constexpr char kKeptResultKey = 0;

KeptResult& kept_result(wasm::Store& store) {
  auto* kept = static_cast<KeptResult*>(store.extension(&kKeptResultKey));
  if (!kept) {
    auto fresh = std::make_shared<KeptResult>();
    kept = fresh.get();
    store.set_extension(&kKeptResultKey, std::move(fresh));
  }
  return *kept;
}

// One call's view of its arguments: strings read out of guest memory, a result buffer.
class Call {
 public:
  Call(HostContext& ctx, std::span<const RawValue> args)
      : store_(ctx.store()), memory_(ctx.memory()), args_(args) {}

  bool has_memory() const { return memory_.exists(); }
  // The guest bytes at argument pair (i, i+1).
  std::optional<std::string_view> bytes(size_t i) const {
    return memory_.bytes(arg(args_, i), arg(args_, i + 1));
  }
  // Writes `result` to the buffer of arguments (i, i+1) and its length to argument i+2.
  Status write_result(size_t i, std::string_view result) const {
    uint32_t buf = arg(args_, i), cap = arg(args_, i + 1), len_out = arg(args_, i + 2);
    if (!memory_.write_u32(len_out, static_cast<uint32_t>(result.size()))) {
      return Status::MemoryAccessError;
    }
    if (result.size() > cap) return Status::BufferTooSmall;
    return memory_.write(buf, result) ? Status::Ok : Status::MemoryAccessError;
  }
  // As write_result, but a result too large for the buffer is kept for `result_take`.
  Status write_or_keep(size_t i, std::string result) const {
    KeptResult& kept = kept_result(store_);
    kept = {};
    Status status = write_result(i, result);
    if (status == Status::BufferTooSmall) kept = {true, std::move(result)};
    return status;
  }
  KeptResult& kept() const { return kept_result(store_); }
  Status write_u32(size_t i, uint32_t value) const {
    return memory_.write_u32(arg(args_, i), value) ? Status::Ok : Status::MemoryAccessError;
  }

 private:
  wasm::Store& store_;
  GuestMemory memory_;
  std::span<const RawValue> args_;
};

using Handler = Status (*)(const DaprAbi&, const Call&);

// Resolves the store name and user key at argument pairs (0,1) and (2,3).
struct StateKey {
  const DaprAbi::StateTarget* target = nullptr;
  std::string key;
};

// The named state store, or why there is none: a name that is not text is invalid.
std::optional<Status> find_store(const DaprAbi& abi, std::string_view name,
                                 const DaprAbi::StateTarget*& out) {
  if (!base::is_valid_utf8(name)) return Status::InvalidArgument;
  out = abi.state_target(name);
  if (!out) return Status::ComponentNotFound;
  return std::nullopt;
}

// The store key of a guest's key: UTF-8, and a key Dapr allows (not empty, no "||").
std::optional<std::string> store_key(const DaprAbi::StateTarget& target, std::string_view key) {
  if (!base::is_valid_utf8(key)) return std::nullopt;
  return target.prefix.apply(key);
}

std::optional<Status> resolve(const DaprAbi& abi, const Call& call, StateKey& out) {
  auto store = call.bytes(0);
  auto key = call.bytes(2);
  if (!store || !key) return Status::MemoryAccessError;
  if (auto failed = find_store(abi, *store, out.target)) return failed;
  auto full = store_key(*out.target, *key);
  if (!full) return Status::InvalidArgument;
  out.key = std::move(*full);
  return std::nullopt;
}

std::optional<std::string> optional_etag(std::string_view etag) {
  if (etag.empty()) return std::nullopt;
  return std::string(etag);
}

template <bool kEtag>
Status state_get(const DaprAbi& abi, const Call& call) {
  StateKey sk;
  if (auto failed = resolve(abi, call, sk)) return *failed;
  dapr::GetRequest request;
  request.key = std::move(sk.key);
  auto got = sk.target->store->get(request);
  if (!got) return from_error(got.error());
  if (!got->found) return Status::NotFound;
  return call.write_result(4, kEtag ? got->etag : got->value);
}

Status state_set(const DaprAbi& abi, const Call& call) {
  StateKey sk;
  if (auto failed = resolve(abi, call, sk)) return *failed;
  auto value = call.bytes(4);
  auto etag = call.bytes(6);
  if (!value || !etag) return Status::MemoryAccessError;
  dapr::SetRequest request;
  request.key = std::move(sk.key);
  request.value = std::string(*value);
  request.etag = optional_etag(*etag);
  auto done = sk.target->store->set(request);
  return done ? Status::Ok : from_error(done.error());
}

Status state_delete(const DaprAbi& abi, const Call& call) {
  StateKey sk;
  if (auto failed = resolve(abi, call, sk)) return *failed;
  auto etag = call.bytes(4);
  if (!etag) return Status::MemoryAccessError;
  dapr::DeleteRequest request;
  request.key = std::move(sk.key);
  request.etag = optional_etag(*etag);
  auto done = sk.target->store->del(request);
  return done ? Status::Ok : from_error(done.error());
}

Status state_get_bulk(const DaprAbi& abi, const Call& call) {
  auto store = call.bytes(0);
  auto encoded = call.bytes(2);
  if (!store || !encoded) return Status::MemoryAccessError;
  const DaprAbi::StateTarget* target = nullptr;
  if (auto failed = find_store(abi, *store, target)) return *failed;
  auto keys = decode_key_list(*encoded);
  if (!keys) return Status::InvalidArgument;
  std::vector<dapr::GetRequest> requests;
  requests.reserve(keys->size());
  for (const auto& user_key : *keys) {
    auto full = store_key(*target, user_key);
    if (!full) return Status::InvalidArgument;
    requests.emplace_back().key = std::move(*full);
  }
  auto got = target->store->bulk_get(requests);
  if (!got) return from_error(got.error());
  ListEncoder out;
  out.u32(static_cast<uint32_t>(got->size()));
  for (const auto& item : *got) {
    bool found = item.response.found && !item.error;
    out.bytes(target->prefix.strip(item.key)).u32(found ? 1 : 0);
    out.bytes(found ? item.response.value : "").bytes(found ? item.response.etag : "");
  }
  return call.write_result(4, out.data());
}

Status state_transaction(const DaprAbi& abi, const Call& call) {
  auto store = call.bytes(0);
  auto encoded = call.bytes(2);
  if (!store || !encoded) return Status::MemoryAccessError;
  const DaprAbi::StateTarget* target = nullptr;
  if (auto failed = find_store(abi, *store, target)) return *failed;
  auto ops = decode_transaction(*encoded);
  if (!ops) return Status::InvalidArgument;
  for (auto& op : *ops) {
    std::string& key =
        op.kind == dapr::TransactionOperation::Kind::Upsert ? op.upsert.key : op.del.key;
    auto full = store_key(*target, key);
    if (!full) return Status::InvalidArgument;
    key = std::move(*full);
  }
  auto done = target->store->transact(*ops, {});
  return done ? Status::Ok : from_error(done.error());
}

// The secret as the HTTP API answers it; NotFound where the HTTP API answers 204.
Status secret_get(const DaprAbi& abi, const Call& call) {
  auto store_name = call.bytes(0);
  auto name = call.bytes(2);
  if (!store_name || !name) return Status::MemoryAccessError;
  const dapr::SecretStore* store = abi.secret_store(*store_name);
  if (!store) return Status::ComponentNotFound;
  auto got = store->get(std::string(*name), {});
  if (!got) return from_error(got.error());
  if (!*got || (*got)->empty()) return Status::NotFound;
  return call.write_result(4, dapr::secret_json(**got));
}

// A metadata or header list at argument pair (i, i+1); an empty list is none.
std::optional<std::vector<std::pair<std::string, std::string>>> pairs_at(const Call& call, size_t i,
                                                                         Status& failed) {
  auto encoded = call.bytes(i);
  if (!encoded) {
    failed = Status::MemoryAccessError;
    return std::nullopt;
  }
  auto pairs = decode_pairs(*encoded);
  if (!pairs) failed = Status::InvalidArgument;
  return pairs;
}

std::optional<dapr::Metadata> metadata_at(const Call& call, size_t i, Status& failed) {
  auto pairs = pairs_at(call, i, failed);
  if (!pairs) return std::nullopt;
  return dapr::Metadata(pairs->begin(), pairs->end());
}

// Reads the UTF-8 strings at argument pairs (0,1), (2,3), ... into `out`.
template <size_t N>
std::optional<Status> names(const Call& call, std::array<std::string_view, N>& out) {
  for (size_t i = 0; i < N; ++i) {
    auto text = call.bytes(2 * i);
    if (!text) return Status::MemoryAccessError;
    if (!base::is_valid_utf8(*text)) return Status::InvalidArgument;
    out[i] = *text;
  }
  return std::nullopt;
}

// Publishes as POST /v1.0/publish does: wrapped as a CloudEvent unless rawPayload says not.
Status publish(const DaprAbi& abi, const Call& call) {
  std::array<std::string_view, 2> pubsub_and_topic;
  if (auto failed = names(call, pubsub_and_topic)) return *failed;
  auto data = call.bytes(4);
  auto content_type = call.bytes(6);
  if (!data || !content_type) return Status::MemoryAccessError;
  Status failed = Status::Ok;
  auto metadata = metadata_at(call, 8, failed);
  if (!metadata) return failed;
  dapr::PubSub* pubsub = abi.pubsub(pubsub_and_topic[0]);
  if (!pubsub) return Status::ComponentNotFound;
  dapr::PublishRequest request;
  request.pubsub_name = pubsub_and_topic[0];
  request.topic = pubsub_and_topic[1];
  request.data = std::string(*data);
  request.content_type = std::string(*content_type);
  request.metadata = std::move(*metadata);
  auto done = dapr::publish(*pubsub, request, abi.app_id());
  return done ? Status::Ok : from_error(done.error());
}

// Service invocation; any answer of the callee is ok, with its HTTP status written out.
Status invoke(const DaprAbi& abi, const Call& call) {
  std::array<std::string_view, 3> app_method_verb;
  if (auto failed = names(call, app_method_verb)) return *failed;
  auto data = call.bytes(6);
  if (!data) return Status::MemoryAccessError;
  Status failed = Status::Ok;
  auto headers = pairs_at(call, 8, failed);
  if (!headers) return failed;
  if (!abi.invoker()) return Status::ComponentNotFound;
  dapr::InvokeRequest request;
  request.app_id = app_method_verb[0];
  std::string_view method = app_method_verb[1];
  if (size_t q = method.find('?'); q != std::string_view::npos) {
    request.query = method.substr(q + 1);
    method = method.substr(0, q);
  }
  while (!method.empty() && method.front() == '/') method.remove_prefix(1);
  request.method = method;
  request.verb = app_method_verb[2].empty() ? "POST" : std::string(app_method_verb[2]);
  request.data = std::string(*data);
  request.headers = std::move(*headers);
  auto response = abi.invoker()->invoke(request);
  if (!response) {
    call.kept() = {};
    return from_error(response.error());
  }
  if (Status s = call.write_u32(13, static_cast<uint32_t>(response->status)); s != Status::Ok) {
    return s;
  }
  return call.write_or_keep(10, std::move(response->data));
}

// An output binding's operation; its response data goes to the buffer.
Status binding(const DaprAbi& abi, const Call& call) {
  std::array<std::string_view, 2> name_and_operation;
  if (auto failed = names(call, name_and_operation)) return *failed;
  auto data = call.bytes(4);
  if (!data) return Status::MemoryAccessError;
  Status failed = Status::Ok;
  auto metadata = metadata_at(call, 6, failed);
  if (!metadata) return failed;
  dapr::OutputBinding* target = abi.binding(name_and_operation[0]);
  if (!target) return Status::ComponentNotFound;
  auto operations = target->operations();
  if (std::find(operations.begin(), operations.end(), name_and_operation[1]) == operations.end()) {
    return Status::InvalidArgument;
  }
  dapr::BindingRequest request;
  request.operation = name_and_operation[1];
  request.data = std::string(*data);
  request.metadata = std::move(*metadata);
  auto response = target->invoke(request);
  if (!response) {
    call.kept() = {};
    // The binding exists, so its NotFound is about the item (a file, a record), not about it.
    if (response.error().code == dapr::Error::Code::NotFound) return Status::NotFound;
    return from_error(response.error());
  }
  return call.write_or_keep(8, std::move(response->data));
}

// The kept result of the last invoke or binding whose answer did not fit.
Status result_take(const DaprAbi&, const Call& call) {
  KeptResult& kept = call.kept();
  if (!kept.present) return Status::NotFound;
  Status status = call.write_result(0, kept.data);
  if (status == Status::Ok) kept = {};
  return status;
}

// One configuration item's value.
Status config_get(const DaprAbi& abi, const Call& call) {
  std::array<std::string_view, 2> store_and_key;
  if (auto failed = names(call, store_and_key)) return *failed;
  dapr::ConfigurationStore* store = abi.configuration_store(store_and_key[0]);
  if (!store) return Status::ComponentNotFound;
  std::string key(store_and_key[1]);
  auto got = store->get({key}, {});
  if (!got) return from_error(got.error());
  auto item = got->find(key);
  if (item == got->end()) return Status::NotFound;
  return call.write_result(4, item->second.value);
}

struct Export {
  const char* name;
  size_t params;
  Handler handler;
};

constexpr Export kExports[] = {
    {"state_get", 7, state_get<false>},
    {"state_get_etag", 7, state_get<true>},
    {"state_set", 8, state_set},
    {"state_delete", 6, state_delete},
    {"state_get_bulk", 7, state_get_bulk},
    {"state_transaction", 4, state_transaction},
    {"secret_get", 7, secret_get},
    {"publish", 10, publish},
    {"invoke", 14, invoke},
    {"binding", 11, binding},
    {"result_take", 3, result_take},
    {"config_get", 7, config_get},
};

}  // namespace

DaprAbi::DaprAbi(const dapr::ComponentSet& components, std::string app_id,
                 dapr::ServiceInvoker* invoker)
    : app_id_(std::move(app_id)), invoker_(invoker) {
  for (const auto& [name, entry] : components.state) {
    state_.emplace(name, StateTarget{entry.store.get(), dapr::KeyPrefix(entry.spec, app_id_)});
  }
  for (const auto& [name, store] : components.secrets) secrets_.emplace(name, store.get());
  for (const auto& [name, entry] : components.pubsubs)
    pubsubs_.emplace(name, entry.component.get());
  for (const auto& [name, entry] : components.bindings) {
    bindings_.emplace(name, entry.component.get());
  }
  for (const auto& [name, entry] : components.configurations) {
    configurations_.emplace(name, entry.component.get());
  }
}

const DaprAbi::StateTarget* DaprAbi::state_target(std::string_view name) const {
  auto it = state_.find(name);
  return it == state_.end() ? nullptr : &it->second;
}

const dapr::SecretStore* DaprAbi::secret_store(std::string_view name) const {
  auto it = secrets_.find(name);
  return it == secrets_.end() ? nullptr : it->second;
}

void DaprAbi::add_to_linker(wasm::Linker& linker) {
  for (const auto& e : kExports) {
    Handler handler = e.handler;
    linker.define_host("dapr", e.name, i32_function(e.params),
                       [this, handler](HostContext& ctx, std::span<const RawValue> args,
                                       std::span<RawValue> results) -> Result<void, Trap> {
                         Call call(ctx, args);
                         Status status =
                             call.has_memory() ? handler(*this, call) : Status::MemoryNotFound;
                         results[0] = static_cast<uint32_t>(status);
                         return {};
                       });
  }
}

}  // namespace wasmdapr::hostabi
