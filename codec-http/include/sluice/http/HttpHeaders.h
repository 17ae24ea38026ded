#pragma once

#include <sluice/http/HttpHeaderNames.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

/// Whether HttpHeaders checks the names and values it is given.
enum class HeaderValidation : bool { Off, On };

/// The header fields of an HTTP message, or the trailer fields of its last content
/// (Netty's DefaultHttpHeaders).
///
/// Case-insensitive names (RFC 9110 5.1), kept in the order they were added, each name
/// possibly many times. Names of the HttpHeaderNames constants are matched by number; other
/// names by a case-insensitive compare. All text lives in one growing string and the fields
/// in one vector, so a message's headers cost two allocations, not two per field. A field
/// whose name and value both lie in that string already (a header section a decoder stored
/// with storeText) refers to them where they are, so a decoded section is copied once.
///
/// Validation (on by default, as in Netty): a name must be a token (RFC 9110 5.6.2) and a
/// value must not contain CR, LF, NUL or another control character but HTAB (RFC 9110 5.5);
/// add and set throw std::invalid_argument otherwise. That check is what stops header
/// injection ("\r\nSet-Cookie: ...") through values a program copies from a request.
///
/// Views returned by get, getAll and iteration are valid until the headers are next
/// changed. Thread: one thread at a time.
class HttpHeaders {
 public:
  /// One field, as iteration yields it.
  struct Entry {
    std::string_view name;
    std::string_view value;
  };

  class Iterator;

  explicit HttpHeaders(HeaderValidation validation = HeaderValidation::On) noexcept
      : validate_(validation == HeaderValidation::On) {}

  /// Adds a field after the others with this name.
  HttpHeaders& add(HttpHeaderName name, std::string_view value);
  HttpHeaders& add(HttpHeaderName name, std::int64_t value);
  HttpHeaders& add(HttpHeaderName name, int value) { return add(name, std::int64_t{value}); }
  /// Adds every field of `other`.
  HttpHeaders& add(const HttpHeaders& other);
  /// Replaces every field named `name` by one with `value`.
  HttpHeaders& set(HttpHeaderName name, std::string_view value);
  HttpHeaders& set(HttpHeaderName name, std::int64_t value);
  HttpHeaders& set(HttpHeaderName name, int value) { return set(name, std::int64_t{value}); }
  /// Replaces these headers by a copy of `other`'s fields.
  HttpHeaders& set(const HttpHeaders& other);
  /// Adds a field whose name and value a decoder has already checked; no validation. A
  /// decoder that has classified the name passes HttpHeaderName(name, id) and spares the
  /// lookup; the id must be the one HttpHeaderName(name) would find.
  HttpHeaders& addTrusted(HttpHeaderName name, std::string_view value) {
    // Inline: a call taking the name by value would pass it through memory and stall
    // reading it back; inlined, its parts stay in registers.
    append(name.name(), name.id(), value);
    return *this;
  }
  /// Makes room for `fields` more fields whose names and values take `textBytes` bytes in
  /// all, so that adding them allocates nothing. A decoder that has found a header section's
  /// lines passes their count and total length; the default room (taken at the first add)
  /// would otherwise grow while a long browser request is read.
  void reserve(std::size_t textBytes, std::size_t fields);
  /// Copies `bytes` into the string the names and values live in and returns the copy, valid
  /// until the headers are next changed. Fields then added with names and values viewing the
  /// copy refer to its bytes instead of copying them: a decoder stores a whole header section
  /// with one copy and adds each field line from it. Bytes no field refers to (line ends)
  /// stay until the text is next compacted.
  std::string_view storeText(std::string_view bytes);

  /// The value of the first field named `name`.
  std::optional<std::string_view> get(HttpHeaderName name) const noexcept;
  /// The value of the first field named `name`, or `defaultValue`.
  std::string_view get(HttpHeaderName name, std::string_view defaultValue) const noexcept {
    return get(name).value_or(defaultValue);
  }
  /// The values of every field named `name`, in order.
  std::vector<std::string_view> getAll(HttpHeaderName name) const;
  /// The first value named `name` as a decimal integer; nullopt when absent or not a number.
  std::optional<std::int64_t> getInt(HttpHeaderName name) const noexcept;

  bool contains(HttpHeaderName name) const noexcept { return find(name, 0) != kNotFound; }
  /// Whether a field named `name` has `value` among its comma-separated elements (RFC 9110
  /// 5.6.1), as "Connection: keep-alive, Upgrade" contains "upgrade" when ignoreCase.
  bool containsValue(HttpHeaderName name, std::string_view value, bool ignoreCase) const;

  /// Removes every field named `name`; returns whether there was one.
  bool remove(HttpHeaderName name);
  void clear() noexcept;

  /// The number of fields (a name added twice counts twice).
  std::size_t size() const noexcept { return fields_.size(); }
  bool isEmpty() const noexcept { return fields_.empty(); }
  /// Each distinct name once, in the spelling of its first field.
  std::vector<std::string_view> names() const;
  bool isValidating() const noexcept { return validate_; }

  Iterator begin() const noexcept;
  Iterator end() const noexcept;

  /// Same fields in the same order (names compared case-insensitively).
  friend bool operator==(const HttpHeaders& a, const HttpHeaders& b) noexcept;

 private:
  struct Field {
    std::uint32_t nameOffset;
    std::uint32_t valueOffset;
    std::uint32_t valueLength;
    std::uint16_t nameLength;
    detail::KnownHeader id;
  };
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  std::size_t find(HttpHeaderName name, std::size_t from) const noexcept;
  bool matches(const Field& f, HttpHeaderName name) const noexcept;
  std::string_view nameOf(const Field& f) const noexcept {
    return {text_.data() + f.nameOffset, f.nameLength};
  }
  std::string_view valueOf(const Field& f) const noexcept {
    return {text_.data() + f.valueOffset, f.valueLength};
  }
  void validate(std::string_view name, std::string_view value) const;
  /// Adds a field for addTrusted. The fast path, inline, is a decoder's: name and value
  /// viewing the text already (storeText) and room for the field; appendCopying, which add
  /// and set call directly, does the rest.
  void append(std::string_view name, detail::KnownHeader id, std::string_view value) {
    const auto begin = reinterpret_cast<std::uintptr_t>(text_.data());
    const auto end = begin + text_.size();
    const auto n = reinterpret_cast<std::uintptr_t>(name.data());
    const auto v = reinterpret_cast<std::uintptr_t>(value.data());
    if (n >= begin && n + name.size() <= end && v >= begin && v + value.size() <= end &&
        fields_.size() != fields_.capacity()) {
      fields_.push_back(Field{.nameOffset = static_cast<std::uint32_t>(n - begin),
                              .valueOffset = static_cast<std::uint32_t>(v - begin),
                              .valueLength = static_cast<std::uint32_t>(value.size()),
                              .nameLength = static_cast<std::uint16_t>(name.size()),
                              .id = id});
      return;
    }
    appendCopying(name, id, value);
  }
  void appendCopying(std::string_view name, detail::KnownHeader id, std::string_view value);
  void compactIfWasteful();

  std::string text_;           // names and values: added ones back to back, stored sections whole
  std::vector<Field> fields_;  // in insertion order
  std::size_t wasted_ = 0;     // bytes of text_ no field refers to
  bool validate_;
};

/// Iterates the fields in order, yielding HttpHeaders::Entry values.
class HttpHeaders::Iterator {
 public:
  using value_type = Entry;
  using difference_type = std::ptrdiff_t;

  Entry operator*() const noexcept {
    return {headers_->nameOf(headers_->fields_[index_]),
            headers_->valueOf(headers_->fields_[index_])};
  }
  Iterator& operator++() noexcept {
    ++index_;
    return *this;
  }
  Iterator operator++(int) noexcept {
    Iterator copy = *this;
    ++index_;
    return copy;
  }
  friend bool operator==(const Iterator& a, const Iterator& b) noexcept {
    return a.index_ == b.index_;
  }

 private:
  friend class HttpHeaders;
  Iterator(const HttpHeaders* headers, std::size_t index) noexcept
      : headers_(headers), index_(index) {}
  const HttpHeaders* headers_;
  std::size_t index_;
};

inline HttpHeaders::Iterator HttpHeaders::begin() const noexcept { return {this, 0}; }
inline HttpHeaders::Iterator HttpHeaders::end() const noexcept { return {this, fields_.size()}; }

}  // namespace sluice::http
