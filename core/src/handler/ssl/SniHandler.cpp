#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/handler/ssl/SniHandler.h>
#include <sluice/handler/ssl/SslError.h>
#include <sluice/handler/ssl/SslHandler.h>

#include <string>

namespace sluice {

namespace {

// The ClientHello is gathered across records up to this size (post-quantum key shares make
// ClientHellos of a few KiB; nothing legitimate comes near this).
constexpr std::size_t kMaxClientHello = 64 * 1024;

// A bounds-checked reader over the ClientHello body.
struct Reader {
  std::span<const std::uint8_t> data;
  std::size_t pos = 0;
  bool ok = true;

  bool has(std::size_t n) const noexcept { return ok && data.size() - pos >= n; }
  std::uint32_t u8() { return has(1) ? data[pos++] : fail(); }
  std::uint32_t u16() {
    if (!has(2)) {
      return fail();
    }
    const std::uint32_t v = (std::uint32_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    return v;
  }
  void skip(std::size_t n) {
    if (has(n)) {
      pos += n;
    } else {
      fail();
    }
  }
  std::uint32_t fail() {
    ok = false;
    return 0;
  }
};

}  // namespace

SniHandler::SniHandler(std::shared_ptr<const DomainWildcardMapping> mapping,
                       Duration handshakeTimeout)
    : mapping_(std::move(mapping)), handshakeTimeout_(handshakeTimeout) {}

SniHandler::ParseResult SniHandler::parseClientHello(std::span<const std::uint8_t> data,
                                                     std::string& hostname) {
  // Gather the handshake layer's bytes from the records (RFC 8446 5.1) until the
  // ClientHello is whole.
  std::string hs;
  std::size_t off = 0;
  std::size_t helloLength = 0;
  while (true) {
    if (data.size() - off < 5) {
      return ParseResult::NeedMore;
    }
    if (data[off] != 22 || data[off + 1] != 3) {  // handshake record, TLS major version 3
      return ParseResult::NotClientHello;
    }
    const std::size_t length = (std::size_t{data[off + 3]} << 8) | data[off + 4];
    if (length == 0 || length > 16384 + 2048) {
      return ParseResult::NotClientHello;
    }
    if (data.size() - off - 5 < length) {
      return ParseResult::NeedMore;
    }
    hs.append(reinterpret_cast<const char*>(data.data() + off + 5), length);
    off += 5 + length;
    if (hs.size() >= 4) {
      if (static_cast<std::uint8_t>(hs[0]) != 1) {  // client_hello
        return ParseResult::NotClientHello;
      }
      helloLength = (std::size_t{static_cast<std::uint8_t>(hs[1])} << 16) |
                    (std::size_t{static_cast<std::uint8_t>(hs[2])} << 8) |
                    static_cast<std::uint8_t>(hs[3]);
      if (helloLength > kMaxClientHello) {
        return ParseResult::NotClientHello;
      }
      if (hs.size() - 4 >= helloLength) {
        break;
      }
    }
    if (hs.size() > kMaxClientHello + 4) {
      return ParseResult::NotClientHello;
    }
  }
  Reader r{std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(hs.data()) + 4,
                                         helloLength)};
  r.skip(2);        // legacy_version
  r.skip(32);       // random
  r.skip(r.u8());   // legacy_session_id
  r.skip(r.u16());  // cipher_suites
  r.skip(r.u8());   // legacy_compression_methods
  if (!r.ok) {
    return ParseResult::NotClientHello;
  }
  hostname.clear();
  if (!r.has(1)) {
    return ParseResult::Found;  // no extensions (TLS 1.0-1.2 allow it)
  }
  const std::size_t extensionsLength = r.u16();
  if (!r.has(extensionsLength)) {
    return ParseResult::NotClientHello;
  }
  Reader ext{r.data.subspan(r.pos, extensionsLength)};
  while (ext.ok && ext.has(1)) {
    const std::uint32_t type = ext.u16();
    const std::size_t length = ext.u16();
    if (!ext.has(length)) {
      return ParseResult::NotClientHello;
    }
    if (type != 0) {  // server_name (RFC 6066 3)
      ext.skip(length);
      continue;
    }
    Reader sni{ext.data.subspan(ext.pos, length)};
    const std::size_t listLength = sni.u16();
    if (!sni.has(listLength)) {
      return ParseResult::NotClientHello;
    }
    while (sni.ok && sni.has(1)) {
      const std::uint32_t nameType = sni.u8();
      const std::size_t nameLength = sni.u16();
      if (!sni.has(nameLength)) {
        return ParseResult::NotClientHello;
      }
      if (nameType == 0) {  // host_name
        if (nameLength == 0 || nameLength > 255) {
          return ParseResult::NotClientHello;
        }
        for (std::size_t i = 0; i < nameLength; ++i) {
          char c = static_cast<char>(sni.data[sni.pos + i]);
          // RFC 6066 3: ASCII, no trailing dot; anything else is not a host name.
          if (c <= ' ' || c >= 0x7F) {
            return ParseResult::NotClientHello;
          }
          if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
          }
          hostname.push_back(c);
        }
        return ParseResult::Found;
      }
      sni.skip(nameLength);
    }
    return sni.ok ? ParseResult::Found : ParseResult::NotClientHello;
  }
  return ext.ok ? ParseResult::Found : ParseResult::NotClientHello;
}

void SniHandler::handlerAdded(ChannelHandlerContext& ctx) {
  if (ctx.channel().isActive()) {
    startTimer(ctx);
  }
}

void SniHandler::channelActive(ChannelHandlerContext& ctx) {
  startTimer(ctx);
  ctx.fireChannelActive();
}

void SniHandler::channelInactive(ChannelHandlerContext& ctx) {
  if (timer_.isValid()) {
    timer_.cancel();
  }
  ByteToMessageDecoder::channelInactive(ctx);
}

void SniHandler::startTimer(ChannelHandlerContext& ctx) {
  if (timer_.isValid() || handshakeTimeout_ <= Duration::zero()) {
    return;
  }
  auto alive = alive_;
  timer_ = ctx.executor().schedule(
      [this, alive, &ctx] {
        if (!*alive || selected_) {
          return;
        }
        selected_ = true;
        ctx.fireExceptionCaught(Error(make_error_code(SslErrc::HandshakeTimeout),
                                      "no TLS ClientHello within the handshake timeout"));
        ctx.close();
      },
      handshakeTimeout_);
}

void SniHandler::handlerRemoved0(ChannelHandlerContext&) {
  *alive_ = false;
  if (timer_.isValid()) {
    timer_.cancel();
  }
}

void SniHandler::decode(ChannelHandlerContext& ctx, ByteBuf& in, Out&) {
  if (selected_) {
    in.skipBytes(in.readableBytes());  // refused: the channel is closing
    return;
  }
  std::string hostname;
  const ParseResult result = parseClientHello(in.readableSpan(), hostname);
  if (result == ParseResult::NeedMore) {
    return;
  }
  // Not a ClientHello: the default context's SslHandler refuses it the way TLS does.
  select(ctx, result == ParseResult::Found ? hostname : std::string());
}

void SniHandler::select(ChannelHandlerContext& ctx, const std::string& hostname) {
  selected_ = true;
  hostname_ = hostname;
  std::shared_ptr<const SslContext> context = mapping_->map(hostname);
  if (!context || !context->isServer()) {
    ctx.fireExceptionCaught(
        Error(make_error_code(SslErrc::HandshakeFailed),
              hostname.empty() ? std::string("no default TLS context for a client without SNI")
                               : fmt::format("no TLS context for the host name {}", hostname)));
    ctx.close();
    return;
  }
  // The SslHandler takes this handler's place; the bytes read so far go on to it when this
  // handler is removed.
  ctx.pipeline().replace(*this, {}, context->newHandler());
}

}  // namespace sluice
