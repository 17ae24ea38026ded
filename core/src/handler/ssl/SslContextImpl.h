#pragma once

// The inside of SslContext, shared with SslHandler.

#include <sluice/handler/ssl/SslContext.h>
#include <sluice/handler/ssl/SslContextBuilder.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "SslUtil.h"

namespace sluice {

struct SslContext::Impl {
  Impl(SslContextBuilder::Settings s, detail::SslCtxPtr c);
  ~Impl();

  /// A new SSL for one connection, set up for `peerHost`/`peerPort` when a client (the SNI
  /// name, host-name verification, a cached session). `sessionKey` must outlive the SSL.
  /// Null on failure, with the reason in `error`.
  SSL* newSsl(const std::string& peerHost, std::uint16_t peerPort, std::string& sessionKey,
              Error& error) const;

  // Client sessions, most recently stored first; guarded by sessionsMutex.
  void storeSession(const std::string& key, SSL_SESSION* session);  // takes the reference
  SSL_SESSION* takeSession(const std::string& key);                 // a new reference, or null

  // Session-ticket keys (server), newest first; guarded by ticketMutex.
  struct TicketKey {
    std::array<unsigned char, 16> name;
    std::array<unsigned char, 32> aesKey;
    std::array<unsigned char, 32> hmacKey;
    std::chrono::steady_clock::time_point created;
  };
  void rotateTicketKeysLocked();
  int ticketKeyCallback(bool tls13, unsigned char keyName[16], unsigned char* iv,
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc);

  SslContextBuilder::Settings settings;
  detail::SslCtxPtr ctx;
  std::vector<unsigned char> alpnWire;  // ALPN protocols in wire format (length-prefixed)

  std::mutex sessionsMutex;
  std::list<std::pair<std::string, SSL_SESSION*>> sessions;
  std::unordered_map<std::string, std::list<std::pair<std::string, SSL_SESSION*>>::iterator>
      sessionIndex;

  std::mutex ticketMutex;
  std::deque<TicketKey> ticketKeys;
};

}  // namespace sluice
