#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace sluice::http {

/// The SameSite attribute of a cookie (RFC 6265bis 5.4.7): whether a browser sends it with
/// requests that other sites start.
enum class SameSite { Lax, Strict, None };

/// An HTTP cookie: its name and value and the attributes of a Set-Cookie field (RFC 6265
/// 4.1). Netty's Cookie interface and DefaultCookie as one value type: no other
/// implementation needs to hide behind an interface, and a value copies, compares (==
/// compares every field) and sits in a std::vector like a string does.
///
/// A Cookie does not check what it is given: a lax decoder may produce any bytes, and a
/// program may build any cookie. The encoders check when they write one (see
/// ServerCookieEncoder). The setters return *this so that a cookie can be built in one
/// expression:
///
///     Cookie("session", id).setPath("/").setHttpOnly(true).setSameSite(SameSite::Lax)
///
/// Thread: a Cookie is a plain value; one thread at a time per object.
class Cookie {
 public:
  Cookie() = default;
  Cookie(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}

  const std::string& name() const noexcept { return name_; }
  Cookie& setName(std::string name) {
    name_ = std::move(name);
    return *this;
  }

  /// The value without the double quotes it may have had on the wire.
  const std::string& value() const noexcept { return value_; }
  Cookie& setValue(std::string value) {
    value_ = std::move(value);
    return *this;
  }

  /// Whether the value travels wrapped in double quotes (RFC 6265 4.1.1 allows
  /// DQUOTE *cookie-octet DQUOTE). A decoder sets it when the value it read was quoted, so that
  /// the encoders send it back as the server wrote it.
  bool wrap() const noexcept { return wrap_; }
  Cookie& setWrap(bool wrap) noexcept {
    wrap_ = wrap;
    return *this;
  }

  /// The Domain attribute (RFC 6265 5.2.3), or nullopt for a host-only cookie.
  const std::optional<std::string>& domain() const noexcept { return domain_; }
  Cookie& setDomain(std::optional<std::string> domain) {
    domain_ = std::move(domain);
    return *this;
  }

  /// The Path attribute (RFC 6265 5.2.4), or nullopt for the default path.
  const std::optional<std::string>& path() const noexcept { return path_; }
  Cookie& setPath(std::optional<std::string> path) {
    path_ = std::move(path);
    return *this;
  }

  /// How long the cookie lives (Max-Age, RFC 6265 5.2.2), or nullopt for a session cookie
  /// (Netty's Long.MIN_VALUE). Zero or less asks the client to delete the cookie now.
  const std::optional<std::chrono::seconds>& maxAge() const noexcept { return maxAge_; }
  Cookie& setMaxAge(std::optional<std::chrono::seconds> maxAge) noexcept {
    maxAge_ = maxAge;
    return *this;
  }

  /// The Secure attribute: sent only over secure channels (RFC 6265 5.2.5).
  bool isSecure() const noexcept { return secure_; }
  Cookie& setSecure(bool secure) noexcept {
    secure_ = secure;
    return *this;
  }

  /// The HttpOnly attribute: hidden from scripts (RFC 6265 5.2.6).
  bool isHttpOnly() const noexcept { return httpOnly_; }
  Cookie& setHttpOnly(bool httpOnly) noexcept {
    httpOnly_ = httpOnly;
    return *this;
  }

  /// The SameSite attribute, or nullopt when the cookie has none.
  const std::optional<SameSite>& sameSite() const noexcept { return sameSite_; }
  Cookie& setSameSite(std::optional<SameSite> sameSite) noexcept {
    sameSite_ = sameSite;
    return *this;
  }

  /// The Partitioned attribute (CHIPS): stored per top-level site.
  bool isPartitioned() const noexcept { return partitioned_; }
  Cookie& setPartitioned(bool partitioned) noexcept {
    partitioned_ = partitioned;
    return *this;
  }

  friend bool operator==(const Cookie&, const Cookie&) = default;

 private:
  std::string name_;
  std::string value_;
  std::optional<std::string> domain_;
  std::optional<std::string> path_;
  std::optional<std::chrono::seconds> maxAge_;
  std::optional<SameSite> sameSite_;
  bool wrap_ = false;
  bool secure_ = false;
  bool httpOnly_ = false;
  bool partitioned_ = false;
};

}  // namespace sluice::http
