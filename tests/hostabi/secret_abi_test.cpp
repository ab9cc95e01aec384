// `secret_get` of the direct `dapr` ABI through a real guest (secret_passthrough.wat) over
// secretstores.local.env and a store with missing secrets: the same JSON object the HTTP API
// answers, and the ABI's status codes.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "components/registry.h"
#include "guest_harness.h"
#include "hostabi/dapr_abi.h"

namespace wasmdapr::hostabi {
namespace {

using testing::Guest;
using Status = DaprAbiStatus;

// Knows no secret at all, as a store that answers "not found" does.
class EmptySecretStore final : public dapr::SecretStore {
 public:
  Result<std::optional<dapr::Secret>, dapr::Error> get(const std::string&,
                                                       const dapr::Metadata&) const override {
    return std::optional<dapr::Secret>();
  }
  Result<std::map<std::string, dapr::Secret>, dapr::Error> bulk_get(
      const dapr::Metadata&) const override {
    return std::map<std::string, dapr::Secret>{};
  }
};

class SecretAbiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("WDABI_SECRET", "s3cr3t", 1);
    ::setenv("DAPR_WDABI_HIDDEN", "internal", 1);
    dapr::ComponentSpec env;
    env.name = "envsecrets";
    env.type = "secretstores.local.env";
    auto built = components::builtin_registry().build({env});
    ASSERT_TRUE(built) << built.error();
    components_ = std::move(*built);
    components_.secrets.emplace("empty", std::make_shared<EmptySecretStore>());
    abi_ = std::make_unique<DaprAbi>(components_, "myapp");
    guest_ = std::make_unique<Guest>(GUEST_DIR "/secret_passthrough.wasm",
                                     [&](wasm::Linker& l) { abi_->add_to_linker(l); });
  }
  void TearDown() override {
    ::unsetenv("WDABI_SECRET");
    ::unsetenv("DAPR_WDABI_HIDDEN");
  }

  Status get(std::string_view store, std::string_view name, std::string& out, uint32_t cap = 256) {
    auto s = guest_->put(store);
    auto k = guest_->put(name);
    auto buf = guest_->reserve(cap);
    auto st = Status(guest_->call(
        "secret_get", {s, uint32_t(store.size()), k, uint32_t(name.size()), buf, cap, 0}));
    if (st == Status::Ok) out = guest_->read(buf, guest_->read_u32(0));
    return st;
  }

  dapr::ComponentSet components_;
  std::unique_ptr<DaprAbi> abi_;
  std::unique_ptr<Guest> guest_;
};

TEST_F(SecretAbiTest, SecretIsTheHttpApisJsonObject) {
  std::string value;
  ASSERT_EQ(get("envsecrets", "WDABI_SECRET", value), Status::Ok);
  EXPECT_EQ(value, R"({"WDABI_SECRET":"s3cr3t"})");
}

TEST_F(SecretAbiTest, DaprVariablesReadEmptyAsOverHttp) {
  std::string value;
  ASSERT_EQ(get("envsecrets", "DAPR_WDABI_HIDDEN", value), Status::Ok);
  EXPECT_EQ(value, R"({"DAPR_WDABI_HIDDEN":""})");
}

TEST_F(SecretAbiTest, MissingSecretIsNotFound) {
  std::string value;
  EXPECT_EQ(get("empty", "anything", value), Status::NotFound);
}

TEST_F(SecretAbiTest, UnknownStoreIsComponentNotFound) {
  std::string value;
  EXPECT_EQ(get("nostore", "WDABI_SECRET", value), Status::ComponentNotFound);
}

TEST_F(SecretAbiTest, SmallBufferReportsTheSizeNeeded) {
  std::string value;
  const std::string expected = R"({"WDABI_SECRET":"s3cr3t"})";
  EXPECT_EQ(get("envsecrets", "WDABI_SECRET", value, 4), Status::BufferTooSmall);
  EXPECT_EQ(guest_->read_u32(0), expected.size());
  ASSERT_EQ(get("envsecrets", "WDABI_SECRET", value, uint32_t(expected.size())), Status::Ok);
  EXPECT_EQ(value, expected);
}

TEST_F(SecretAbiTest, PointerOutsideMemoryIsAnErrorCode) {
  auto k = guest_->put("k");
  uint32_t outside = 2 * 65536 - 2;
  EXPECT_EQ(Status(guest_->call("secret_get", {outside, 10, k, 1, 2048, 16, 0})),
            Status::MemoryAccessError);
}

}  // namespace
}  // namespace wasmdapr::hostabi
