#include "base/utf8.h"

#include <cstdint>

namespace wasmdapr::base {

bool is_valid_utf8(std::string_view s) {
  static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    auto lead = static_cast<unsigned char>(s[i]);
    size_t extra = lead < 0x80           ? 0
                   : (lead >> 5) == 0x6  ? 1
                   : (lead >> 4) == 0xE  ? 2
                   : (lead >> 3) == 0x1E ? 3
                                         : 4;
    if (extra == 4 || extra > s.size() - i - 1) return false;
    uint32_t cp = extra == 0 ? lead : lead & (0x3Fu >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next >> 6) != 0x2) return false;
      cp = (cp << 6) | (next & 0x3Fu);
    }
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace wasmdapr::base
