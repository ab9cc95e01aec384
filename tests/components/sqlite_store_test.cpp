#include "components/state/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "components/state_conformance.h"

namespace wasmdapr::testing {
namespace {

namespace fs = std::filesystem;

// A fresh directory per call, removed when the test binary exits.
class ScratchDirs {
 public:
  ~ScratchDirs() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path next() {
    fs::path dir = root_ / std::to_string(counter_++);
    fs::create_directories(dir);
    return dir;
  }

 private:
  fs::path root_ = fs::temp_directory_path() / ("sqlite-store-test-" + std::to_string(::getpid()));
  std::atomic<int> counter_{0};
};

ScratchDirs& scratch() {
  static ScratchDirs dirs;
  return dirs;
}

dapr::ComponentSpec spec_for(const fs::path& db) {
  dapr::ComponentSpec spec;
  spec.name = "statestore";
  spec.type = "state.sqlite";
  spec.metadata["connectionString"] = db.string();
  return spec;
}

std::unique_ptr<dapr::StateStore> open_store(const fs::path& db) {
  auto store = components::make_sqlite_store(spec_for(db));
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StateConformance,
    ::testing::Values(StoreFactory{"sqlite", [] { return open_store(scratch().next() / "s.db"); }},
                      StoreFactory{"sqlite_in_memory", [] {
                                     dapr::ComponentSpec spec;
                                     spec.metadata["connectionString"] = ":memory:";
                                     return components::make_sqlite_store(spec).value();
                                   }}));

TEST(SqliteStore, WritesSurviveReopeningAndEtagsKeepMovingForward) {
  fs::path db = scratch().next() / "durable.db";
  std::string etag;
  {
    auto store = open_store(db);
    dapr::SetRequest set;
    set.key = "app||weapon";
    set.value = R"("Death Star")";
    ASSERT_TRUE(store->set(set));
    etag = store->get(get_request("app||weapon"))->etag;
    ASSERT_TRUE(store->del(delete_request("app||weapon")));
    ASSERT_TRUE(store->set(set));
  }
  auto reopened = open_store(db);
  auto got = reopened->get(get_request("app||weapon"));
  ASSERT_TRUE(got && got->found);
  EXPECT_EQ(got->value, R"("Death Star")");
  // The key was deleted and written again: an etag from before must not match it.
  dapr::SetRequest stale;
  stale.key = "app||weapon";
  stale.value = "\"X-wing\"";
  stale.etag = etag;
  auto conflict = reopened->set(stale);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, dapr::Error::Code::EtagMismatch);
}

TEST(SqliteStore, BadSettingsAreRejectedWithTheirName) {
  auto spec = spec_for(scratch().next() / "x.db");
  spec.metadata["tableName"] = "state; DROP TABLE x";
  auto bad_table = components::make_sqlite_store(spec);
  ASSERT_FALSE(bad_table);
  EXPECT_NE(bad_table.error().message.find("tableName"), std::string::npos);

  auto no_path = components::make_sqlite_store(dapr::ComponentSpec{});
  ASSERT_FALSE(no_path);
  EXPECT_NE(no_path.error().message.find("connectionString"), std::string::npos);

  auto unopenable = components::make_sqlite_store(spec_for("/nonexistent-dir/x/y.db"));
  ASSERT_FALSE(unopenable);
}

TEST(SqliteStore, CustomTableNamesKeepStoresApart) {
  fs::path db = scratch().next() / "shared.db";
  auto a_spec = spec_for(db);
  a_spec.metadata["tableName"] = "alpha";
  auto b_spec = spec_for(db);
  b_spec.metadata["tableName"] = "beta";
  auto a = components::make_sqlite_store(a_spec).value();
  auto b = components::make_sqlite_store(b_spec).value();
  dapr::SetRequest set;
  set.key = "k";
  set.value = "1";
  ASSERT_TRUE(a->set(set));
  EXPECT_TRUE(a->get(get_request("k"))->found);
  EXPECT_FALSE(b->get(get_request("k"))->found);
}

}  // namespace
}  // namespace wasmdapr::testing
