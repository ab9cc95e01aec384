#pragma once
// The behaviour every state store must have, as one parameterised suite. A store joins by
// instantiating it in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StateConformance,
//                            ::testing::Values(StoreFactory{"memory", [] { return ...; }}));
//
// The factory is called once per test and must return an empty store.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "dapr/state_store.h"

namespace wasmdapr::testing {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<dapr::StateStore>()> make;
};

inline std::ostream& operator<<(std::ostream& out, const StoreFactory& f) {
  return out << f.name;
}

inline dapr::GetRequest get_request(std::string key) {
  dapr::GetRequest r;
  r.key = std::move(key);
  return r;
}

inline dapr::DeleteRequest delete_request(std::string key, std::optional<std::string> etag = {}) {
  dapr::DeleteRequest r;
  r.key = std::move(key);
  r.etag = std::move(etag);
  return r;
}

class StateConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  std::unique_ptr<dapr::StateStore> store_;
};

}  // namespace wasmdapr::testing
