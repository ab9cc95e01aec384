// Execution semantics: call_indirect checks, cross-instance calls, fused code paths, numeric
// edge cases and memory bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

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

class Exec : public ::testing::Test {
 protected:
  void SetUp() override {
    auto provider = linker_.instantiate(store_, load("exec_provider.wasm"));
    ASSERT_TRUE(provider) << provider.error().to_string();
    linker_.define_instance("provider", **provider);
    auto kernels = linker_.instantiate(store_, load("exec_kernels.wasm"));
    ASSERT_TRUE(kernels) << kernels.error().to_string();
    instance_ = *kernels;
  }

  Result<std::vector<Value>, Trap> call(const char* name, std::vector<Value> args) {
    return instance_->call(name, args);
  }
  int32_t call_i32(const char* name, std::vector<Value> args) {
    auto out = call(name, std::move(args));
    EXPECT_TRUE(out) << (out ? "" : out.error().to_string());
    return out ? (*out)[0].as_i32() : 0;
  }
  void expect_trap(const char* name, std::vector<Value> args, Trap::Kind kind,
                   const std::string& message) {
    auto out = call(name, std::move(args));
    ASSERT_FALSE(out) << name << " did not trap";
    EXPECT_EQ(out.error().kind, kind);
    EXPECT_EQ(out.error().message, message);
  }

  Store store_;
  Linker linker_;
  Instance* instance_ = nullptr;
};

TEST_F(Exec, CallIndirectReachesTheTableEntry) {
  EXPECT_EQ(call_i32("dispatch", {Value::i32(0), Value::i32(21)}), 42);
}

TEST_F(Exec, CallIndirectChecksBoundsNullAndType) {
  expect_trap("dispatch", {Value::i32(9), Value::i32(1)}, Trap::Kind::TableOutOfBounds,
              "undefined element");
  expect_trap("dispatch", {Value::i32(3), Value::i32(1)}, Trap::Kind::UninitializedElement,
              "uninitialized element 3");
  expect_trap("dispatch", {Value::i32(1), Value::i32(1)}, Trap::Kind::IndirectCallTypeMismatch,
              "indirect call type mismatch");
}

TEST_F(Exec, ImportedWasmFunctionRunsAgainstItsOwnInstance) {
  // provider: x + its global (100) + its memory byte (42); then this instance's global (5).
  EXPECT_EQ(call_i32("cross", {Value::i32(1)}), 148);
  // The same function reached through this module's table still uses the provider's state.
  EXPECT_EQ(call_i32("dispatch", {Value::i32(2), Value::i32(0)}), 142);
}

TEST_F(Exec, LoopsAndPendingLocalReads) {
  EXPECT_EQ(call_i32("sum_to", {Value::i32(1000)}), 499500);
  EXPECT_EQ(call_i32("sum_to", {Value::i32(0)}), 0);
  EXPECT_EQ(call_i32("swap_pending", {Value::i32(10), Value::i32(3)}), 7);
}

TEST_F(Exec, MultiValueBranchCarriesBothResults) {
  auto taken = call("multi", {Value::i32(4)});
  ASSERT_TRUE(taken);
  EXPECT_EQ((*taken)[0].as_i32(), 4);
  EXPECT_EQ((*taken)[1].as_i32(), 7);
  auto fallthrough = call("multi", {Value::i32(0)});
  ASSERT_TRUE(fallthrough);
  EXPECT_EQ((*fallthrough)[0].as_i32(), -1);
  EXPECT_EQ((*fallthrough)[1].as_i32(), -2);
}

TEST_F(Exec, IntegerDivisionEdges) {
  EXPECT_EQ(call_i32("div_s", {Value::i32(-7), Value::i32(2)}), -3);
  expect_trap("div_s", {Value::i32(1), Value::i32(0)}, Trap::Kind::IntegerDivideByZero,
              "integer divide by zero");
  expect_trap("div_s", {Value::i32(INT32_MIN), Value::i32(-1)}, Trap::Kind::IntegerOverflow,
              "integer overflow");
  EXPECT_EQ(call_i32("rem_s", {Value::i32(INT32_MIN), Value::i32(-1)}), 0);
}

TEST_F(Exec, FloatConversionsAndMin) {
  EXPECT_EQ(call_i32("trunc", {Value::f64(-3.9)}), -3);
  expect_trap("trunc", {Value::f64(NAN)}, Trap::Kind::InvalidConversion,
              "invalid conversion to integer");
  expect_trap("trunc", {Value::f64(3e9)}, Trap::Kind::IntegerOverflow, "integer overflow");
  EXPECT_EQ(call_i32("trunc_sat", {Value::f64(3e9)}), INT32_MAX);
  EXPECT_EQ(call_i32("trunc_sat", {Value::f64(NAN)}), 0);
  auto zero = call("fmin", {Value::f64(0.0), Value::f64(-0.0)});
  ASSERT_TRUE(zero);
  EXPECT_TRUE(std::signbit((*zero)[0].as_f64()));
  auto nan = call("fmin", {Value::f64(1.0), Value::f64(NAN)});
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan((*nan)[0].as_f64()));
}

TEST_F(Exec, MemoryBoundsAreChecked) {
  EXPECT_EQ(call_i32("load_at", {Value::i32(65528)}), 0);
  expect_trap("load_at", {Value::i32(65529)}, Trap::Kind::MemoryOutOfBounds,
              "out of bounds memory access");
  expect_trap("load_at", {Value::i32(-1)}, Trap::Kind::MemoryOutOfBounds,
              "out of bounds memory access");
  // A fill that would run past the end writes nothing.
  expect_trap("fill", {Value::i32(65530), Value::i32(0xff), Value::i32(10)},
              Trap::Kind::MemoryOutOfBounds, "out of bounds memory access");
  EXPECT_EQ(call_i32("load_at", {Value::i32(65526)}), 0);
}

}  // namespace
}  // namespace wasmdapr::wasm
