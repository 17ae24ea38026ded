#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

/// The decoded parameters of a query string: each name once, in the order it first
/// appeared, with all its values in the order they appeared (Netty's
/// LinkedHashMap<String, List<String>>).
///
/// Entries live in one vector, so iteration is a walk over contiguous memory and a query of
/// a few parameters costs no hashing at all; past a handful of names a small open-addressing
/// index of entry numbers makes get() constant-time, so a query of many distinct names (up
/// to the decoder's limit) costs linear time, not quadratic. Thread: one thread at a time.
class QueryParameters {
 public:
  /// A name and its values (never empty: a name is added with a value).
  struct Entry {
    std::string name;
    std::vector<std::string> values;

    friend bool operator==(const Entry&, const Entry&) = default;
  };
  using const_iterator = std::vector<Entry>::const_iterator;

  /// The values of `name`, in order; empty when the name is absent. Names compare exactly
  /// (byte for byte, case-sensitive). Valid until the parameters are next changed.
  std::span<const std::string> get(std::string_view name) const noexcept;
  /// The first value of `name`, when present.
  std::optional<std::string_view> getFirst(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != kNotFound; }

  /// Adds `value` after the other values of `name`, adding `name` at the end if new.
  void add(std::string name, std::string value);

  /// The number of distinct names (Netty's Map.size()).
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  /// The number of values of all names together: the parameters the query held.
  std::size_t valueCount() const noexcept { return valueCount_; }

  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }

  /// Same names in the same order with the same values in the same order.
  friend bool operator==(const QueryParameters& a, const QueryParameters& b) noexcept {
    return a.entries_ == b.entries_;
  }

 private:
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
  // Below this many names a linear scan beats hashing; at it the index is built.
  static constexpr std::size_t kIndexThreshold = 8;

  std::size_t find(std::string_view name) const noexcept;
  void rebuildIndex();
  void insertIntoIndex(std::size_t entry) noexcept;

  std::vector<Entry> entries_;
  // Open addressing over entry numbers plus one (0 is an empty slot); a power of two in
  // size, at most half full. Empty until there are kIndexThreshold names.
  std::vector<std::uint32_t> index_;
  std::size_t valueCount_ = 0;
};

/// How a QueryStringDecoder reads its input.
struct QueryStringDecoderConfig {
  /// The most parameters (name=value pairs, a repeated name counting each time) decoded;
  /// the ones after are ignored, as in Netty. The guard against a request that makes the
  /// server build a huge map; 0 decodes none.
  std::size_t maxParams = 1024;
  /// Whether ';' is an ordinary character. By default it separates parameters as '&' does
  /// (Netty's default; the old HTML 4 recommendation); true for query strings, such as
  /// matrix-like values, that carry literal semicolons.
  bool semicolonIsNormalChar = false;
  /// Whether the input starts with a path (a request target). False for a query string
  /// alone, such as an application/x-www-form-urlencoded request body: path() is then
  /// empty and the whole input is parameters.
  bool hasPath = true;
};

/// Splits a request target into its path and its query parameters, percent-decoding both
/// (Netty's QueryStringDecoder):
///
/// ```cpp
/// sluice::http::QueryStringDecoder d("/hello?recipient=world&x=1;y=2");
/// d.path();                              // "/hello"
/// d.parameters().getFirst("recipient");  // "world"
/// d.parameters().get("y")[0];            // "2"
/// ```
///
/// The path ends at the first '?' or '#'; the query at the first '#' after it: a fragment
/// (RFC 3986 3.5) is never part of either. A target in absolute-form ("http://host/p?q",
/// RFC 9112 3.2.2) has its scheme and authority skipped, so path() is "/p" (Netty does this
/// only for a java.net.URI). Parameters are separated by '&' (and ';' unless
/// config.semicolonIsNormalChar); a parameter without '=' has the value ""; empty names are
/// skipped; a name may repeat. '+' means a space in the query (application/x-www-form-
/// urlencoded), never in the path.
///
/// Decoding is UTF-8 agnostic: "%C3%A9" becomes the two bytes of "é", and bytes that are not
/// valid UTF-8 are kept as they are (Netty replaces them with U+FFFD); check them where
/// text must be UTF-8. The decoded path can contain any byte, "/" and ".." included
/// ("%2F", "%2E%2E", "%00"): code that maps it to files must check it.
///
/// A malformed escape ('%' not followed by two hex digits) is kept as it is, as the WHATWG
/// URL standard's percent-decode does, and valid() turns false. Netty throws
/// IllegalArgumentException instead; a decoder of network input here never throws.
///
/// Decodes everything in the constructor; the object is a value (copy it, move it). Thread:
/// any, one thread at a time.
class QueryStringDecoder {
 public:
  explicit QueryStringDecoder(std::string_view uri, QueryStringDecoderConfig config = {});

  /// The input, as given.
  const std::string& uri() const noexcept { return uri_; }
  /// The percent-decoded path ('+' stays '+'); empty when config.hasPath is false.
  const std::string& path() const noexcept { return path_; }
  /// The path as it appears in the input, undecoded.
  std::string_view rawPath() const noexcept {
    return std::string_view(uri_).substr(pathBegin_, pathEnd_ - pathBegin_);
  }
  /// The query as it appears in the input, undecoded: after the '?', before any '#'
  /// (Netty's rawQuery() keeps the fragment).
  std::string_view rawQuery() const noexcept {
    return std::string_view(uri_).substr(queryBegin_, queryEnd_ - queryBegin_);
  }
  /// The decoded parameters, in order.
  const QueryParameters& parameters() const noexcept { return parameters_; }
  /// Whether every percent escape in the path and in the decoded parameters was well
  /// formed. When false, the malformed escapes were kept as they are.
  bool valid() const noexcept { return valid_; }

  /// Percent-decodes `s` (RFC 3986 2.1), turning '+' into a space when `plusIsSpace` (the
  /// query's application/x-www-form-urlencoded rule; Netty's decodeComponent(String)).
  /// Malformed escapes are kept as they are. Thread: any.
  static std::string decodeComponent(std::string_view s, bool plusIsSpace = true);
  /// As decodeComponent, but nullopt when `s` holds a malformed escape (where Netty
  /// throws). Thread: any.
  static std::optional<std::string> tryDecodeComponent(std::string_view s, bool plusIsSpace = true);

 private:
  void decodeParams(const QueryStringDecoderConfig& config);

  std::string uri_;
  std::size_t pathBegin_ = 0;
  std::size_t pathEnd_ = 0;
  std::size_t queryBegin_ = 0;
  std::size_t queryEnd_ = 0;
  std::string path_;
  QueryParameters parameters_;
  bool valid_ = true;
};

}  // namespace sluice::http
