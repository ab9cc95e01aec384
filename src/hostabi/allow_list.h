#pragma once
// Outbound destinations a guest may reach. Stricter than the original host, which compared
// host names only: a destination matches an entry only when scheme, host and port all match.
// An empty list denies everything; the entry "insecure:allow-all" allows everything.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wasmdapr::hostabi {

struct Origin {
  std::string scheme;  // lower case: "http" or "https"
  std::string host;    // lower case
  uint16_t port = 0;   // explicit, or the scheme's default
  bool operator==(const Origin&) const = default;
};

// Parses "scheme://host[:port][/path...]" (only the origin matters); errors name the problem.
Result<Origin, std::string> parse_origin(std::string_view url);

class AllowList {
 public:
  // Fails on the first entry that is not a URL, naming it.
  static Result<AllowList, std::string> parse(const std::vector<std::string>& entries);
  bool allows(const Origin& destination) const;

 private:
  bool allow_all_ = false;
  std::vector<Origin> origins_;
};

}  // namespace wasmdapr::hostabi
