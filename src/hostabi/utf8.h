#pragma once
// Names that guests pass to host ABIs (URLs, methods, header names, store names, keys) must be
// text: strict UTF-8, with no overlong forms, no surrogates, nothing past U+10FFFF.

#include <string_view>

namespace wasmdapr::hostabi {

bool valid_utf8(std::string_view text);

}  // namespace wasmdapr::hostabi
