#include "components/state/memory_store.h"

#include "components/state_conformance.h"

namespace wasmdapr::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StateConformance,
                         ::testing::Values(StoreFactory{
                             "memory", [] { return components::make_memory_store({}).value(); }}));

}  // namespace
}  // namespace wasmdapr::testing
