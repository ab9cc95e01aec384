#include "wasm/trap.h"

#include <cstdio>

namespace wasmdapr::wasm {

const char* default_message(Trap::Kind kind) {
  switch (kind) {
    case Trap::Kind::Unreachable:
      return "unreachable";
    case Trap::Kind::MemoryOutOfBounds:
      return "out of bounds memory access";
    case Trap::Kind::TableOutOfBounds:
      return "out of bounds table access";
    case Trap::Kind::IndirectCallTypeMismatch:
      return "indirect call type mismatch";
    case Trap::Kind::UninitializedElement:
      return "uninitialized element";
    case Trap::Kind::NullReference:
      return "null reference";
    case Trap::Kind::IntegerOverflow:
      return "integer overflow";
    case Trap::Kind::IntegerDivideByZero:
      return "integer divide by zero";
    case Trap::Kind::InvalidConversion:
      return "invalid conversion to integer";
    case Trap::Kind::CallStackExhausted:
      return "call stack exhausted";
    case Trap::Kind::Interrupted:
      return "interrupted: deadline passed";
    case Trap::Kind::OutOfFuel:
      return "all fuel consumed";
    case Trap::Kind::OutOfMemory:
      return "out of memory";
    case Trap::Kind::Link:
      return "link error";
    case Trap::Kind::Host:
      return "host function failed";
    case Trap::Kind::Exit:
      return "exit";
  }
  return "trap";
}

Trap Trap::make(Kind kind) {
  return make(kind, default_message(kind));
}

Trap Trap::make(Kind kind, std::string message) {
  Trap t;
  t.kind = kind;
  t.message = std::move(message);
  return t;
}

Trap Trap::exit(int32_t code) {
  Trap t = make(Kind::Exit, "exit with status " + std::to_string(code));
  t.exit_code = code;
  return t;
}

std::string Trap::to_string() const {
  std::string out = message;
  // Runs of identical frames (deep recursion) print once, with their count.
  for (size_t i = 0; i < backtrace.size();) {
    const TrapFrame& f = backtrace[i];
    size_t run = 1;
    while (i + run < backtrace.size() && backtrace[i + run].func_index == f.func_index &&
           backtrace[i + run].code_offset == f.code_offset) {
      ++run;
    }
    char line[96];
    std::snprintf(line, sizeof line, " (func %u) @0x%x", f.func_index, f.code_offset);
    out += "\n  at " + (f.func_name.empty() ? std::string("<unnamed>") : f.func_name) + line;
    if (run > 1) out += " (" + std::to_string(run) + " times)";
    i += run;
  }
  return out;
}

}  // namespace wasmdapr::wasm
