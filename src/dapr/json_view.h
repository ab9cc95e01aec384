#pragma once
// A validating JSON reader that keeps every value's exact source bytes. The sidecar stores
// state values as the raw JSON they arrived in (no re-serialisation drift), so it needs the
// envelope's structure *and* each value's original text; a DOM library gives only the first.
//
// The view borrows the input: it must outlive every JsonView taken from it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace wasmdapr::dapr {

class JsonView {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  // The whole input must be one JSON value (surrounding whitespace allowed). Nesting deeper
  // than `max_depth` is rejected rather than recursed into. Errors give the byte offset.
  static Result<JsonView, std::string> parse(std::string_view text, int max_depth = 64);
  // Whether `text` is exactly one valid JSON value.
  static bool valid(std::string_view text);

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == Kind::Object; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_null() const { return kind_ == Kind::Null; }

  std::string_view raw() const { return raw_; }  // the value's exact source text
  std::string string() const;                    // a String's decoded text
  bool boolean() const { return raw_ == "true"; }
  // A Number as an integer, when it is one that fits.
  std::optional<int64_t> integer() const;

  const std::vector<JsonView>& items() const { return children_; }  // Array elements
  const std::vector<std::pair<std::string, JsonView>>& members() const { return members_; }
  // An Object's member (the last one of that name), or nullptr.
  const JsonView* find(std::string_view name) const;

  // Text as a JSON string literal, quotes included.
  static std::string quote(std::string_view text);

 private:
  friend class JsonParser;
  Kind kind_ = Kind::Null;
  std::string_view raw_;
  std::vector<JsonView> children_;
  std::vector<std::pair<std::string, JsonView>> members_;
};

}  // namespace wasmdapr::dapr
