// The secrets routes of the Dapr HTTP API as Sidecar::handle answers them over
// secretstores.local.env: bodies, the prefix, bulk, metadata listing and the runtime's errors.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "components/registry.h"
#include "dapr/json_view.h"
#include "sidecar/api_test_support.h"
#include "sidecar/sidecar.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

using dapr::JsonView;

http::Request get_request(std::string_view target, std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  return r;
}

dapr::ComponentSpec spec(std::string name, std::string type, dapr::Metadata metadata = {}) {
  dapr::ComponentSpec s;
  s.name = std::move(name);
  s.type = std::move(type);
  s.metadata = std::move(metadata);
  return s;
}

// A secret store that fails every call, as a backend that cannot be reached would.
class BrokenSecretStore final : public dapr::SecretStore {
 public:
  Result<std::optional<dapr::Secret>, dapr::Error> get(const std::string&,
                                                       const dapr::Metadata&) const override {
    return unexpected(dapr::Error{dapr::Error::Code::Unavailable, "backend down"});
  }
  Result<std::map<std::string, dapr::Secret>, dapr::Error> bulk_get(
      const dapr::Metadata&) const override {
    return unexpected(dapr::Error{dapr::Error::Code::Unavailable, "backend down"});
  }
};

// A store whose only secret is "present"; anything else is missing, and it echoes metadata.
class MapSecretStore final : public dapr::SecretStore {
 public:
  Result<std::optional<dapr::Secret>, dapr::Error> get(
      const std::string& name, const dapr::Metadata& metadata) const override {
    if (name != "present") return std::optional<dapr::Secret>();
    dapr::Secret secret{{"user", "admin"}, {"password", "p\"w"}};
    for (const auto& [k, v] : metadata) secret["meta." + k] = v;
    return std::optional<dapr::Secret>(std::move(secret));
  }
  Result<std::map<std::string, dapr::Secret>, dapr::Error> bulk_get(
      const dapr::Metadata&) const override {
    return std::map<std::string, dapr::Secret>{{"present", {{"user", "admin"}}}};
  }
};

class SecretsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("WDSIDECAR_SECRET_1", "secret_val_1", 1);
    ::setenv("WDSIDECAR_SECRET_2", "secret_val_2", 1);
    ::setenv("DAPR_WDSIDECAR_HIDDEN", "internal", 1);
    auto built = components::builtin_registry().build({
        spec("memstore", "state.in-memory"),
        spec("secret-envvars", "secretstores.local.env"),
        spec("prefixed", "secretstores.local.env", {{"prefix", "WDSIDECAR_"}}),
    });
    ASSERT_TRUE(built) << built.error();
    components_ = std::move(*built);
    components_.secrets.emplace("broken", std::make_shared<BrokenSecretStore>());
    components_.secrets.emplace("mapped", std::make_shared<MapSecretStore>());
    sidecar_ = std::make_unique<Sidecar>(components_,
                                         SidecarOptions{.app_id = "app1", .runtime_version = "t"});
  }
  void TearDown() override {
    ::unsetenv("WDSIDECAR_SECRET_1");
    ::unsetenv("WDSIDECAR_SECRET_2");
    ::unsetenv("DAPR_WDSIDECAR_HIDDEN");
  }

  http::Response call(std::string_view target, std::string method = "GET") {
    return sidecar_->handle(get_request(target, std::move(method)));
  }

  dapr::ComponentSet components_;
  std::unique_ptr<Sidecar> sidecar_;
};

TEST_F(SecretsApiTest, GetReturnsTheVariableUnderItsName) {
  auto r = call("/v1.0/secrets/secret-envvars/WDSIDECAR_SECRET_1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"WDSIDECAR_SECRET_1":"secret_val_1"})");
}

TEST_F(SecretsApiTest, PrefixedStoreReadsNamesWithoutThePrefix) {
  auto r = call("/v1.0/secrets/prefixed/SECRET_2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"SECRET_2":"secret_val_2"})");
}

TEST_F(SecretsApiTest, AnUnsetVariableIsAnEmptyValueAsTheRuntimeAnswers) {
  auto r = call("/v1.0/secrets/secret-envvars/WDSIDECAR_NOT_SET");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"WDSIDECAR_NOT_SET":""})");
}

TEST_F(SecretsApiTest, DaprVariablesReadEmpty) {
  auto r = call("/v1.0/secrets/secret-envvars/DAPR_WDSIDECAR_HIDDEN");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"DAPR_WDSIDECAR_HIDDEN":""})");
}

TEST_F(SecretsApiTest, AMissingSecretIs204) {
  auto r = call("/v1.0/secrets/mapped/absent");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(SecretsApiTest, MultiKeySecretsAndMetadataReachTheStore) {
  auto r = call("/v1.0/secrets/mapped/present?metadata.version_id=2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"meta.version_id":"2","password":"p\"w","user":"admin"})");
}

TEST_F(SecretsApiTest, BulkListsEverySecretByName) {
  auto r = call("/v1.0/secrets/secret-envvars/bulk");
  ASSERT_EQ(r.status, 200);
  auto json = JsonView::parse(r.body);
  ASSERT_TRUE(json && json->is_object()) << r.body;
  const JsonView* one = json->find("WDSIDECAR_SECRET_1");
  ASSERT_NE(one, nullptr);
  ASSERT_NE(one->find("WDSIDECAR_SECRET_1"), nullptr);
  EXPECT_EQ(one->find("WDSIDECAR_SECRET_1")->string(), "secret_val_1");
  EXPECT_NE(json->find("WDSIDECAR_SECRET_2"), nullptr);
  EXPECT_EQ(json->find("DAPR_WDSIDECAR_HIDDEN"), nullptr);
}

TEST_F(SecretsApiTest, BulkOfAPrefixedStoreHasOnlyItsVariables) {
  auto r = call("/v1.0/secrets/prefixed/bulk");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"SECRET_1":{"SECRET_1":"secret_val_1"},"SECRET_2":{"SECRET_2":"secret_val_2"}})");
}

TEST_F(SecretsApiTest, UnknownStoreIs401NotFound) {
  EXPECT_TRUE(IsApiError(call("/v1.0/secrets/nostore/x"), 401, "ERR_SECRET_STORE_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("/v1.0/secrets/nostore/bulk"), 401, "ERR_SECRET_STORE_NOT_FOUND"));
}

TEST_F(SecretsApiTest, StoreFailureIs500SecretGet) {
  EXPECT_TRUE(IsApiError(call("/v1.0/secrets/broken/x"), 500, "ERR_SECRET_GET"));
  EXPECT_TRUE(IsApiError(call("/v1.0/secrets/broken/bulk"), 500, "ERR_SECRET_GET"));
}

TEST_F(SecretsApiTest, OnlyGetIsAllowed) {
  EXPECT_EQ(call("/v1.0/secrets/secret-envvars/x", "POST").status, 405);
  EXPECT_EQ(call("/v1.0/secrets/secret-envvars/bulk", "PUT").status, 405);
}

TEST_F(SecretsApiTest, MetadataListsSecretStoresWithTypeAndVersion) {
  auto r = call("/v1.0/metadata");
  ASSERT_EQ(r.status, 200);
  auto json = JsonView::parse(r.body);
  ASSERT_TRUE(json && json->is_object()) << r.body;
  const JsonView* components = json->find("components");
  ASSERT_TRUE(components && components->is_array()) << r.body;
  bool listed = false;
  for (const auto& c : components->items()) {
    if (c.find("name")->string() != "secret-envvars") continue;
    listed = true;
    EXPECT_EQ(c.find("type")->string(), "secretstores.local.env");
    EXPECT_EQ(c.find("version")->string(), "v1");
  }
  EXPECT_TRUE(listed) << r.body;
}

TEST(SecretsApiWithoutStores, RoutesAre500NotConfigured) {
  auto built = components::builtin_registry().build({spec("memstore", "state.in-memory")});
  ASSERT_TRUE(built) << built.error();
  Sidecar sidecar(*built, SidecarOptions{.app_id = "app1", .runtime_version = "t"});
  EXPECT_TRUE(IsApiError(sidecar.handle(get_request("/v1.0/secrets/any/x")), 500,
                         "ERR_SECRET_STORES_NOT_CONFIGURED"));
  EXPECT_TRUE(IsApiError(sidecar.handle(get_request("/v1.0/secrets/any/bulk")), 500,
                         "ERR_SECRET_STORES_NOT_CONFIGURED"));
}

}  // namespace
}  // namespace wasmdapr::sidecar
