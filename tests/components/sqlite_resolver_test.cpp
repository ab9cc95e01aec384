#include "components/nameresolution/sqlite_resolver.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "components/app_configuration.h"
#include "support/scratch_dir.h"

namespace wasmdapr::testing {
namespace {

namespace fs = std::filesystem;
using components::SqliteResolver;
using std::chrono::milliseconds;

// A fresh directory per test, removed with the fixture.
class SqliteResolverTest : public ::testing::Test {
 protected:
  dapr::NameResolutionSpec spec(std::map<std::string, std::string> configuration = {}) const {
    dapr::NameResolutionSpec out;
    out.component = "sqlite";
    out.source = "config.yaml";
    out.configuration = std::move(configuration);
    if (!out.configuration.contains("connectionString")) {
      out.configuration["connectionString"] = db().string();
    }
    return out;
  }

  fs::path db() const { return dir_ / "nr.db"; }

  // A resolver on the shared file whose clock reads `*now`.
  std::unique_ptr<SqliteResolver> open(const std::shared_ptr<std::atomic<int64_t>>& now,
                                       std::map<std::string, std::string> configuration = {}) {
    auto settings = SqliteResolver::settings(spec(std::move(configuration)));
    EXPECT_TRUE(settings) << settings.error().message;
    auto resolver = SqliteResolver::open(*settings, [now] { return milliseconds(now->load()); });
    EXPECT_TRUE(resolver) << resolver.error().message;
    return resolver ? std::move(*resolver) : nullptr;
  }

  int rows() const {
    sqlite3* raw = nullptr;
    sqlite3_open(db().c_str(), &raw);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM hosts", -1, &statement, nullptr);
    int count = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1;
    sqlite3_finalize(statement);
    sqlite3_close(raw);
    return count;
  }

  fs::path write(const std::string& name, const std::string& text) const {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  wasmdapr::testing::ScratchDir scratch_{"sqlite-resolver"};
  const fs::path& dir_ = scratch_.path();
};

std::shared_ptr<std::atomic<int64_t>> clock_at(int64_t ms) {
  return std::make_shared<std::atomic<int64_t>>(ms);
}

TEST_F(SqliteResolverTest, SettingsDefaultAsDaprDocumentsThem) {
  auto settings = SqliteResolver::settings(spec());
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->update_interval, std::chrono::seconds(5));
  EXPECT_EQ(settings->timeout, milliseconds(1000));
  EXPECT_EQ(settings->cleanup_interval, milliseconds(3'600'000));
  EXPECT_EQ(settings->table, "hosts");
  EXPECT_EQ(settings->metadata_table, "metadata");
  EXPECT_TRUE(settings->wal);
}

TEST_F(SqliteResolverTest, SettingsReadGoDurationsAndWholeSecondTimeouts) {
  auto settings = SqliteResolver::settings(spec({{"updateInterval", "4500ms"},
                                                 {"timeout", "2"},
                                                 {"cleanupInterval", "1m30s"},
                                                 {"busyTimeout", "1.5s"},
                                                 {"tableName", "peers"},
                                                 {"disableWAL", "true"}}));
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->update_interval, std::chrono::seconds(4));  // truncated
  EXPECT_EQ(settings->timeout, milliseconds(2000));
  EXPECT_EQ(settings->cleanup_interval, milliseconds(90'000));
  EXPECT_EQ(settings->busy_timeout, milliseconds(1500));
  EXPECT_EQ(settings->table, "peers");
  EXPECT_FALSE(settings->wal);
}

TEST_F(SqliteResolverTest, BadSettingsNameTheFileAndField) {
  struct Case {
    std::map<std::string, std::string> configuration;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {{{"connectionString", ""}}, "connectionString"},
           {{{"updateInterval", "soon"}}, "updateInterval"},
           {{{"timeout", "500ms"}}, "timeout"},
           {{{"timeout", "5s"}, {"updateInterval", "5s"}}, "updateInterval"},
           {{{"tableName", "hosts; DROP TABLE x"}}, "tableName"},
           {{{"disableWAL", "maybe"}}, "disableWAL"},
       }) {
    auto settings = SqliteResolver::settings(spec(c.configuration));
    ASSERT_FALSE(settings) << c.field;
    EXPECT_EQ(settings.error().code, dapr::Error::Code::InvalidArgument);
    EXPECT_NE(settings.error().message.find("config.yaml"), std::string::npos);
    EXPECT_NE(settings.error().message.find("spec.nameResolution.configuration." + c.field),
              std::string::npos)
        << settings.error().message;
  }
}

TEST_F(SqliteResolverTest, SidecarsSharingTheFileFindEachOther) {
  auto now = clock_at(1'000'000);
  auto a = open(now);
  auto b = open(now);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->register_instance("app-a", "127.0.0.1:4001"));
  ASSERT_TRUE(b->register_instance("app-b", "127.0.0.1:4002"));
  auto found = b->resolve("app-a");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, "127.0.0.1:4001");
  EXPECT_EQ(a->resolve("app-b").value(), "127.0.0.1:4002");
  auto missing = a->resolve("app-c");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, dapr::Error::Code::NotFound);
}

TEST_F(SqliteResolverTest, ACleanShutdownRemovesTheRegistration) {
  auto now = clock_at(1'000'000);
  auto a = open(now);
  auto b = open(now);
  ASSERT_TRUE(a->register_instance("app-a", "127.0.0.1:4001"));
  ASSERT_TRUE(b->resolve("app-a"));
  a.reset();
  EXPECT_EQ(rows(), 0);
  EXPECT_EQ(b->resolve("app-a").error().code, dapr::Error::Code::NotFound);
}

TEST_F(SqliteResolverTest, RegisteringAgainReplacesTheAddress) {
  auto now = clock_at(1'000'000);
  auto a = open(now);
  ASSERT_TRUE(a->register_instance("app-a", "127.0.0.1:4001"));
  ASSERT_TRUE(a->register_instance("app-a", "127.0.0.1:4009"));
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(a->resolve("app-a").value(), "127.0.0.1:4009");
}

TEST_F(SqliteResolverTest, EveryLiveInstanceOfAnAppIsAnAnswer) {
  auto now = clock_at(1'000'000);
  auto a1 = open(now);
  auto a2 = open(now);
  auto reader = open(now);
  ASSERT_TRUE(a1->register_instance("app-a", "127.0.0.1:4001"));
  ASSERT_TRUE(a2->register_instance("app-a", "127.0.0.1:4002"));
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < 2; ++i) seen.insert(reader->resolve("app-a").value());
  EXPECT_EQ(seen, (std::set<std::string>{"127.0.0.1:4001", "127.0.0.1:4002"}));
}

TEST_F(SqliteResolverTest, RowsWithoutARecentHeartbeatAreIgnoredUntilTheNextOne) {
  auto then = clock_at(1'000'000);
  auto later = clock_at(1'000'000);
  auto a = open(then);
  auto b = open(later);
  ASSERT_TRUE(a->register_instance("app-a", "127.0.0.1:4001"));
  // updateInterval 5s + timeout 1s: at 6s the row is still live, a millisecond later it is not.
  later->store(1'006'000);
  EXPECT_TRUE(b->resolve("app-a"));
  later->store(1'006'001);
  EXPECT_EQ(b->resolve("app-a").error().code, dapr::Error::Code::NotFound);
  then->store(1'006'001);
  ASSERT_TRUE(a->heartbeat());
  EXPECT_EQ(b->resolve("app-a").value(), "127.0.0.1:4001");
}

TEST_F(SqliteResolverTest, CleanupDeletesStaleRowsOncePerIntervalAndHeartbeatsRestoreThem) {
  auto now = clock_at(10'000'000);
  auto gone = open(now, {{"cleanupInterval", "10m"}});
  ASSERT_TRUE(gone->register_instance("app-gone", "127.0.0.1:4001"));
  auto first = open(now, {{"cleanupInterval", "10m"}});
  ASSERT_TRUE(first->register_instance("app-first", "127.0.0.1:4002"));
  EXPECT_EQ(rows(), 2);

  // Nine minutes on: app-gone is stale but the last cleanup was too recent.
  auto ninth = clock_at(10'000'000 + 540'000);
  auto reader = open(ninth, {{"cleanupInterval", "10m"}});
  ASSERT_TRUE(reader->register_instance("app-reader", "127.0.0.1:4003"));
  EXPECT_EQ(rows(), 3);

  // Ten minutes on: cleanup is due; every row but the fresh one goes.
  auto tenth = clock_at(10'000'000 + 600'000);
  auto cleaner = open(tenth, {{"cleanupInterval", "10m"}});
  ASSERT_TRUE(cleaner->register_instance("app-cleaner", "127.0.0.1:4004"));
  EXPECT_EQ(rows(), 1);

  // An instance that was only slow puts its row back at its next heartbeat.
  now->store(10'000'000 + 600'000);
  ASSERT_TRUE(first->heartbeat());
  EXPECT_EQ(cleaner->resolve("app-first").value(), "127.0.0.1:4002");
}

TEST_F(SqliteResolverTest, ConfigurationFileSelectsTheResolver) {
  fs::path file = write("config.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  tracing:
    samplingRate: "1"
  nameResolution:
    component: "sqlite"
    version: "v1"
    configuration:
      connectionString: ")" + db().string() +
                                           R"("
      timeout: 2
      updateInterval: "4s"
)");
  auto configuration = components::load_app_configuration(file.string());
  ASSERT_TRUE(configuration) << configuration.error();
  EXPECT_EQ(configuration->name, "appconfig");
  ASSERT_TRUE(configuration->name_resolution);
  EXPECT_EQ(configuration->name_resolution->component, "sqlite");
  EXPECT_EQ(configuration->name_resolution->configuration.at("timeout"), "2");
  EXPECT_TRUE(components::check_app_configuration(file.string()));

  auto resolver = components::build_name_resolver(*configuration);
  ASSERT_TRUE(resolver) << resolver.error();
  ASSERT_NE(*resolver, nullptr);
  ASSERT_TRUE((*resolver)->register_instance("app-a", "127.0.0.1:4001"));
  EXPECT_EQ((*resolver)->resolve("app-a").value(), "127.0.0.1:4001");
}

TEST_F(SqliteResolverTest, ConfigurationWithoutNameResolutionHasNoResolver) {
  fs::path file = write("config.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  features: []
)");
  auto configuration = components::load_app_configuration(file.string());
  ASSERT_TRUE(configuration) << configuration.error();
  EXPECT_FALSE(configuration->name_resolution);
  auto resolver = components::build_name_resolver(*configuration);
  ASSERT_TRUE(resolver);
  EXPECT_EQ(*resolver, nullptr);
}

TEST_F(SqliteResolverTest, ConfigurationErrorsNameTheFileAndField) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string head = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\n";
  for (const Case& c : std::vector<Case>{
           {"apiVersion: dapr.io/v1alpha1\nkind: Component\n", "kind"},
           {head + "spec:\n  nameResolution:\n    configuration: {}\n",
            "spec.nameResolution.component"},
           {head + "spec:\n  nameResolution:\n    component: mdns\n",
            "spec.nameResolution.component \"mdns\" is not supported"},
           {head + "spec:\n  nameResolution:\n    component: sqlite\n    configuration:\n"
                   "      connectionString: [a, b]\n",
            "spec.nameResolution.configuration.connectionString"},
           {head + "spec:\n  nameResolution:\n    component: sqlite\n",
            "spec.nameResolution.configuration.connectionString"},
           {head + "spec: [\n", "invalid YAML"},
       }) {
    fs::path file = write("bad.yaml", c.yaml);
    auto checked = components::check_app_configuration(file.string());
    ASSERT_FALSE(checked) << c.yaml;
    EXPECT_NE(checked.error().find(file.string()), std::string::npos) << checked.error();
    EXPECT_NE(checked.error().find(c.expected), std::string::npos) << checked.error();
  }
  auto missing = components::check_app_configuration((dir_ / "absent.yaml").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("absent.yaml"), std::string::npos);
  EXPECT_TRUE(components::check_app_configuration(""));
}

}  // namespace
}  // namespace wasmdapr::testing
