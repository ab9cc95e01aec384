#include "wasm/value.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace wasmdapr::wasm {

std::string to_string(const Value& v) {
  char text[64];
  switch (v.type) {
    case ValType::I32:
      std::snprintf(text, sizeof text, "i32:%" PRId32, v.as_i32());
      break;
    case ValType::I64:
      std::snprintf(text, sizeof text, "i64:%" PRId64, v.as_i64());
      break;
    case ValType::F32:
      if (std::isnan(v.as_f32())) {
        std::snprintf(text, sizeof text, "f32:nan:0x%" PRIx32, static_cast<uint32_t>(v.bits));
      } else {
        std::snprintf(text, sizeof text, "f32:%.9g", static_cast<double>(v.as_f32()));
      }
      break;
    case ValType::F64:
      if (std::isnan(v.as_f64())) {
        std::snprintf(text, sizeof text, "f64:nan:0x%" PRIx64, v.bits);
      } else {
        std::snprintf(text, sizeof text, "f64:%.17g", v.as_f64());
      }
      break;
    default:
      if (v.bits == 0) {
        std::snprintf(text, sizeof text, "%s:null", wasm::to_string(v.type));
      } else {
        std::snprintf(text, sizeof text, "%s:0x%" PRIx64, wasm::to_string(v.type), v.bits);
      }
      break;
  }
  return text;
}

}  // namespace wasmdapr::wasm
