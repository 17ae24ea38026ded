#include <fmt/format.h>
#include <sluice/http/HttpHeaders.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
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

// A perfect hash of the known names: a name's length, first letter and last-but-one letter
// (case folded) pick one of 256 slots, and no two known names share a slot, so a lookup
// reads one slot and compares one candidate. (Those three tell every known name apart;
// "access-control-allow-headers" and "-methods" differ in no other cheap place.)
constexpr std::size_t kSlotBits = 8;
constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;
constexpr std::uint8_t kEmptySlot = static_cast<std::uint8_t>(KnownHeader::Unknown);

constexpr std::size_t kMinKnownLength = [] {
  std::size_t n = kKnownNames[0].size();
  for (const std::string_view name : kKnownNames) {
    n = name.size() < n ? name.size() : n;
  }
  return n;
}();
constexpr std::size_t kMaxKnownLength = [] {
  std::size_t n = 0;
  for (const std::string_view name : kKnownNames) {
    n = name.size() > n ? name.size() : n;
  }
  return n;
}();
// The hash reads name[n - 2] and the compare below loads two bytes at least; the compare
// also relies on the names' spelling.
constexpr bool knownNamesAreHashable() {
  for (const std::string_view name : kKnownNames) {
    for (const char c : name) {
      if (!((c >= 'a' && c <= 'z') || c == '-')) {
        return false;
      }
    }
  }
  return kMinKnownLength >= 2 && kMaxKnownLength < 256;
}
static_assert(knownNamesAreHashable(), "known header names must be 2 to 255 of [a-z-]");

constexpr std::uint64_t hashKey(std::size_t n, char first, char lastButOne) {
  // `| 0x20` folds the case of letters; what it does to other bytes only changes the hash.
  return n | (std::uint64_t{static_cast<std::uint8_t>(first | 0x20)} << 8) |
         (std::uint64_t{static_cast<std::uint8_t>(lastButOne | 0x20)} << 16);
}
constexpr std::size_t slotOf(std::uint64_t key, std::uint64_t multiplier) {
  return static_cast<std::size_t>((key * multiplier) >> (64 - kSlotBits));
}

struct SlotTable {
  std::uint64_t multiplier = 0;
  std::array<std::uint8_t, kSlots> ids{};
};

// Tries multipliers until one maps every known name to its own slot. The first one was
// found that way for the present names, so compilation normally tries just it; a name added
// later may make it try more.
constexpr SlotTable makeSlotTable() {
  std::uint64_t candidate = 0xfdf74be21b40a025ULL;
  for (int attempt = 0; attempt < 100000; ++attempt) {
    SlotTable table{candidate | 1, {}};
    for (auto& id : table.ids) {
      id = kEmptySlot;
    }
    bool perfect = true;
    for (std::size_t id = 0; id < kKnownNames.size() && perfect; ++id) {
      const std::string_view name = kKnownNames[id];
      const std::size_t slot =
          slotOf(hashKey(name.size(), name[0], name[name.size() - 2]), table.multiplier);
      perfect = table.ids[slot] == kEmptySlot;
      table.ids[slot] = static_cast<std::uint8_t>(id);
    }
    if (perfect) {
      return table;
    }
    // splitmix64's step: the next candidate.
    candidate += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = candidate;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    candidate = z ^ (z >> 31);
  }
  return {};
}

constexpr SlotTable kSlotTable = makeSlotTable();
static_assert(kSlotTable.multiplier != 0, "no perfect hash found for the known header names");

// Each known name padded with zeros, so that the compare below may load whole words of it.
using PaddedName = std::array<char, kMaxKnownLength>;
constexpr std::array<PaddedName, kKnownNames.size()> kPaddedNames = [] {
  std::array<PaddedName, kKnownNames.size()> padded{};
  for (std::size_t id = 0; id < kKnownNames.size(); ++id) {
    for (std::size_t i = 0; i < kKnownNames[id].size(); ++i) {
      padded[id][i] = kKnownNames[id][i];
    }
  }
  return padded;
}();

template <typename Word>
Word load(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// Whether sizeof(Word) bytes at `in` equal those at `known`, ignoring case. The known names
// are lower-case letters and '-': setting bit 0x20 of each input byte where the known byte is
// a letter maps exactly that letter's two cases onto it, and leaves '-' to match only '-'.
// A letter's 0x40 bit, shifted down, is that 0x20 mask.
template <typename Word>
bool equalsKnown(const char* in, const char* known) noexcept {
  constexpr Word kCaseBits = static_cast<Word>(0x2020202020202020ULL);
  const Word k = load<Word>(known);
  return (load<Word>(in) | ((k >> 1) & kCaseBits)) == k;
}

// Case-insensitive equality of `name` with a known name of the same length: a few word
// compares, the last one overlapping the one before it rather than looping on the tail.
bool equalsKnown(std::string_view name, const PaddedName& known) noexcept {
  const char* in = name.data();
  const std::size_t n = name.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (!equalsKnown<std::uint64_t>(in + i, known.data() + i)) {
        return false;
      }
    }
    return equalsKnown<std::uint64_t>(in + n - 8, known.data() + n - 8);
  }
  if (n >= 4) {
    return equalsKnown<std::uint32_t>(in, known.data()) &&
           equalsKnown<std::uint32_t>(in + n - 4, known.data() + n - 4);
  }
  return equalsKnown<std::uint16_t>(in, known.data()) &&
         equalsKnown<std::uint16_t>(in + n - 2, known.data() + n - 2);
}

}  // namespace

KnownHeader classifyHeaderName(std::string_view name) noexcept {
  const std::size_t n = name.size();
  if (n < kMinKnownLength || n > kMaxKnownLength) {
    return KnownHeader::Unknown;
  }
  const std::uint8_t id =
      kSlotTable.ids[slotOf(hashKey(n, name[0], name[n - 2]), kSlotTable.multiplier)];
  if (id == kEmptySlot || kKnownNames[id].size() != n || !equalsKnown(name, kPaddedNames[id])) {
    return KnownHeader::Unknown;
  }
  return static_cast<KnownHeader>(id);
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
  // Integer addresses: views into other objects are compared too, which raw pointer order
  // does not define.
  const auto begin = reinterpret_cast<std::uintptr_t>(text_.data());
  const auto end = begin + text_.size();
  const auto inside = [&](std::string_view s) {
    const auto p = reinterpret_cast<std::uintptr_t>(s.data());
    return p >= begin && p + s.size() <= end;
  };
  const bool nameInside = inside(name);
  const bool valueInside = inside(value);
  if (!nameInside || !valueInside) [[unlikely]] {
    const auto straddles = [&](std::string_view s) {
      const auto p = reinterpret_cast<std::uintptr_t>(s.data());
      return p < begin + text_.capacity() && p + s.size() > begin;
    };
    if ((!nameInside && straddles(name)) || (!valueInside && straddles(value))) {
      // Part in our storage, part beyond: copy before the text grows and moves.
      const std::string nameCopy(name);
      const std::string valueCopy(value);
      append(nameCopy, id, valueCopy);
      return;
    }
  }
  // Offsets of the views inside are taken first: what follows may move the text.
  Field f{};
  f.id = id;
  f.nameLength = static_cast<std::uint16_t>(name.size());
  f.valueLength = static_cast<std::uint32_t>(value.size());
  f.nameOffset = static_cast<std::uint32_t>(
      nameInside ? reinterpret_cast<std::uintptr_t>(name.data()) - begin : 0);
  f.valueOffset = static_cast<std::uint32_t>(
      valueInside ? reinterpret_cast<std::uintptr_t>(value.data()) - begin : 0);
  // The first field reserves room for a typical message's fields at once, unless reserve()
  // already made room. (An empty std::string already has a small inline capacity, so its
  // capacity cannot say "first".)
  if (fields_.capacity() == 0) {
    reserve(nameInside && valueInside ? 0 : 256, 8);
  }
  // The views outside are copied to the end.
  if (!nameInside) {
    f.nameOffset = static_cast<std::uint32_t>(text_.size());
    text_.append(name);
  }
  if (!valueInside) {
    f.valueOffset = static_cast<std::uint32_t>(text_.size());
    text_.append(value);
  }
  fields_.push_back(f);
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
