#include "dapr/state_store.h"

namespace wasmdapr::dapr {

Result<std::vector<BulkGetItem>, Error> StateStore::bulk_get(
    const std::vector<GetRequest>& requests) {
  std::vector<BulkGetItem> items;
  items.reserve(requests.size());
  for (const auto& request : requests) {
    BulkGetItem item;
    item.key = request.key;
    auto got = get(request);
    if (got) {
      item.response = std::move(*got);
    } else {
      item.error = got.error().message;
    }
    items.push_back(std::move(item));
  }
  return items;
}

Result<void, Error> StateStore::transact(const std::vector<TransactionOperation>&,
                                         const Metadata&) {
  return unexpected(Error{Error::Code::NotSupported, "state store does not support transactions"});
}

Result<QueryResponse, Error> StateStore::query(const QueryRequest&) {
  return unexpected(Error{Error::Code::NotSupported, "state store does not support querying"});
}

}  // namespace wasmdapr::dapr
