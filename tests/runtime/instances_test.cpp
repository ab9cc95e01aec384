// Many instances of one guest module at once, as a server runs them: the module compiled once,
// one Linker with WASI and both guest ABIs over one shared sidecar (AppServices), and per
// instance its own Store and WASI context, each on its own thread. Every instance checks its
// own keys across both ABIs, and all of them increment one shared counter with optimistic
// concurrency, over the direct ABI and over HTTP at once: no increment may be lost.

#include <gtest/gtest.h>

#include <barrier>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/app_services.h"
#include "runtime/state_backend.h"
#include "wasi/wasi_context.h"
#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace wasmdapr::testing {
namespace {

constexpr int kInstances = 8;
constexpr int kRounds = 10;
constexpr int kIncrements = 15;

std::shared_ptr<const wasm::Module> compile_guest(const wasm::Engine& engine) {
  std::ifstream in(std::string(GUEST_DIR) + "/instances_guest.wasm", std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) return nullptr;
  return *module;
}

// The app: one sidecar with both guest ABIs, one Linker, one compiled module.
class App {
 public:
  explicit App(const StateBackend& store) {
    runtime::RunOptions options;
    options.app_id = "instances";
    options.allowed_hosts = {"http://127.0.0.1:3500"};
    options.resources_paths = {store.resources()};
    options.state_dir = store.scratch();
    auto started = runtime::AppServices::start(options);
    if (!started) {
      failure_ = started.error();
      return;
    }
    services_ = std::move(*started);
    module_ = compile_guest(engine_);
    if (!module_) {
      failure_ = "instances_guest.wasm does not compile";
      return;
    }
    wasi::add_to_linker(linker_);
    services_->add_to_linker(linker_);
  }

  const std::string& failure() const { return failure_; }

  // One instance: its own WASI context and Store, the guest's start run.
  class Instance {
   public:
    explicit Instance(App& app) {
      wasi::WasiConfig config;
      config.args = {"instances_guest.wasm"};
      config.env = app.services_->guest_environment();
      auto wasi = wasi::WasiContext::create(config);
      if (!wasi) {
        failure_ = wasi.error();
        return;
      }
      wasi_ = std::move(*wasi);
      store_ = std::make_unique<wasm::Store>();
      store_->set_host_state(wasi_.get());
      auto instance = app.linker_.instantiate(*store_, app.module_);
      if (!instance) {
        failure_ = instance.error().to_string();
        return;
      }
      instance_ = *instance;
      if (auto started = instance_->call("_start", {}); !started) {
        failure_ = started.error().to_string();
      }
    }
    ~Instance() {
      store_.reset();  // before the WASI context its host functions use
    }

    const std::string& failure() const { return failure_; }

    // Calls an export taking i32s and returning one; a trap is reported as a failure.
    int32_t call(const char* name, std::vector<int32_t> args = {}) {
      std::vector<wasm::Value> values;
      for (int32_t a : args) values.push_back(wasm::Value::i32(a));
      auto results = instance_->call(name, values);
      if (!results) {
        failure_ = std::string(name) + ": " + results.error().to_string();
        return -1000;
      }
      return (*results)[0].as_i32();
    }

   private:
    std::unique_ptr<wasi::WasiContext> wasi_;
    std::unique_ptr<wasm::Store> store_;
    wasm::Instance* instance_ = nullptr;
    std::string failure_;
  };

 private:
  wasm::Engine engine_;
  std::unique_ptr<runtime::AppServices> services_;
  std::shared_ptr<const wasm::Module> module_;
  wasm::Linker linker_;
  std::string failure_;
};

class ConcurrentInstances : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ready()) << store_.failure();
    app_ = std::make_unique<App>(store_);
    ASSERT_EQ(app_->failure(), "");
  }

  StateBackend store_{GetParam()};
  std::unique_ptr<App> app_;
};

TEST_P(ConcurrentInstances, EachDoesItsOwnWorkAndNoSharedIncrementIsLost) {
  {
    App::Instance setup(*app_);
    ASSERT_EQ(setup.failure(), "");
    ASSERT_EQ(setup.call("setCounter", {0}), 0);
  }
  struct Outcome {
    std::string failure;
    int32_t work = -1;
    int32_t increments = -1;
    int32_t conflicts = 0;
  };
  std::vector<Outcome> outcomes(kInstances);
  // Every thread instantiates, then all start calling at the same moment.
  std::barrier ready(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      App::Instance instance(*app_);
      ready.arrive_and_wait();
      if (!instance.failure().empty()) {
        outcomes[i].failure = instance.failure();
        return;
      }
      outcomes[i].work = instance.call("work", {i, kRounds});
      outcomes[i].increments = instance.call("increment", {kIncrements, i % 2});
      outcomes[i].conflicts = instance.call("conflicts");
      outcomes[i].failure = instance.failure();
    });
  }
  for (auto& t : threads) t.join();
  int conflicts = 0;
  for (int i = 0; i < kInstances; ++i) {
    conflicts += outcomes[i].conflicts;
    SCOPED_TRACE("instance " + std::to_string(i));
    EXPECT_EQ(outcomes[i].failure, "");
    EXPECT_EQ(outcomes[i].work, 0) << "step * 100 + status";
    EXPECT_EQ(outcomes[i].increments, 0) << "step * 100 + status";
  }
  // How often writers collided depends on scheduling; it is reported, not checked.
  RecordProperty("etag_conflicts", conflicts);
  std::printf("%d increments met a conflict and started again\n", conflicts);
  App::Instance check(*app_);
  ASSERT_EQ(check.failure(), "");
  EXPECT_EQ(check.call("counter"), kInstances * kIncrements);
}

TEST_P(ConcurrentInstances, LiveInstancesSeeEachOthersWrites) {
  App::Instance a(*app_), b(*app_);
  ASSERT_EQ(a.failure(), "");
  ASSERT_EQ(b.failure(), "");
  EXPECT_EQ(a.call("work", {100, 2}), 0);
  EXPECT_EQ(b.call("work", {101, 2}), 0);
  EXPECT_EQ(a.call("setCounter", {7}), 0);
  EXPECT_EQ(b.call("counter"), 7);
}

INSTANTIATE_TEST_SUITE_P(Stores, ConcurrentInstances,
                         ::testing::Values(StoreKind::Memory, StoreKind::Sqlite, StoreKind::Redis),
                         [](const auto& info) { return to_string(info.param); });

// A backend that goes away is `unavailable` to the guest (9 over the direct ABI, a 500 over
// HTTP), and the app recovers when it is back, without a restart.
TEST(RedisOutage, IsUnavailableToTheGuestAndRecovers) {
  StateBackend store(StoreKind::Redis);
  ASSERT_TRUE(store.ready()) << store.failure();
  App app(store);
  ASSERT_EQ(app.failure(), "");
  App::Instance instance(app);
  ASSERT_EQ(instance.failure(), "");
  EXPECT_EQ(instance.call("probe"), 1);  // not found
  store.redis()->kill();
  EXPECT_EQ(instance.call("probe"), 9);
  EXPECT_EQ(instance.call("probeHttp"), 500);
  ASSERT_TRUE(store.redis()->restart());
  EXPECT_EQ(instance.call("probe"), 1);
  EXPECT_EQ(instance.call("probeHttp"), 204);
  EXPECT_EQ(instance.failure(), "");
}

}  // namespace
}  // namespace wasmdapr::testing
