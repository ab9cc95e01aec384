#pragma once
// Result<T, E>: a value or an error, the error-as-value type of the hot paths
// (C++20 has no std::expected). Small and trivially inlined.
//
// WASMDAPR_TRY(expr) propagates: it evaluates a Result, returns its error from the enclosing
// function when it failed, and otherwise yields its value (nothing for Result<void, E>):
//
//   Result<Config, std::string> load(std::string_view path) {
//     std::string text = WASMDAPR_TRY(read_file(path));
//     WASMDAPR_TRY(check(text));
//     return parse(text);
//   }
//
// The error converts to the enclosing function's error type, so E must be constructible
// from the inner one.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace wasmdapr {

template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <typename G>
  Result(Unexpected<G> u) : state_(std::in_place_index<1>, E(std::move(u.error))) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & {
    assert(!ok());
    return std::get<1>(state_);
  }
  const E& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, E> state_;
};

// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename G>
  Result(Unexpected<G> u) : error_(E(std::move(u.error))), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  E& error() & {
    assert(failed_);
    return error_;
  }
  const E& error() const& {
    assert(failed_);
    return error_;
  }
  E&& error() && {
    assert(failed_);
    return std::move(error_);
  }

 private:
  E error_{};
  bool failed_ = false;
};

namespace detail {
// The value a successful Result carries, moved out; nothing for Result<void, E>.
template <typename T, typename E>
T take_value(Result<T, E>&& result) {
  return std::move(result).value();
}
template <typename E>
void take_value(Result<void, E>&&) {}
}  // namespace detail

}  // namespace wasmdapr

// A GNU statement expression (the project builds with GNU extensions for computed goto), so
// the macro can both return from the caller and be used as a value.
#define WASMDAPR_TRY(expr)                                                    \
  ({                                                                          \
    auto wasmdapr_try_result_ = (expr);                                       \
    if (!wasmdapr_try_result_) {                                              \
      return ::wasmdapr::unexpected(std::move(wasmdapr_try_result_).error()); \
    }                                                                         \
    ::wasmdapr::detail::take_value(std::move(wasmdapr_try_result_));          \
  })
