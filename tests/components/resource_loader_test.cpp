#include "components/resource_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "components/registry.h"

namespace wasmdapr::components {
namespace {

namespace fs = std::filesystem;

Result<std::vector<dapr::ComponentSpec>, std::string> parse(const std::string& yaml,
                                                            std::string_view app = "myapp") {
  return parse_component_yaml(yaml, "res/test.yaml", app);
}

std::string error_of(const std::string& yaml) {
  auto r = parse(yaml);
  EXPECT_FALSE(r) << "expected an error for:\n" << yaml;
  return r ? "" : r.error();
}

TEST(ResourceLoader, ReadsAComponentWithEveryField) {
  auto specs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
  namespace: default
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: localhost:6379
  - name: poolSize
    value: 4
  - name: enableTLS
    value: false
  - name: keyPrefix
    value: "{appID}-x"
scopes:
- myapp
)");
  ASSERT_TRUE(specs) << specs.error();
  ASSERT_EQ(specs->size(), 1u);
  const auto& s = (*specs)[0];
  EXPECT_EQ(s.name, "cache");
  EXPECT_EQ(s.type, "state.redis");
  EXPECT_EQ(s.version, "v1");
  EXPECT_EQ(s.metadata.at("redisHost"), "localhost:6379");
  EXPECT_EQ(s.metadata.at("poolSize"), "4");
  EXPECT_EQ(s.metadata.at("enableTLS"), "false");
  EXPECT_EQ(s.metadata.at("keyPrefix"), "myapp-x");
  EXPECT_EQ(s.source, "res/test.yaml");
}

TEST(ResourceLoader, ReadsSeveralDocumentsAndSkipsOtherKinds) {
  auto specs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: a}
spec: {type: state.in-memory, version: v1}
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: sub}
spec: {topic: t, routes: {default: /t}, pubsubname: p}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: b}
spec: {type: state.in-memory, version: v1}
)");
  ASSERT_TRUE(specs) << specs.error();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[1].name, "b");
}

TEST(ResourceLoader, ComponentsScopedToOtherAppsAreSkipped) {
  auto specs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: a}
spec: {type: state.in-memory, version: v1}
scopes: [otherapp]
)");
  ASSERT_TRUE(specs);
  EXPECT_TRUE(specs->empty());
}

TEST(ResourceLoader, ErrorsNameTheFileAndTheField) {
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Component\nspec: {type: x, version: "
                     "v1}\n"),
            "res/test.yaml: metadata.name: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: "
                     "{version: v1}\n"),
            "res/test.yaml: spec.type: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: "
                     "{type: state.redis}\n"),
            "res/test.yaml: spec.version: missing");
  EXPECT_EQ(error_of("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec:\n"
                     "  type: state.redis\n  version: v1\n  metadata:\n  - value: x\n"),
            "res/test.yaml: spec.metadata[0].name: missing");
  EXPECT_EQ(error_of("apiVersion: v1\nkind: Component\nmetadata: {name: a}\n"),
            "res/test.yaml: apiVersion: expected dapr.io/v1alpha1, got 'v1'");
  EXPECT_NE(error_of("kind: Component\nmetadata: [unclosed\n").find("res/test.yaml: line "),
            std::string::npos);
}

TEST(ResourceLoader, SecretKeyRefResolvesFromAnEnvSecretStore) {
  ::setenv("WASMDAPR_TEST_REDIS_PASSWORD", "s3cret", 1);
  auto specs = parse(R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: envsecrets}
spec: {type: secretstores.local.env, version: v1}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: cache}
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef: {name: WASMDAPR_TEST_REDIS_PASSWORD, key: WASMDAPR_TEST_REDIS_PASSWORD}
auth: {secretStore: envsecrets}
)");
  ASSERT_TRUE(specs) << specs.error();
  EXPECT_EQ((*specs)[1].metadata.at("redisPassword"), "s3cret");

  EXPECT_EQ(error_of(R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: cache}
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef: {name: X}
)"),
            "res/test.yaml: spec.metadata[0].secretKeyRef: no secret store to resolve it from "
            "(set auth.secretStore to a secretstores.local.env component)");
}

class LoadComponents : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("load-components-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "res");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "res" / name) << text;
  }
  fs::path dir_;
};

TEST_F(LoadComponents, WithoutResourcesTheDefaultStoreIsSqliteInTheStateDir) {
  auto set = load_components({}, (dir_ / "state").string(), "myapp");
  ASSERT_TRUE(set) << set.error();
  ASSERT_NE(set->state_store("statestore"), nullptr);
  EXPECT_EQ(set->state.at("statestore").spec.type, "state.sqlite");
  EXPECT_TRUE(fs::exists(dir_ / "state" / "state.db"));
}

TEST_F(LoadComponents, BuildsEveryComponentOfTheDirectory) {
  write("a.yaml",
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: mem}\nspec: {type: "
        "state.in-memory, version: v1}\n");
  write("b.yml",
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: lite}\nspec:\n"
        "  type: state.sqlite\n  version: v1\n  metadata:\n  - name: connectionString\n"
        "    value: " +
            (dir_ / "lite.db").string() + "\n");
  write("notes.txt", "not yaml at all: [");
  auto set = load_components({(dir_ / "res").string()}, (dir_ / "state").string(), "myapp");
  ASSERT_TRUE(set) << set.error();
  EXPECT_NE(set->state_store("mem"), nullptr);
  EXPECT_NE(set->state_store("lite"), nullptr);
  EXPECT_FALSE(set->state.contains("statestore"));
}

TEST_F(LoadComponents, UnknownTypesAndDuplicatesFailStartUp) {
  write("a.yaml",
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: "
        "state.cassandra, version: v1}\n");
  auto unknown = load_components({(dir_ / "res").string()}, dir_.string(), "myapp");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error(), (dir_ / "res" / "a.yaml").string() +
                                 ": spec.type: unknown component type 'state.cassandra'");

  write("a.yaml",
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: "
        "state.in-memory, version: v1}\n---\napiVersion: dapr.io/v1alpha1\nkind: Component\n"
        "metadata: {name: x}\nspec: {type: state.in-memory, version: v1}\n");
  auto duplicate = load_components({(dir_ / "res").string()}, dir_.string(), "myapp");
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().find("metadata.name: a component named 'x' is already defined"),
            std::string::npos);

  auto missing = load_components({(dir_ / "nope").string()}, dir_.string(), "myapp");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("not a directory"), std::string::npos);
}

TEST_F(LoadComponents, BackendSettingErrorsNameTheFile) {
  write("a.yaml",
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: "
        "{type: state.sqlite, version: v1}\n");
  auto bad = load_components({(dir_ / "res").string()}, dir_.string(), "myapp");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("a.yaml: spec.metadata: component 'x' failed to start: "
                             "connectionString is required"),
            std::string::npos);
}

}  // namespace
}  // namespace wasmdapr::components
