#include <fmt/format.h>
#include <sluice/http/HttpHeaders.h>

#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "HttpChars.h"

namespace sluice::http {
namespace detail {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(KnownHeader::Count)> kKnownNames = {
#define SLUICE_HTTP_HEADER_TEXT(constant, text) text,
    SLUICE_HTTP_HEADER_NAMES(SLUICE_HTTP_HEADER_TEXT)
#undef SLUICE_HTTP_HEADER_TEXT
};

// Hash of a name, case-insensitive: its length and three of its letters pick one of 256
// slots; collisions probe linearly. Built at compile time.
constexpr std::size_t kSlots = 256;
constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr std::size_t hashName(std::string_view name) {
  const std::size_t n = name.size();
  const auto at = [&](std::size_t i) { return static_cast<std::size_t>(lower(name[i])); };
  return (n * 131 + at(0) * 31 + at(n - 1) * 7 + at(n / 2)) % kSlots;
}

constexpr std::array<std::uint8_t, kSlots> makeSlots() {
  std::array<std::uint8_t, kSlots> slots{};
  for (auto& s : slots) {
    s = static_cast<std::uint8_t>(KnownHeader::Unknown);
  }
  for (std::size_t id = 0; id < kKnownNames.size(); ++id) {
    std::size_t slot = hashName(kKnownNames[id]);
    while (slots[slot] != static_cast<std::uint8_t>(KnownHeader::Unknown)) {
      slot = (slot + 1) % kSlots;
    }
    slots[slot] = static_cast<std::uint8_t>(id);
  }
  return slots;
}

constexpr std::array<std::uint8_t, kSlots> kSlotTable = makeSlots();

}  // namespace

KnownHeader classifyHeaderName(std::string_view name) noexcept {
  if (name.empty()) {
    return KnownHeader::Unknown;
  }
  for (std::size_t slot = hashName(name);; slot = (slot + 1) % kSlots) {
    const std::uint8_t id = kSlotTable[slot];
    if (id == static_cast<std::uint8_t>(KnownHeader::Unknown)) {
      return KnownHeader::Unknown;
    }
    if (equalsIgnoreCase(kKnownNames[id], name)) {
      return static_cast<KnownHeader>(id);
    }
  }
}

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
  if (!detail::isFieldValue(value)) {
    throw std::invalid_argument(
        fmt::format("invalid value for HTTP header \"{}\": it contains a control character", name));
  }
}

void HttpHeaders::append(std::string_view name, detail::KnownHeader id, std::string_view value) {
  const auto inText = [this](std::string_view s) {
    return !s.empty() && s.data() >= text_.data() && s.data() < text_.data() + text_.size();
  };
  if (inText(name) || inText(value)) {
    // A view of our own text (add("x", *get("y"))) would dangle once the text grows.
    const std::string nameCopy(name);
    const std::string valueCopy(value);
    append(nameCopy, id, valueCopy);
    return;
  }
  // The first field reserves room for a typical message's fields at once. (An empty
  // std::string already has a small inline capacity, so its capacity cannot say "first".)
  if (fields_.capacity() == 0) {
    text_.reserve(256);
    fields_.reserve(8);
  }
  Field f{};
  f.nameOffset = static_cast<std::uint32_t>(text_.size());
  f.nameLength = static_cast<std::uint16_t>(name.size());
  text_.append(name);
  f.valueOffset = static_cast<std::uint32_t>(text_.size());
  f.valueLength = static_cast<std::uint32_t>(value.size());
  text_.append(value);
  f.id = id;
  fields_.push_back(f);
}

HttpHeaders& HttpHeaders::add(HttpHeaderName name, std::string_view value) {
  validate(name.name(), value);
  append(name.name(), name.id(), value);
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
    append(other.nameOf(f), f.id, other.valueOf(f));
  }
  return *this;
}

HttpHeaders& HttpHeaders::addTrusted(std::string_view name, std::string_view value) {
  append(name, detail::classifyHeaderName(name), value);
  return *this;
}

HttpHeaders& HttpHeaders::set(HttpHeaderName name, std::string_view value) {
  validate(name.name(), value);
  // `value` may view this object's own text: copy it before anything moves.
  const std::string copy(value);
  remove(name);
  append(name.name(), name.id(), copy);
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
  std::string text;
  text.reserve(text_.size() - wasted_);
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
