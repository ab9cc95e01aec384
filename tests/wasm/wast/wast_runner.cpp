// Runs the JSON command scripts wast2json produces from .wast files: modules, registrations,
// invocations and every kind of assertion, against the engine's embedding API.
// Usage: wast_runner SCRIPT.json...   Prints "<file>: N passed, M failed, K skipped" per script.
// Assertions on text-format modules (module quote) are skipped: they test a text parser.
// Expected trap and link messages must be a prefix of the engine's message, as in the spec's
// reference interpreter; assert_malformed must fail decoding, assert_invalid validation.
#include <rapidjson/document.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "wasm/instance.h"
#include "wasm/linker.h"
#include "wasm/module.h"
#include "wasm/store.h"

namespace {

using namespace wasmdapr::wasm;
using rapidjson::Value;
using wasmdapr::Result;
using wasmdapr::unexpected;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ValType type_of(const std::string& name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  return ValType::V128;
}

// Externref N of the script is the host word N + 1, keeping 0 for null.
wasmdapr::wasm::Value parse_value(const Value& v) {
  ValType t = type_of(v["type"].GetString());
  std::string text = v.HasMember("value") ? v["value"].GetString() : "";
  if (t == ValType::FuncRef || t == ValType::ExternRef) {
    if (text == "null" || text.empty()) return wasmdapr::wasm::Value::null_ref(t);
    return {t, std::stoull(text) + 1};
  }
  return {t, std::stoull(text)};
}

struct Expectation {
  ValType type;
  std::string text;
};

bool matches(const Expectation& e, const wasmdapr::wasm::Value& got) {
  if (e.type != got.type) return false;
  if (e.type == ValType::F32 || e.type == ValType::F64) {
    bool f32 = e.type == ValType::F32;
    uint64_t bits = got.bits;
    uint64_t exp_mask = f32 ? 0x7F800000ull : 0x7FF0000000000000ull;
    uint64_t quiet = f32 ? 0x00400000ull : 0x0008000000000000ull;
    uint64_t payload = f32 ? 0x007FFFFFull : 0x000FFFFFFFFFFFFFull;
    if (e.text == "nan:canonical") {
      return (bits & exp_mask) == exp_mask && (bits & payload) == quiet;
    }
    if (e.text == "nan:arithmetic") return (bits & exp_mask) == exp_mask && (bits & quiet);
  }
  if (e.type == ValType::FuncRef || e.type == ValType::ExternRef) {
    if (e.text == "null") return got.bits == 0;
    if (e.text.empty()) return got.bits != 0;  // any non-null reference
    return got.bits == std::stoull(e.text) + 1;
  }
  uint64_t want = std::stoull(e.text);
  if (e.type == ValType::I32 || e.type == ValType::F32) return (got.bits & 0xFFFFFFFF) == want;
  return got.bits == want;
}

class ScriptRunner {
 public:
  explicit ScriptRunner(std::string dir) : dir_(std::move(dir)) { define_spectest(); }

  void run(const Value& commands, const char* file) {
    for (const auto& c : commands.GetArray()) {
      std::string type = c["type"].GetString();
      line_ = c["line"].GetInt();
      bool ok = command(type, c);
      if (skipping_) {
        ++skipped_;
        skipping_ = false;
        continue;
      }
      ok ? ++passed_ : ++failed_;
      if (!ok) std::printf("  %s:%d: %s failed%s\n", file, line_, type.c_str(), detail_.c_str());
      detail_.clear();
    }
  }
  int passed() const { return passed_; }
  int failed() const { return failed_; }
  int skipped() const { return skipped_; }

 private:
  void define_spectest() {
    auto print = [](HostContext&, std::span<const RawValue>,
                    std::span<RawValue>) -> Result<void, Trap> { return {}; };
    auto def = [&](const char* name, std::vector<ValType> params) {
      linker_.define_host("spectest", name, FuncType{std::move(params), {}}, print);
    };
    def("print", {});
    def("print_i32", {ValType::I32});
    def("print_i64", {ValType::I64});
    def("print_f32", {ValType::F32});
    def("print_f64", {ValType::F64});
    def("print_i32_f32", {ValType::I32, ValType::F32});
    def("print_f64_f64", {ValType::F64, ValType::F64});
    auto global = [&](const char* name, ValType t, RawValue v) {
      Extern x{ExternKind::Global};
      x.global = store_.new_global({t, false}, v);
      linker_.define("spectest", name, x);
    };
    global("global_i32", ValType::I32, 666);
    global("global_i64", ValType::I64, 666);
    global("global_f32", ValType::F32, std::bit_cast<uint32_t>(666.6f));
    global("global_f64", ValType::F64, std::bit_cast<uint64_t>(666.6));
    Extern table{ExternKind::Table};
    table.table = store_.new_table({ValType::FuncRef, {10, 20}}, 0);
    linker_.define("spectest", "table", table);
    Extern memory{ExternKind::Memory};
    memory.memory = *store_.new_memory({{1, 2}});
    linker_.define("spectest", "memory", memory);
  }

  Result<std::shared_ptr<const Module>, CompileError> compile(const Value& c) {
    auto bytes = read_file(dir_ + "/" + c["filename"].GetString());
    return Module::compile(engine_, bytes);
  }

  Result<Instance*, Trap> instantiate(const Value& c, std::string& error) {
    auto module = compile(c);
    if (!module) {
      error = module.error().to_string();
      return unexpected(Trap::make(Trap::Kind::Link, error));
    }
    return linker_.instantiate(store_, *module);
  }

  Instance* target(const Value& action) {
    if (action.HasMember("module")) {
      auto it = named_.find(action["module"].GetString());
      return it == named_.end() ? nullptr : it->second;
    }
    return current_;
  }

  Result<std::vector<wasmdapr::wasm::Value>, Trap> act(const Value& action) {
    Instance* inst = target(action);
    if (!inst) return unexpected(Trap::make(Trap::Kind::Link, "no module"));
    const Value& f = action["field"];
    std::string field(f.GetString(), f.GetStringLength());  // names may hold NUL bytes
    if (std::string(action["type"].GetString()) == "get") {
      auto e = inst->find_export(field);
      if (!e || e->kind != ExternKind::Global)
        return unexpected(Trap::make(Trap::Kind::Link, "no global"));
      RawValue bits = e->global->value;
      ValType t = e->global->type.type;
      if (t == ValType::I32 || t == ValType::F32) bits &= 0xFFFFFFFF;
      return std::vector<wasmdapr::wasm::Value>{{t, bits}};
    }
    std::vector<wasmdapr::wasm::Value> args;
    for (const auto& a : action["args"].GetArray()) args.push_back(parse_value(a));
    return inst->call(field, args);
  }

  // The spec's rule for expected messages: the expected text is a prefix of the actual one.
  bool message_starts_with(const std::string& actual, const Value& c) {
    std::string want = c.HasMember("text") ? c["text"].GetString() : "";
    if (actual.rfind(want, 0) == 0) return true;
    detail_ = ": message \"" + actual + "\", expected \"" + want + "\"";
    return false;
  }

  // A module command whose instantiation must fail at run time (a trap in the start function
  // or in an active segment), not at link time.
  bool instantiation_traps(const Value& c) {
    std::string error;
    auto inst = instantiate(c, error);
    if (inst) {
      detail_ = ": instantiated";
      return false;
    }
    if (!error.empty() || inst.error().kind == Trap::Kind::Link) {
      detail_ = ": " + (error.empty() ? inst.error().to_string() : error);
      return false;
    }
    return message_starts_with(inst.error().message, c);
  }

  bool command(const std::string& type, const Value& c) {
    if (type == "module") {
      std::string error;
      auto inst = instantiate(c, error);
      if (!inst) {
        detail_ = ": " + (error.empty() ? inst.error().to_string() : error);
        current_ = nullptr;
        return false;
      }
      current_ = *inst;
      if (c.HasMember("name")) named_[c["name"].GetString()] = current_;
      return true;
    }
    if (type == "register") {
      Instance* inst = current_;
      if (c.HasMember("name")) {
        auto it = named_.find(c["name"].GetString());
        inst = it == named_.end() ? nullptr : it->second;
      }
      if (!inst) return false;
      linker_.define_instance(c["as"].GetString(), *inst);
      return true;
    }
    if (type == "action") {
      auto got = act(c["action"]);
      if (!got) detail_ = ": trapped: " + got.error().to_string();
      return got.ok();
    }
    if (type == "assert_return") {
      auto got = act(c["action"]);
      if (!got) {
        detail_ = ": trapped: " + got.error().to_string();
        return false;
      }
      const auto& expected = c["expected"].GetArray();
      if (expected.Size() != got->size()) {
        detail_ = ": " + std::to_string(got->size()) + " results, expected " +
                  std::to_string(expected.Size());
        return false;
      }
      for (rapidjson::SizeType i = 0; i < expected.Size(); ++i) {
        Expectation e{type_of(expected[i]["type"].GetString()),
                      expected[i].HasMember("value") ? expected[i]["value"].GetString() : ""};
        if (!matches(e, (*got)[i])) {
          detail_ = ": result " + std::to_string(i) + " is " + to_string((*got)[i]) +
                    ", expected " + e.text;
          return false;
        }
      }
      return true;
    }
    if (type == "assert_trap" || type == "assert_exhaustion") {
      if (c.HasMember("filename")) return instantiation_traps(c);
      auto got = act(c["action"]);
      if (got) {
        detail_ = ": returned normally";
        return false;
      }
      if (type == "assert_exhaustion" && got.error().kind != Trap::Kind::CallStackExhausted) {
        detail_ = ": trapped with \"" + got.error().message + "\"";
        return false;
      }
      if (got.error().kind == Trap::Kind::Link) {
        detail_ = ": " + got.error().message;
        return false;
      }
      return message_starts_with(got.error().message, c);
    }
    if (type == "assert_invalid" || type == "assert_malformed") {
      // Text-format scripts test a text parser, which the engine does not have.
      if (std::string(c["module_type"].GetString()) != "binary") return skip();
      auto module = compile(c);
      if (module) {
        detail_ = ": compiled";
        return false;
      }
      auto want =
          type == "assert_invalid" ? CompileError::Kind::Invalid : CompileError::Kind::Malformed;
      if (module.error().kind != want) {
        detail_ = ": rejected as the other kind: " + module.error().to_string();
        return false;
      }
      return true;
    }
    if (type == "assert_unlinkable") {
      std::string error;
      auto inst = instantiate(c, error);
      if (inst || !error.empty() || inst.error().kind != Trap::Kind::Link) {
        detail_ = inst ? ": instantiated" : ": " + (error.empty() ? inst.error().message : error);
        return false;
      }
      return message_starts_with(inst.error().message, c);
    }
    if (type == "assert_uninstantiable") return instantiation_traps(c);
    detail_ = ": unknown command";
    return false;
  }

  bool skip() {
    skipping_ = true;
    return true;
  }

  std::string dir_;
  Engine engine_;
  Store store_;
  Linker linker_;
  Instance* current_ = nullptr;
  std::map<std::string, Instance*> named_;
  int passed_ = 0, failed_ = 0, skipped_ = 0, line_ = 0;
  bool skipping_ = false;
  std::string detail_;
};

}  // namespace

int main(int argc, char** argv) {
  int total_failed = 0, total_passed = 0, total_skipped = 0;
  for (int i = 1; i < argc; ++i) {
    std::string path = argv[i];
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document doc;
    if (doc.Parse(text.c_str()).HasParseError() || !doc.HasMember("commands")) {
      std::printf("%s: cannot read the script\n", path.c_str());
      ++total_failed;
      continue;
    }
    std::string dir = path.substr(0, path.find_last_of('/'));
    ScriptRunner runner(dir);
    runner.run(doc["commands"], path.c_str());
    std::printf("%s: %d passed, %d failed, %d skipped\n", path.c_str(), runner.passed(),
                runner.failed(), runner.skipped());
    total_passed += runner.passed();
    total_failed += runner.failed();
    total_skipped += runner.skipped();
  }
  if (argc > 2) {
    std::printf("%d passed, %d failed, %d skipped\n", total_passed, total_failed, total_skipped);
  }
  return total_failed == 0 ? 0 : 1;
}
