#include <fmt/format.h>
#include <sluice/http/HttpHeaders.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "HttpChars.h"
#include "HttpDecoderChars.h"
#include "HttpHeaderNameTable.h"

namespace sluice::http {
namespace detail {

KnownHeader classifyHeaderName(std::string_view name) noexcept { return classifyKnownName(name); }

}  // namespace detail

namespace {

std::string toDecimal(std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), value);
  return {digits, result.ptr};
}

}  // namespace

void HttpHeaders::validate(std::string_view name, std::string_view value) const {
  if (name.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw std::invalid_argument("HTTP header name too long");
  }
  if (!validate_) {
    return;
  }
  if (!detail::isToken(name)) {
    throw std::invalid_argument(fmt::format("invalid HTTP header name: \"{}\"", name));
  }
  if (!detail::isValidFieldValue(value)) {  // the decoders' check, many bytes at a time
    throw std::invalid_argument(
        fmt::format("invalid value for HTTP header \"{}\": it contains a control character", name));
  }
}

void HttpHeaders::appendCopying(std::string_view name, detail::KnownHeader id,
                                std::string_view value) {
  // Integer addresses: views into other objects are compared too, which raw pointer order
  // does not define.
  const auto begin = reinterpret_cast<std::uintptr_t>(text_.data());
  const auto end = begin + text_.size();
  const auto overlaps = [&](std::string_view s) {
    const auto p = reinterpret_cast<std::uintptr_t>(s.data());
    return p < end && p + s.size() > begin;
  };
  if (overlaps(name) || overlaps(value)) [[unlikely]] {
    const auto inside = [&](std::string_view s) {
      const auto p = reinterpret_cast<std::uintptr_t>(s.data());
      return p >= begin && p + s.size() <= end;
    };
    if (inside(name) && inside(value)) {
      // Both in our text (a stored section, added when the fields were full): refer to them.
      fields_.push_back(Field{.nameOffset = static_cast<std::uint32_t>(
                                  reinterpret_cast<std::uintptr_t>(name.data()) - begin),
                              .valueOffset = static_cast<std::uint32_t>(
                                  reinterpret_cast<std::uintptr_t>(value.data()) - begin),
                              .valueLength = static_cast<std::uint32_t>(value.size()),
                              .nameLength = static_cast<std::uint16_t>(name.size()),
                              .id = id});
      return;
    }
    // Part of our text and part beyond it: copy before the text grows and moves.
    const std::string nameCopy(name);
    const std::string valueCopy(value);
    appendCopying(nameCopy, id, valueCopy);
    return;
  }
  // The first field reserves room for a typical message's fields at once, unless reserve()
  // already made room. (An empty std::string already has a small inline capacity, so its
  // capacity cannot say "first".)
  if (fields_.capacity() == 0) {
    text_.reserve(256);
    fields_.reserve(8);
  }
  const auto nameOffset = static_cast<std::uint32_t>(text_.size());
  text_.append(name).append(value);
  fields_.push_back(Field{.nameOffset = nameOffset,
                          .valueOffset = static_cast<std::uint32_t>(nameOffset + name.size()),
                          .valueLength = static_cast<std::uint32_t>(value.size()),
                          .nameLength = static_cast<std::uint16_t>(name.size()),
                          .id = id});
}

std::string_view HttpHeaders::storeText(std::string_view bytes) {
  // append, not reserve and copy: `bytes` may view this text, which reserve would move.
  const std::size_t offset = text_.size();
  text_.append(bytes);
  return {text_.data() + offset, bytes.size()};
}

void HttpHeaders::reserve(std::size_t textBytes, std::size_t fields) {
  // Grow at least geometrically: a decoder that reserves for each few lines that trickle in
  // must not copy the whole text each time.
  const auto grow = [](auto& buffer, std::size_t more) {
    const std::size_t needed = buffer.size() + more;
    if (needed > buffer.capacity()) {
      buffer.reserve(std::max(needed, buffer.capacity() + buffer.capacity() / 2));
    }
  };
  grow(text_, textBytes);
  grow(fields_, fields);
}

HttpHeaders& HttpHeaders::add(HttpHeaderName name, std::string_view value) {
  validate(name.name(), value);
  appendCopying(name.name(), name.id(), value);
  return *this;
}

HttpHeaders& HttpHeaders::add(HttpHeaderName name, std::int64_t value) {
  return add(name, std::string_view(toDecimal(value)));
}

HttpHeaders& HttpHeaders::add(const HttpHeaders& other) {
  if (&other == this) {
    const HttpHeaders copy = other;
    return add(copy);
  }
  for (const Field& f : other.fields_) {
    appendCopying(other.nameOf(f), f.id, other.valueOf(f));
  }
  return *this;
}

HttpHeaders& HttpHeaders::set(HttpHeaderName name, std::string_view value) {
  validate(name.name(), value);
  // `value` may view this object's own text: copy it before anything moves.
  const std::string copy(value);
  remove(name);
  appendCopying(name.name(), name.id(), copy);
  return *this;
}

HttpHeaders& HttpHeaders::set(HttpHeaderName name, std::int64_t value) {
  return set(name, std::string_view(toDecimal(value)));
}

HttpHeaders& HttpHeaders::set(const HttpHeaders& other) {
  if (&other != this) {
    text_ = other.text_;
    fields_ = other.fields_;
    wasted_ = other.wasted_;
  }
  return *this;
}

bool HttpHeaders::matches(const Field& f, HttpHeaderName name) const noexcept {
  if (name.id() != detail::KnownHeader::Unknown) {
    return f.id == name.id();
  }
  return f.id == detail::KnownHeader::Unknown && detail::equalsIgnoreCase(nameOf(f), name.name());
}

std::size_t HttpHeaders::find(HttpHeaderName name, std::size_t from) const noexcept {
  for (std::size_t i = from; i < fields_.size(); ++i) {
    if (matches(fields_[i], name)) {
      return i;
    }
  }
  return kNotFound;
}

std::optional<std::string_view> HttpHeaders::get(HttpHeaderName name) const noexcept {
  const std::size_t i = find(name, 0);
  if (i == kNotFound) {
    return std::nullopt;
  }
  return valueOf(fields_[i]);
}

std::vector<std::string_view> HttpHeaders::getAll(HttpHeaderName name) const {
  std::vector<std::string_view> values;
  for (const Field& f : fields_) {
    if (matches(f, name)) {
      values.push_back(valueOf(f));
    }
  }
  return values;
}

std::optional<std::int64_t> HttpHeaders::getInt(HttpHeaderName name) const noexcept {
  const std::optional<std::string_view> text = get(name);
  if (!text) {
    return std::nullopt;
  }
  const std::string_view trimmed = detail::trimOws(*text);
  std::int64_t value = 0;
  const auto result = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (result.ec != std::errc{} || result.ptr != trimmed.data() + trimmed.size()) {
    return std::nullopt;
  }
  return value;
}

bool HttpHeaders::containsValue(HttpHeaderName name, std::string_view value,
                                bool ignoreCase) const {
  for (const Field& f : fields_) {
    if (!matches(f, name)) {
      continue;
    }
    const bool found = detail::forEachListElement(valueOf(f), [&](std::string_view element) {
      return ignoreCase ? detail::equalsIgnoreCase(element, value) : element == value;
    });
    if (found) {
      return true;
    }
  }
  return false;
}

bool HttpHeaders::remove(HttpHeaderName name) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (matches(fields_[i], name)) {
      wasted_ += fields_[i].nameLength + fields_[i].valueLength;
    } else {
      fields_[kept++] = fields_[i];
    }
  }
  const bool removed = kept != fields_.size();
  fields_.resize(kept);
  if (removed) {
    compactIfWasteful();
  }
  return removed;
}

void HttpHeaders::clear() noexcept {
  text_.clear();
  fields_.clear();
  wasted_ = 0;
}

void HttpHeaders::compactIfWasteful() {
  // Removals leave their text behind; rewrite once that is most of the string, so repeated
  // set() calls cannot grow it without bound.
  if (wasted_ < 1024 || wasted_ * 2 < text_.size()) {
    return;
  }
  // Fields may share bytes (a value added from another's view), so wasted_ may count some
  // twice: size the new text from the fields.
  std::size_t used = 0;
  for (const Field& f : fields_) {
    used += f.nameLength + f.valueLength;
  }
  std::string text;
  text.reserve(used);
  for (Field& f : fields_) {
    const std::string_view name = nameOf(f);
    const std::string_view value = valueOf(f);
    f.nameOffset = static_cast<std::uint32_t>(text.size());
    text.append(name);
    f.valueOffset = static_cast<std::uint32_t>(text.size());
    text.append(value);
  }
  text_ = std::move(text);
  wasted_ = 0;
}

std::vector<std::string_view> HttpHeaders::names() const {
  std::vector<std::string_view> result;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const HttpHeaderName name(nameOf(fields_[i]), fields_[i].id);
    if (find(name, 0) == i) {
      result.push_back(nameOf(fields_[i]));
    }
  }
  return result;
}

bool operator==(const HttpHeaders& a, const HttpHeaders& b) noexcept {
  if (a.fields_.size() != b.fields_.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.fields_.size(); ++i) {
    if (!detail::equalsIgnoreCase(a.nameOf(a.fields_[i]), b.nameOf(b.fields_[i])) ||
        a.valueOf(a.fields_[i]) != b.valueOf(b.fields_[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::http
