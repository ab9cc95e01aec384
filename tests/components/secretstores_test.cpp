// The local secret stores as the registry builds them. secretstores.local.env: names read from
// the environment, the optional prefix, bulk listing, and the variables Dapr never exposes.
// secretstores.local.file: flattening of nested JSON, the separator, multi-valued secrets.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "components/registry.h"

namespace wasmdapr::components {
namespace {

dapr::ComponentSpec env_spec(dapr::Metadata metadata = {}) {
  dapr::ComponentSpec spec;
  spec.name = "envsecrets";
  spec.type = "secretstores.local.env";
  spec.metadata = std::move(metadata);
  return spec;
}

class EnvSecretStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("WDSECRET_ONE", "first", 1);
    ::setenv("WDSECRET_TWO", "second=with=equals", 1);
    ::setenv("OTHER_WDSECRET", "unprefixed", 1);
    ::setenv("DAPR_WDSECRET_HIDDEN", "dapr-internal", 1);
    ::setenv("dapr_wdsecret_lower", "dapr-internal", 1);
    ::setenv("APP_API_TOKEN", "token", 1);
    ::unsetenv("WDSECRET_UNSET");
  }
  void TearDown() override {
    for (const char* name : {"WDSECRET_ONE", "WDSECRET_TWO", "OTHER_WDSECRET",
                             "DAPR_WDSECRET_HIDDEN", "dapr_wdsecret_lower", "APP_API_TOKEN"}) {
      ::unsetenv(name);
    }
  }

  static dapr::ComponentSet build(dapr::Metadata metadata = {}) {
    auto built = builtin_registry().build({env_spec(std::move(metadata))});
    EXPECT_TRUE(built) << built.error();
    return built ? std::move(*built) : dapr::ComponentSet{};
  }

  static std::optional<dapr::Secret> get(const dapr::ComponentSet& set, const std::string& name) {
    auto got = set.secret_store("envsecrets")->get(name, {});
    EXPECT_TRUE(got);
    return got ? *got : std::nullopt;
  }
};

TEST_F(EnvSecretStoreTest, RegistryBuildsALiveStoreAndKeepsItsSpec) {
  auto set = build();
  ASSERT_NE(set.secret_store("envsecrets"), nullptr);
  ASSERT_TRUE(set.secret_stores.contains("envsecrets"));
  EXPECT_EQ(set.secret_stores.at("envsecrets").type, "secretstores.local.env");
  EXPECT_EQ(set.secret_store("nothing"), nullptr);
}

TEST_F(EnvSecretStoreTest, ASecretIsItsVariableUnderItsOwnName) {
  auto set = build();
  EXPECT_EQ(get(set, "WDSECRET_ONE"), (dapr::Secret{{"WDSECRET_ONE", "first"}}));
  EXPECT_EQ(get(set, "WDSECRET_TWO"), (dapr::Secret{{"WDSECRET_TWO", "second=with=equals"}}));
}

TEST_F(EnvSecretStoreTest, AnUnsetVariableReadsEmptyAsDaprAnswers) {
  auto set = build();
  EXPECT_EQ(get(set, "WDSECRET_UNSET"), (dapr::Secret{{"WDSECRET_UNSET", ""}}));
}

TEST_F(EnvSecretStoreTest, DaprVariablesAndTheAppTokenAreNeverExposed) {
  auto set = build();
  EXPECT_EQ(get(set, "DAPR_WDSECRET_HIDDEN"), (dapr::Secret{{"DAPR_WDSECRET_HIDDEN", ""}}));
  EXPECT_EQ(get(set, "dapr_wdsecret_lower"), (dapr::Secret{{"dapr_wdsecret_lower", ""}}));
  EXPECT_EQ(get(set, "APP_API_TOKEN"), (dapr::Secret{{"APP_API_TOKEN", ""}}));
  auto all = set.secret_store("envsecrets")->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->contains("DAPR_WDSECRET_HIDDEN"));
  EXPECT_FALSE(all->contains("dapr_wdsecret_lower"));
  EXPECT_FALSE(all->contains("APP_API_TOKEN"));
  for (const auto& [name, secret] : *all) {
    EXPECT_FALSE(name.starts_with("DAPR_")) << name;
  }
}

TEST_F(EnvSecretStoreTest, BulkListsEveryVariableUnderItsName) {
  auto set = build();
  auto all = set.secret_store("envsecrets")->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->at("WDSECRET_ONE"), (dapr::Secret{{"WDSECRET_ONE", "first"}}));
  EXPECT_EQ(all->at("WDSECRET_TWO"), (dapr::Secret{{"WDSECRET_TWO", "second=with=equals"}}));
  EXPECT_EQ(all->at("OTHER_WDSECRET"), (dapr::Secret{{"OTHER_WDSECRET", "unprefixed"}}));
}

TEST_F(EnvSecretStoreTest, PrefixIsPrependedOnGetAndStrippedFromNames) {
  auto set = build({{"prefix", "WDSECRET_"}});
  EXPECT_EQ(get(set, "ONE"), (dapr::Secret{{"ONE", "first"}}));
  EXPECT_EQ(get(set, "OTHER_WDSECRET"), (dapr::Secret{{"OTHER_WDSECRET", ""}}));
  auto all = set.secret_store("envsecrets")->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::map<std::string, dapr::Secret>{
                      {"ONE", {{"ONE", "first"}}},
                      {"TWO", {{"TWO", "second=with=equals"}}},
                  }));
}

TEST_F(EnvSecretStoreTest, APrefixCannotReachDaprVariables) {
  auto set = build({{"prefix", "DAPR_"}});
  EXPECT_EQ(get(set, "WDSECRET_HIDDEN"), (dapr::Secret{{"WDSECRET_HIDDEN", ""}}));
  auto all = set.secret_store("envsecrets")->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

// ---- secretstores.local.file -------------------------------------------------------------

constexpr const char* kSecretsJson = R"({
  "redisPassword": "pw",
  "db": {"user": "admin", "pass": "s\"q", "ports": [5432, 5433], "tls": true},
  "token": "t"
})";

class FileSecretStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("secretstores-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "secrets.json") << kSecretsJson;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<dapr::ComponentSet, std::string> build(dapr::Metadata metadata) {
    dapr::ComponentSpec spec;
    spec.name = "filesecrets";
    spec.type = "secretstores.local.file";
    spec.metadata = std::move(metadata);
    return builtin_registry().build({spec});
  }
  dapr::Metadata with_file(dapr::Metadata metadata = {}) {
    metadata["secretsFile"] = (dir_ / "secrets.json").string();
    return metadata;
  }

  std::filesystem::path dir_;
};

TEST_F(FileSecretStoreTest, NestedKeysAreFlattenedWithTheSeparator) {
  auto set = build(with_file());
  ASSERT_TRUE(set) << set.error();
  const dapr::SecretStore* store = set->secret_store("filesecrets");
  ASSERT_NE(store, nullptr);
  auto got = store->get("db:user", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"db:user", "admin"}}));
  got = store->get("db:pass", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"db:pass", "s\"q"}}));
  got = store->get("db:ports:1", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"db:ports:1", "5433"}}));
  got = store->get("db:tls", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"db:tls", "true"}}));
  auto all = store->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 7u);
  EXPECT_EQ(all->at("redisPassword"), (dapr::Secret{{"redisPassword", "pw"}}));
}

TEST_F(FileSecretStoreTest, AMissingNameIsAnError) {
  auto set = build(with_file());
  ASSERT_TRUE(set) << set.error();
  EXPECT_FALSE(set->secret_store("filesecrets")->get("db", {}));
}

TEST_F(FileSecretStoreTest, SeparatorIsConfigurable) {
  auto set = build(with_file({{"nestedSeparator", "."}}));
  ASSERT_TRUE(set) << set.error();
  auto got = set->secret_store("filesecrets")->get("db.user", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"db.user", "admin"}}));
}

TEST_F(FileSecretStoreTest, MultiValuedSecretsAreTopLevelNames) {
  auto set = build(with_file({{"multiValued", "true"}}));
  ASSERT_TRUE(set) << set.error();
  auto got = set->secret_store("filesecrets")->get("db", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"user", "admin"},
                                 {"pass", "s\"q"},
                                 {"ports:0", "5432"},
                                 {"ports:1", "5433"},
                                 {"tls", "true"}}));
  got = set->secret_store("filesecrets")->get("token", {});
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, (dapr::Secret{{"token", "t"}}));
  auto all = set->secret_store("filesecrets")->bulk_get({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(FileSecretStoreTest, BadConfigurationFailsTheComponent) {
  auto no_file = build({});
  ASSERT_FALSE(no_file);
  EXPECT_NE(no_file.error().find("secretsFile"), std::string::npos) << no_file.error();
  EXPECT_FALSE(build({{"secretsFile", (dir_ / "absent.json").string()}}));
  std::ofstream(dir_ / "broken.json") << "{";
  EXPECT_FALSE(build({{"secretsFile", (dir_ / "broken.json").string()}}));
  EXPECT_FALSE(build(with_file({{"multiValued", "yes"}})));
}

}  // namespace
}  // namespace wasmdapr::components
