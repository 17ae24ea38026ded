#pragma once

#include <string>
#include <string_view>

namespace sluice::http {

/// Builds a request target from a path and query parameters, percent-encoding the
/// parameters (Netty's QueryStringEncoder):
///
/// ```cpp
/// sluice::http::QueryStringEncoder e("/search");
/// e.addParam("q", "C++ & Netty");
/// e.addParam("page", "2");
/// e.toString();  // "/search?q=C%2B%2B%20%26%20Netty&page=2"
/// ```
///
/// Names and values are encoded byte by byte as RFC 3986 2.1 says: every byte but the
/// unreserved characters (ALPHA, DIGIT, '-', '.', '_', '~'; RFC 3986 2.3) becomes "%XX"
/// with upper-case hex digits, so UTF-8 text becomes "%C3%A9" and so on. A space becomes
/// "%20", as in Netty's encoder (not '+', which java.net.URLEncoder writes);
/// QueryStringDecoder reads both. Netty's encoder leaves '*' as it is and encodes '~'; this
/// one follows RFC 3986 exactly: "%2A" and "~". The path given to the constructor is used
/// as it is: encode its segments yourself with encodeComponent if they hold such bytes.
///
/// Thread: one thread at a time.
class QueryStringEncoder {
 public:
  /// Starts the target with `uri`. If `uri` already has a query ("/p?a=1"), parameters are
  /// appended to it with '&'.
  explicit QueryStringEncoder(std::string uri);

  /// Appends "name=value", both encoded.
  void addParam(std::string_view name, std::string_view value);
  /// Appends "name" with no '=' (Netty's addParam(name, null)), which decoders read as the
  /// value "".
  void addParam(std::string_view name);

  /// The target built so far.
  const std::string& toString() const noexcept { return uri_; }

  /// Percent-encodes every byte of `s` but the unreserved characters (RFC 3986 2.3).
  static std::string encodeComponent(std::string_view s);
  /// As encodeComponent, appending to `out`.
  static void encodeComponent(std::string& out, std::string_view s);

 private:
  void startParam();

  std::string uri_;
  bool needsSeparator_ = false;  // a parameter precedes: the next one starts with '&'
  bool hasQuery_ = false;        // the target has its '?'
};

}  // namespace sluice::http
