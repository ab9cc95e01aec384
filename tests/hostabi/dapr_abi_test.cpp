// The direct `dapr` ABI through a real guest (dapr_passthrough.wat) and a real state store.
#include "hostabi/dapr_abi.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "components/registry.h"
#include "guest_harness.h"
#include "hostabi/list_codec.h"

namespace wasmdapr::hostabi {
namespace {

namespace fs = std::filesystem;
using testing::Guest;
using Status = DaprAbiStatus;

constexpr const char* kComponent = R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.in-memory
  version: v1
)";

class DaprAbiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dapr-abi-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "statestore.yaml") << kComponent;
    auto loaded = components::load_components({dir_.string()}, dir_.string());
    ASSERT_TRUE(loaded) << loaded.error();
    components_ = std::move(*loaded);
    abi_ = std::make_unique<DaprAbi>(components_, "myapp");
    guest_ = std::make_unique<Guest>(GUEST_DIR "/dapr_passthrough.wasm",
                                     [&](wasm::Linker& l) { abi_->add_to_linker(l); });
  }
  void TearDown() override { fs::remove_all(dir_); }

  Status set(std::string_view key, std::string_view value, std::string_view etag = "") {
    auto s = guest_->put("statestore");
    auto k = guest_->put(key);
    auto v = guest_->put(value);
    auto e = guest_->put(etag);
    return Status(guest_->call("state_set", {s, 10, k, uint32_t(key.size()), v,
                                             uint32_t(value.size()), e, uint32_t(etag.size())}));
  }

  // state_get or state_get_etag into a buffer of `cap` bytes; fills `out` on success.
  Status get(std::string_view fn, std::string_view key, std::string& out, uint32_t cap = 256,
             std::string_view store = "statestore") {
    auto s = guest_->put(store);
    auto k = guest_->put(key);
    auto buf = guest_->reserve(cap);
    auto st =
        Status(guest_->call(fn, {s, uint32_t(store.size()), k, uint32_t(key.size()), buf, cap, 0}));
    if (st == Status::Ok) out = guest_->read(buf, guest_->read_u32(0));
    return st;
  }

  Status del(std::string_view key, std::string_view etag = "") {
    auto s = guest_->put("statestore");
    auto k = guest_->put(key);
    auto e = guest_->put(etag);
    return Status(
        guest_->call("state_delete", {s, 10, k, uint32_t(key.size()), e, uint32_t(etag.size())}));
  }

  fs::path dir_;
  dapr::ComponentSet components_;
  std::unique_ptr<DaprAbi> abi_;
  std::unique_ptr<Guest> guest_;
};

TEST_F(DaprAbiTest, SavedBytesComeBackUnchanged) {
  ASSERT_EQ(set("weapon", R"("Death Star")"), Status::Ok);
  std::string value;
  ASSERT_EQ(get("state_get", "weapon", value), Status::Ok);
  EXPECT_EQ(value, R"("Death Star")");
}

TEST_F(DaprAbiTest, KeysCarryTheAppIdPrefixInTheStore) {
  ASSERT_EQ(set("planet", "1"), Status::Ok);
  dapr::GetRequest request;
  request.key = "myapp||planet";
  auto got = components_.state_store("statestore")->get(request);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->found);
  EXPECT_EQ(got->value, "1");
}

TEST_F(DaprAbiTest, MissingKeyIsNotFound) {
  std::string value;
  EXPECT_EQ(get("state_get", "nothing", value), Status::NotFound);
}

TEST_F(DaprAbiTest, SmallBufferReportsTheSizeNeeded) {
  std::string big(1000, 'x');
  ASSERT_EQ(set("big", big), Status::Ok);
  std::string value;
  EXPECT_EQ(get("state_get", "big", value, 16), Status::BufferTooSmall);
  EXPECT_EQ(guest_->read_u32(0), 1000u);
  ASSERT_EQ(get("state_get", "big", value, 1000), Status::Ok);
  EXPECT_EQ(value, big);
}

TEST_F(DaprAbiTest, UnknownStoreIsComponentNotFound) {
  std::string value;
  EXPECT_EQ(get("state_get", "k", value, 16, "nostore"), Status::ComponentNotFound);
}

TEST_F(DaprAbiTest, PointerOutsideMemoryIsAnErrorCode) {
  auto k = guest_->put("k");
  uint32_t outside = 2 * 65536 - 2;
  EXPECT_EQ(Status(guest_->call("state_get", {outside, 10, k, 1, 2048, 16, 0})),
            Status::MemoryAccessError);
  auto s = guest_->put("statestore");
  EXPECT_EQ(Status(guest_->call("state_set", {s, 10, k, 1, 0xFFFFFFF0u, 100, 0, 0})),
            Status::MemoryAccessError);
}

TEST_F(DaprAbiTest, SeparatorInKeyIsInvalid) {
  EXPECT_EQ(set("a||b", "1"), Status::InvalidArgument);
}

TEST_F(DaprAbiTest, NamesThatAreNotUtf8AreInvalid) {
  EXPECT_EQ(set("bad\xC3(", "1"), Status::InvalidArgument);         // a broken two-byte sequence
  EXPECT_EQ(set("bad\xED\xA0\x80", "1"), Status::InvalidArgument);  // a surrogate
  EXPECT_EQ(set("caf\xC3\xA9", "1"), Status::Ok);
  auto s = guest_->put("state\xFFstore");
  auto k = guest_->put("k");
  EXPECT_EQ(Status(guest_->call("state_set", {s, 11, k, 1, k, 1, 0, 0})), Status::InvalidArgument);
}

TEST_F(DaprAbiTest, EtagsGuardWrites) {
  ASSERT_EQ(set("counter", "1"), Status::Ok);
  std::string etag;
  ASSERT_EQ(get("state_get_etag", "counter", etag), Status::Ok);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(set("counter", "2", "999999"), Status::EtagMismatch);
  EXPECT_EQ(set("counter", "2", "not-an-etag"), Status::InvalidArgument);
  EXPECT_EQ(set("counter", "2", etag), Status::Ok);
  EXPECT_EQ(del("counter", etag), Status::EtagMismatch);  // the write changed it
  std::string fresh;
  ASSERT_EQ(get("state_get_etag", "counter", fresh), Status::Ok);
  EXPECT_NE(fresh, etag);
  EXPECT_EQ(del("counter", fresh), Status::Ok);
  std::string value;
  EXPECT_EQ(get("state_get", "counter", value), Status::NotFound);
}

TEST_F(DaprAbiTest, BulkGetListsMissingKeysToo) {
  ASSERT_EQ(set("a", "\"A\""), Status::Ok);
  auto keys = ListEncoder().u32(2).bytes("a").bytes("missing").data();
  auto s = guest_->put("statestore");
  auto k = guest_->put(keys);
  auto buf = guest_->reserve(512);
  ASSERT_EQ(Status(guest_->call("state_get_bulk", {s, 10, k, uint32_t(keys.size()), buf, 512, 0})),
            Status::Ok);
  std::string result = guest_->read(buf, guest_->read_u32(0));
  ListDecoder out(result);
  ASSERT_EQ(out.u32(), 2u);
  EXPECT_EQ(out.bytes(), "a");
  EXPECT_EQ(out.u32(), 1u);
  EXPECT_EQ(out.bytes(), "\"A\"");
  EXPECT_FALSE(out.bytes()->empty());  // etag
  EXPECT_EQ(out.bytes(), "missing");
  EXPECT_EQ(out.u32(), 0u);
  EXPECT_EQ(out.bytes(), "");
  EXPECT_EQ(out.bytes(), "");
  EXPECT_TRUE(out.at_end());
}

TEST_F(DaprAbiTest, TransactionAppliesEveryOperation) {
  ASSERT_EQ(set("old", "0"), Status::Ok);
  auto ops = ListEncoder()
                 .u32(3)
                 .u32(0)
                 .bytes("x")
                 .bytes("1")
                 .bytes("")
                 .u32(0)
                 .bytes("y")
                 .bytes("2")
                 .bytes("")
                 .u32(1)
                 .bytes("old")
                 .bytes("")
                 .bytes("")
                 .data();
  auto s = guest_->put("statestore");
  auto o = guest_->put(ops);
  ASSERT_EQ(Status(guest_->call("state_transaction", {s, 10, o, uint32_t(ops.size())})),
            Status::Ok);
  std::string value;
  EXPECT_EQ(get("state_get", "x", value), Status::Ok);
  EXPECT_EQ(value, "1");
  EXPECT_EQ(get("state_get", "y", value), Status::Ok);
  EXPECT_EQ(value, "2");
  EXPECT_EQ(get("state_get", "old", value), Status::NotFound);
}

TEST_F(DaprAbiTest, MalformedTransactionIsRejectedWhole) {
  auto ops = ListEncoder().u32(2).u32(0).bytes("x").bytes("1").bytes("").data();
  auto s = guest_->put("statestore");
  auto o = guest_->put(ops);
  EXPECT_EQ(Status(guest_->call("state_transaction", {s, 10, o, uint32_t(ops.size())})),
            Status::InvalidArgument);
  std::string value;
  EXPECT_EQ(get("state_get", "x", value), Status::NotFound);
}

TEST(DaprAbiNoMemory, EveryFunctionSaysTheMemoryIsMissing) {
  dapr::ComponentSet none;
  DaprAbi abi(none, "myapp");
  Guest guest(GUEST_DIR "/dapr_no_memory.wasm", [&](wasm::Linker& l) { abi.add_to_linker(l); });
  const std::pair<const char*, size_t> functions[] = {
      {"state_get", 7},      {"state_get_etag", 7},    {"state_set", 8},   {"state_delete", 6},
      {"state_get_bulk", 7}, {"state_transaction", 4}, {"secret_get", 7},  {"publish", 10},
      {"invoke", 14},        {"binding", 11},          {"result_take", 3}, {"config_get", 7},
  };
  for (const auto& [name, params] : functions) {
    EXPECT_EQ(Status(guest.call(name, std::vector<uint32_t>(params, 0))), Status::MemoryNotFound)
        << name;
  }
}

}  // namespace
}  // namespace wasmdapr::hostabi
