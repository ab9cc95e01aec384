#pragma once
// UTF-8 validation as the WebAssembly spec and the guest ABIs require it: well-formed sequences
// only (no overlong forms, no surrogates, nothing above U+10FFFF).

#include <string_view>

namespace wasmdapr::base {

bool is_valid_utf8(std::string_view text);

}  // namespace wasmdapr::base
