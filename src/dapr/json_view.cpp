#include "dapr/json_view.h"

#include <charconv>
#include <cstdio>

namespace wasmdapr::dapr {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + 4, v, 16);
  if (ec != std::errc() || end != s.data() + at + 4) return std::nullopt;
  return v;
}

// Decodes the body of a string literal (between the quotes) already checked by the parser.
std::string unescape(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = hex4(body, i + 1).value_or(0xFFFD);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < body.size() + 1 && body[i + 1] == '\\' &&
            body[i + 2] == 'u') {
          uint32_t low = hex4(body, i + 3).value_or(0);
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += e;
        break;  // \" \\ \/
    }
  }
  return out;
}

}  // namespace

class JsonParser {
 public:
  JsonParser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  Result<JsonView, std::string> document() {
    JsonView root;
    skip_space();
    if (!value(root, 0)) return unexpected(error_);
    skip_space();
    if (pos_ != s_.size()) return unexpected(at("unexpected data after the JSON value"));
    return root;
  }

 private:
  std::string at(const std::string& what) const {
    return what + " at offset " + std::to_string(pos_);
  }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = at(what);
    return false;
  }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word, JsonView::Kind kind, JsonView& out) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    out.kind_ = kind;
    pos_ += word.size();
    return true;
  }

  bool value(JsonView& out, int depth) {
    if (depth > max_depth_) return fail("JSON nested too deeply");
    if (pos_ >= s_.size()) return fail("unexpected end of JSON");
    size_t start = pos_;
    bool ok = false;
    switch (s_[pos_]) {
      case '{':
        ok = object(out, depth);
        break;
      case '[':
        ok = array(out, depth);
        break;
      case '"':
        out.kind_ = JsonView::Kind::String;
        ok = string_literal();
        break;
      case 't':
        ok = literal("true", JsonView::Kind::Bool, out);
        break;
      case 'f':
        ok = literal("false", JsonView::Kind::Bool, out);
        break;
      case 'n':
        ok = literal("null", JsonView::Kind::Null, out);
        break;
      default:
        out.kind_ = JsonView::Kind::Number;
        ok = number();
        break;
    }
    out.raw_ = s_.substr(start, pos_ - start);
    return ok;
  }

  bool digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return fail("invalid value");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail("invalid number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("invalid number");
    }
    return true;
  }

  bool string_literal() {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in string");
      if (c == '\\') {
        if (++pos_ >= s_.size()) break;
        char e = s_[pos_];
        if (e == 'u') {
          if (!hex4(s_, pos_ + 1)) return fail("invalid \\u escape");
          pos_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return fail("invalid escape");
        }
      }
      ++pos_;
    }
    return fail("unterminated string");
  }

  bool array(JsonView& out, int depth) {
    out.kind_ = JsonView::Kind::Array;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (!value(out.children_.emplace_back(), depth + 1)) return false;
      skip_space();
      if (pos_ >= s_.size()) return fail("unterminated array");
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return fail("expected ',' or ']'");
      ++pos_;
    }
  }

  bool object(JsonView& out, int depth) {
    out.kind_ = JsonView::Kind::Object;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
      size_t name_start = pos_;
      if (!string_literal()) return false;
      std::string name = unescape(s_.substr(name_start + 1, pos_ - name_start - 2));
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skip_space();
      auto& member = out.members_.emplace_back(std::move(name), JsonView{});
      if (!value(member.second, depth + 1)) return false;
      skip_space();
      if (pos_ >= s_.size()) return fail("unterminated object");
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return fail("expected ',' or '}'");
      ++pos_;
    }
  }

  std::string_view s_;
  int max_depth_;
  size_t pos_ = 0;
  std::string error_;
};

Result<JsonView, std::string> JsonView::parse(std::string_view text, int max_depth) {
  return JsonParser(text, max_depth).document();
}

bool JsonView::valid(std::string_view text) {
  return parse(text).ok();
}

std::string JsonView::string() const {
  if (kind_ != Kind::String || raw_.size() < 2) return {};
  return unescape(raw_.substr(1, raw_.size() - 2));
}

std::optional<int64_t> JsonView::integer() const {
  if (kind_ != Kind::Number) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw_.data(), raw_.data() + raw_.size(), v);
  if (ec != std::errc() || end != raw_.data() + raw_.size()) return std::nullopt;
  return v;
}

const JsonView* JsonView::find(std::string_view name) const {
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::string JsonView::quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace wasmdapr::dapr
