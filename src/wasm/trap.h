#pragma once
// Traps are values: every failure during instantiation or execution is returned as a Trap,
// never thrown and never a crash. proc_exit-style exits travel the same way (Kind::Exit).

#include <cstdint>
#include <string>
#include <vector>

namespace wasmdapr::wasm {

struct TrapFrame {
  uint32_t func_index = 0;
  std::string func_name;     // from the name section, or empty
  uint32_t code_offset = 0;  // byte offset of the instruction in the module binary
};

struct Trap {
  enum class Kind : uint8_t {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    UninitializedElement,  // call_indirect through a null table entry
    NullReference,         // call_ref / other null dereference
    IntegerOverflow,
    IntegerDivideByZero,
    InvalidConversion,
    CallStackExhausted,
    Interrupted,  // deadline passed or interrupt requested by the host
    OutOfFuel,
    OutOfMemory,  // host could not allocate (e.g. memory reservation failed)
    Link,         // instantiation: unknown import / incompatible import type
    Host,         // a host function failed
    Exit,         // the guest asked to exit (WASI proc_exit): not an error
  };

  Kind kind = Kind::Unreachable;
  std::string message;               // the spec suite's wording for the kind, or the host's message
  int32_t exit_code = 0;             // Kind::Exit only
  std::vector<TrapFrame> backtrace;  // innermost first; may be empty

  static Trap make(Kind kind);  // default message for the kind
  static Trap make(Kind kind, std::string message);
  static Trap exit(int32_t code);
  std::string to_string() const;  // message plus "\n  at name (func N) @0xOFFSET" lines
};

// The spec test suite's message for each kind: "unreachable", "out of bounds memory access",
// "integer divide by zero", "call stack exhausted", ...
const char* default_message(Trap::Kind kind);

}  // namespace wasmdapr::wasm
