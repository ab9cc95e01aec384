// The embedding API: host functions, re-entrancy, limits, interruption and traps.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace wasmdapr::wasm {
namespace {

std::shared_ptr<const Module> load(const std::string& name) {
  std::ifstream in(std::string(MODULE_DIR) + "/" + name, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto m = Module::compile(Engine{}, bytes);
  EXPECT_TRUE(m) << (m ? "" : m.error().to_string());
  return m ? *m : nullptr;
}

const FuncType kI32I32ToI32{{ValType::I32, ValType::I32}, {ValType::I32}};

class HostCalls : public ::testing::Test {
 protected:
  explicit HostCalls(StoreConfig config = {}) : store_(config) {}

  void SetUp() override {
    linker_.define_host(
        "host", "add", kI32I32ToI32,
        [](HostContext&, std::span<const RawValue> a, std::span<RawValue> r) -> Result<void, Trap> {
          r[0] = static_cast<uint32_t>(a[0] + a[1]);
          return {};
        });
    linker_.define_host(
        "host", "fail", {},
        [](HostContext&, std::span<const RawValue>, std::span<RawValue>) -> Result<void, Trap> {
          return unexpected(Trap::make(Trap::Kind::Host, "host said no"));
        });
    linker_.define_host("host", "reenter", {{ValType::I32}, {ValType::I32}},
                        [](HostContext& ctx, std::span<const RawValue> a,
                           std::span<RawValue> r) -> Result<void, Trap> {
                          // Calls back into the calling instance on the same store.
                          auto out = ctx.caller()->call(
                              "double", std::vector<Value>{Value::i32(int32_t(a[0]))});
                          if (!out) return unexpected(out.error());
                          r[0] = static_cast<uint32_t>((*out)[0].as_i32() + 1);
                          return {};
                        });
    module_ = load("host_calls.wasm");
    auto inst = linker_.instantiate(store_, module_);
    ASSERT_TRUE(inst) << inst.error().to_string();
    instance_ = *inst;
  }

  Result<std::vector<Value>, Trap> call(const char* name, std::vector<Value> args,
                                        const CallLimits& limits = {}) {
    return instance_->call(name, args, limits);
  }

  Store store_;
  Linker linker_;
  std::shared_ptr<const Module> module_;
  Instance* instance_ = nullptr;
};

TEST_F(HostCalls, HostFunctionReceivesArgumentsAndReturnsResults) {
  auto r = call("sum_via_host", {Value::i32(40), Value::i32(2)});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].as_i32(), 42);
}

TEST_F(HostCalls, HostTrapPropagatesWithItsMessage) {
  auto r = call("host_fails", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::Host);
  EXPECT_EQ(r.error().message, "host said no");
}

TEST_F(HostCalls, HostMayCallBackIntoWasm) {
  auto r = call("reenter", {Value::i32(20)});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].as_i32(), 41);
}

TEST_F(HostCalls, ArgumentsAreTypeChecked) {
  EXPECT_FALSE(call("double", {Value::i64(1)}));
  EXPECT_FALSE(call("double", {}));
  EXPECT_FALSE(call("no_such_export", {}));
}

TEST_F(HostCalls, DeadlineStopsAnEndlessLoop) {
  CallLimits limits;
  limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  auto r = call("spin", {}, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::Interrupted);
  // The store keeps working after the interruption.
  auto again = call("double", {Value::i32(4)});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].as_i32(), 8);
}

TEST_F(HostCalls, FuelStopsAnEndlessLoop) {
  CallLimits limits;
  limits.fuel = 1000;
  auto r = call("spin_with_work", {}, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::OutOfFuel);
}

TEST_F(HostCalls, EnoughFuelLetsACallFinish) {
  CallLimits limits;
  limits.fuel = 1000;
  auto r = call("down", {Value::i32(100)}, limits);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].as_i32(), 100);
}

TEST_F(HostCalls, InterruptFromAnotherThreadStopsTheGuest) {
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    store_.interrupt();
  });
  auto r = call("spin", {});
  stopper.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::Interrupted);
}

TEST_F(HostCalls, DeepRecursionTrapsInsteadOfOverflowing) {
  auto r = call("down", {Value::i32(1'000'000)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::CallStackExhausted);
  EXPECT_EQ(r.error().message, "call stack exhausted");
}

TEST_F(HostCalls, TrapBacktraceNamesTheFunctionsAndOffsets) {
  auto r = call("crash", {Value::i32(3)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::IntegerDivideByZero);
  ASSERT_EQ(r.error().backtrace.size(), 4u);
  EXPECT_EQ(r.error().backtrace[0].func_name, "crash");
  EXPECT_GT(r.error().backtrace[0].code_offset, 0u);
  EXPECT_NE(r.error().to_string().find("at crash"), std::string::npos);
}

TEST_F(HostCalls, MemoryGrowsUpToItsMaximum) {
  auto grow = [&](int32_t n) { return (*call("grow", {Value::i32(n)}))[0].as_i32(); };
  EXPECT_EQ(grow(1), 1);
  EXPECT_EQ(grow(2), 2);
  EXPECT_EQ(grow(1), -1);  // maximum is 4 pages
  EXPECT_EQ(instance_->exported_memory()->pages(), 4u);
}

class LimitedStore : public HostCalls {
 protected:
  LimitedStore() : HostCalls(StoreConfig{.max_memory_pages = 2, .max_call_depth = 50}) {}
};

TEST_F(LimitedStore, HostCapsMemoryGrowth) {
  auto r = call("grow", {Value::i32(1)});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].as_i32(), 1);
  EXPECT_EQ((*call("grow", {Value::i32(1)}))[0].as_i32(), -1);
}

TEST_F(LimitedStore, HostCapsCallDepth) {
  EXPECT_TRUE(call("down", {Value::i32(40)}));
  auto r = call("down", {Value::i32(60)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Trap::Kind::CallStackExhausted);
}

TEST(Instantiation, ManyStoresShareOneModule) {
  auto module = load("host_calls.wasm");
  Linker linker;
  linker.define_host(
      "host", "add", kI32I32ToI32,
      [](HostContext&, std::span<const RawValue>, std::span<RawValue> r) -> Result<void, Trap> {
        r[0] = 0;
        return {};
      });
  linker.define_host("host", "fail", {},
                     [](HostContext&, auto, auto) -> Result<void, Trap> { return {}; });
  linker.define_host("host", "reenter", {{ValType::I32}, {ValType::I32}},
                     [](HostContext&, auto, auto) -> Result<void, Trap> { return {}; });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Store store;
        auto inst = linker.instantiate(store, module);
        if (!inst) continue;
        auto r = (*inst)->call("down", std::vector<Value>{Value::i32(10)});
        if (r && (*r)[0].as_i32() == 10) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(Instantiation, MissingImportIsALinkError) {
  auto module = load("host_calls.wasm");
  Store store;
  Linker linker;
  auto inst = linker.instantiate(store, module);
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, Trap::Kind::Link);
  EXPECT_NE(inst.error().message.find("unknown import: host.add"), std::string::npos);
}

TEST(Decoding, MalformedBytesGiveAPreciseError) {
  std::vector<uint8_t> bytes = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 9, 1};
  auto m = Module::compile(Engine{}, bytes);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, CompileError::Kind::Malformed);
  EXPECT_EQ(m.error().section, "type");
  EXPECT_EQ(m.error().offset, 10u);
}

TEST(Decoding, TruncationsInsideASectionAreRejectedCleanly) {
  std::ifstream in(std::string(MODULE_DIR) + "/host_calls.wasm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_TRUE(Module::compile(Engine{}, bytes));
  // Cutting at a section boundary can leave a smaller valid module; cutting anywhere else
  // must be rejected. Sections start after the 8-byte header: id, size (LEB), contents.
  std::vector<size_t> boundaries = {8};
  for (size_t at = 8; at < bytes.size();) {
    size_t p = at + 1, size = 0;
    for (unsigned shift = 0;; shift += 7) {
      size |= size_t(bytes[p] & 0x7F) << shift;
      if (!(bytes[p++] & 0x80)) break;
    }
    at = p + size;
    boundaries.push_back(at);
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    bool at_boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    auto m = Module::compile(Engine{}, prefix);
    if (!at_boundary) {
      EXPECT_FALSE(m) << "prefix of " << n << " bytes";
    }
  }
}

TEST(Decoding, FlippedBytesNeverCrash) {
  std::ifstream in(std::string(MODULE_DIR) + "/host_calls.wasm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    auto mutated = bytes;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1103515245 + 12345;
      mutated[8 + seed % (mutated.size() - 8)] ^= static_cast<uint8_t>(seed >> 16);
    }
    auto m = Module::compile(Engine{}, mutated);  // accepted or rejected, never a crash
    if (m) {
      Store store;
      Linker linker;
      (void)linker.instantiate(store, *m);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace wasmdapr::wasm
