#pragma once

#include <sluice/handler/ssl/SslContext.h>

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice {

/// Host name -> SslContext, with wildcards and a default, for SniHandler (Netty's
/// DomainWildcardMappingBuilder and the Mapping it builds).
///
/// "*.example.com" matches names one label below example.com ("www.example.com", not
/// "example.com" nor "a.b.example.com"), as a certificate's wildcard does. An exact entry
/// wins over a wildcard. Names compare case-insensitively, and a trailing dot is ignored.
///
/// The mapping can change while servers run: add() replaces an entry, so a server that
/// reloads its certificate and key from disk builds a new SslContext and add()s it; new
/// connections get it, connections already made keep theirs.
///
/// Ownership: shared (std::shared_ptr) by every SniHandler that uses it. Thread: any (a
/// reader-writer lock; lookups do not block each other).
class DomainWildcardMapping {
 public:
  /// `defaultContext` serves clients that send no SNI name or one that matches nothing; null
  /// refuses them (the handshake fails).
  explicit DomainWildcardMapping(std::shared_ptr<const SslContext> defaultContext);

  /// Adds or replaces the context for `hostname` ("example.com" or "*.example.com"). Throws
  /// std::invalid_argument for an empty name or a wildcard anywhere but the first label.
  DomainWildcardMapping& add(std::string hostname, std::shared_ptr<const SslContext> context);
  /// Removes the entry for `hostname`; true if there was one.
  bool remove(std::string_view hostname);
  /// Replaces the default context.
  void setDefault(std::shared_ptr<const SslContext> context);

  /// The context for `hostname` (exact entry, then wildcard, then the default); null when
  /// nothing matches and there is no default.
  std::shared_ptr<const SslContext> map(std::string_view hostname) const;

 private:
  static std::string normalize(std::string_view hostname);

  mutable std::shared_mutex mutex_;
  std::shared_ptr<const SslContext> default_;
  std::unordered_map<std::string, std::shared_ptr<const SslContext>> entries_;
};

}  // namespace sluice
