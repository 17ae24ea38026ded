#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "WebSocketCloseBody.h"
#include "WebSocketFailure.h"
#include "WebSocketMetrics.h"

namespace sluice::websocket {
namespace {

// A payload at least this long, and at least a quarter of the buffer it arrived in, is
// passed on as a slice of that buffer instead of a copy (see the class comment).
constexpr std::size_t kMinSlicedPayload = 256;

// The block in which the bytes of a partly received text frame are unmasked for the UTF-8
// check (a multiple of 4, the masking key's period).
constexpr std::size_t kUtf8ScratchSize = 1024;

constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpBinary = 0x2;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;

std::uint64_t loadBE64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

}  // namespace

WebSocket13FrameDecoder::WebSocket13FrameDecoder(WebSocketDecoderConfig config) : config_(config) {
  // A frame is buffered whole, header included, and a buffer holds at most kMaxCapacity.
  config_.maxFramePayloadLength = std::min<std::size_t>(
      config_.maxFramePayloadLength, ByteBuf::kMaxCapacity - WebSocketFrame::kMaxHeaderSize);
}

void WebSocket13FrameDecoder::decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  if (state_ != State::Reading) {
    // After a close frame or a failure nothing more is decoded (RFC 6455 5.5.1, 7.1.7).
    in.skipBytes(in.readableBytes());
    return;
  }
  // Whether the received bytes are ours alone to unmask in place. Checked once: the slices
  // this call makes hold references too, but only to frames already consumed.
  const bool ownsInput = in.isUnique();
  detail::WebSocketMetrics& metrics = detail::WebSocketMetrics::get();
  for (;;) {
    const std::size_t readable = in.readableBytes();
    if (readable < 2) {
      return;
    }
    const std::uint8_t* p = in.readableSpan().data();
    const std::uint8_t b0 = p[0];
    const std::uint8_t b1 = p[1];
    const bool fin = (b0 & 0x80) != 0;
    const int rsv = (b0 >> 4) & 0x7;
    const std::uint8_t opcode = b0 & 0x0F;
    const bool masked = (b1 & 0x80) != 0;
    const std::uint8_t len7 = b1 & 0x7F;

    // RFC 6455 5.2: RSV1-3 MUST be 0 unless an extension defining them was negotiated.
    if (rsv != 0 && !config_.allowExtensions) {
      return protocolViolation(ctx, in, out, WebSocketErrc::ReservedBitsSet,
                               fmt::format("RSV {}", rsv));
    }
    // RFC 6455 5.1: a server MUST close the connection on an unmasked frame; a client MUST
    // close it on a masked one.
    if (masked != config_.expectMaskedFrames && !config_.allowMaskMismatch) {
      return protocolViolation(ctx, in, out, WebSocketErrc::MaskMismatch,
                               masked ? "masked frame" : "unmasked frame");
    }
    const bool control = (opcode & 0x8) != 0;
    if (control) {
      // RFC 6455 5.2: opcodes 0xB-0xF are reserved; receiving one MUST fail the connection.
      if (opcode != kOpClose && opcode != kOpPing && opcode != kOpPong) {
        return protocolViolation(ctx, in, out, WebSocketErrc::ReservedOpcode,
                                 fmt::format("opcode {:#x}", opcode));
      }
      // RFC 6455 5.5: control frames MUST NOT be fragmented ...
      if (!fin) {
        return protocolViolation(ctx, in, out, WebSocketErrc::FragmentedControlFrame);
      }
      // ... and MUST have a payload length of 125 bytes or less.
      if (len7 > 125) {
        return protocolViolation(ctx, in, out, WebSocketErrc::ControlFrameTooLarge);
      }
      // RFC 6455 5.5.1: a close body, if any, starts with a two-byte status code.
      if (opcode == kOpClose && len7 == 1) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidCloseFrame);
      }
    } else {
      // RFC 6455 5.2: opcodes 3-7 are reserved.
      if (opcode > kOpBinary) {
        return protocolViolation(ctx, in, out, WebSocketErrc::ReservedOpcode,
                                 fmt::format("opcode {:#x}", opcode));
      }
      // RFC 6455 5.4: fragments are a first frame (text or binary), continuations, and a
      // final continuation; control frames alone may come in between.
      if (opcode == kOpContinuation && !inFragmentedMessage_) {
        return protocolViolation(ctx, in, out, WebSocketErrc::UnexpectedContinuationFrame);
      }
      if (opcode != kOpContinuation && inFragmentedMessage_) {
        return protocolViolation(ctx, in, out, WebSocketErrc::UnexpectedDataFrame);
      }
    }

    std::size_t headerLength = 2;
    std::uint64_t length = len7;
    if (len7 == 126) {
      if (readable < 4) {
        return;
      }
      length = (static_cast<std::uint64_t>(p[2]) << 8) | p[3];
      headerLength = 4;
      // RFC 6455 5.2: the minimal number of bytes MUST be used to encode the length.
      if (length < 126) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidPayloadLength,
                                 fmt::format("{} in a 16-bit length", length));
      }
    } else if (len7 == 127) {
      if (readable < 10) {
        return;
      }
      length = loadBE64(p + 2);
      headerLength = 10;
      // RFC 6455 5.2: the most significant bit of a 64-bit length MUST be 0.
      if ((length >> 63) != 0) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidPayloadLength,
                                 "64-bit length with the top bit set");
      }
      if (length <= 0xFFFF) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidPayloadLength,
                                 fmt::format("{} in a 64-bit length", length));
      }
    }
    if (length > config_.maxFramePayloadLength) {
      return protocolViolation(
          ctx, in, out, WebSocketErrc::FrameTooLarge,
          fmt::format("{} bytes, limit {}", length, config_.maxFramePayloadLength));
    }
    if (!control) {
      const std::uint64_t messageLength = (opcode == kOpContinuation ? messageLength_ : 0) + length;
      if (messageLength > config_.maxMessageLength) {
        return protocolViolation(
            ctx, in, out, WebSocketErrc::MessageTooLarge,
            fmt::format("{} bytes, limit {}", messageLength, config_.maxMessageLength));
      }
    }
    std::uint32_t maskingKey = 0;
    if (masked) {
      if (readable < headerLength + 4) {
        return;
      }
      std::memcpy(&maskingKey, p + headerLength, 4);
      headerLength += 4;
    }
    const std::size_t payloadLength = static_cast<std::size_t>(length);
    if (readable - headerLength < payloadLength) {
      // Wait for the whole frame, but check the text received so far: RFC 6455 8.1 makes
      // invalid UTF-8 fail the connection, and failing at the offending byte rather than
      // at the end of the frame spares the rest of a large frame (and is what 5.6 allows).
      const bool text = opcode == kOpText ? config_.withUTF8Validator && rsv == 0
                                          : opcode == kOpContinuation && validatingText_;
      if (text && !validateReceivedText({p + headerLength, readable - headerLength}, masked,
                                        maskingKey, opcode == kOpText)) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidUtf8, "in text message");
      }
      return;
    }

    // The payload: a slice of the input where that is cheap and safe, else a pooled copy.
    const std::size_t frameStart = in.readerIndex();
    ByteBuf payload;
    if (payloadLength != 0) {
      const bool sliceIt = payloadLength >= kMinSlicedPayload &&
                           payloadLength * 4 >= in.capacity() && (ownsInput || !masked);
      if (sliceIt) {
        if (masked) {
          WebSocketUtil::mask(std::span<std::uint8_t>(
                                  in.memoryAddress() + frameStart + headerLength, payloadLength),
                              maskingKey);
        }
        // The header bytes stay in front as headroom, for an encoder to reuse.
        payload = in.slice(frameStart, headerLength + payloadLength);
        payload.readerIndex(headerLength);
      } else {
        payload = ctx.alloc().bufferWithHeadroom(WebSocketFrame::kMaxHeaderSize, payloadLength);
        const std::span<const std::uint8_t> src(p + headerLength, payloadLength);
        std::uint8_t* dst = payload.writableSpan().data();
        if (masked) {
          WebSocketUtil::maskCopy(dst, src, maskingKey);
        } else {
          std::memcpy(dst, src.data(), payloadLength);
        }
        payload.writerIndex(WebSocketFrame::kMaxHeaderSize + payloadLength);
      }
    }
    in.skipBytes(headerLength + payloadLength);

    if (control) {
      if (opcode == kOpClose) {
        if (payloadLength >= 2) {
          const int code = payload.getUnsignedShort(payload.readerIndex());
          // RFC 6455 7.4: a close frame carries only codes valid on the wire; 1005, 1006
          // and 1015 MUST NOT be sent, and the unassigned ranges have no meaning.
          if (!WebSocketCloseStatus::isValidStatusCode(code)) {
            return protocolViolation(ctx, in, out, WebSocketErrc::InvalidCloseCode,
                                     fmt::format("{}", code));
          }
          // RFC 6455 5.5.1, 8.1: the reason is UTF-8; if it is not, the connection MUST fail.
          if (config_.withUTF8Validator &&
              !Utf8Validator::isValidUtf8(payload.readableSpan().subspan(2))) {
            return protocolViolation(ctx, in, out, WebSocketErrc::InvalidUtf8, "in close reason");
          }
        }
        state_ = State::ReceivedClose;
        metrics.frameReceived(WebSocketOpcode::Close).inc();
        onCloseReceived(ctx, payload);
        out.emplace_back(Message::make<CloseWebSocketFrame>(fin, rsv, std::move(payload)));
        in.skipBytes(in.readableBytes());
        return;
      }
      if (opcode == kOpPing) {
        metrics.frameReceived(WebSocketOpcode::Ping).inc();
        out.emplace_back(Message::make<PingWebSocketFrame>(fin, rsv, std::move(payload)));
      } else {
        metrics.frameReceived(WebSocketOpcode::Pong).inc();
        out.emplace_back(Message::make<PongWebSocketFrame>(fin, rsv, std::move(payload)));
      }
      continue;
    }

    if (opcode != kOpContinuation) {
      // The first frame of a message. A message whose RSV bits are set was transformed by
      // an extension (permessage-deflate); whoever undoes that checks its text.
      validatingText_ = opcode == kOpText && config_.withUTF8Validator && rsv == 0;
      messageLength_ = 0;
      binaryMessage_ = opcode == kOpBinary;
    }
    messageLength_ += payloadLength;
    if (validatingText_) {
      // The first bytes of a frame that arrived in pieces were checked as they came, and
      // the check of its message started then.
      const std::size_t validated = std::exchange(validatedPayload_, 0);
      if (validated == 0 && opcode == kOpText) {
        utf8_.reset();
      }
      // RFC 6455 8.1: invalid UTF-8 in a text message MUST fail the connection; checked
      // frame by frame, the state carried across fragments, so it fails fast.
      if (!utf8_.update(payload.readableSpan().subspan(validated)) || (fin && !utf8_.finish())) {
        return protocolViolation(ctx, in, out, WebSocketErrc::InvalidUtf8, "in text message");
      }
    }
    inFragmentedMessage_ = !fin;
    metrics.frameReceived(static_cast<WebSocketOpcode>(opcode)).inc();
    if (fin) {
      validatingText_ = false;
      messageLength_ = 0;
      metrics.messageReceived(binaryMessage_ ? WebSocketOpcode::Binary : WebSocketOpcode::Text)
          .inc();
    }
    switch (opcode) {
      case kOpText:
        out.emplace_back(Message::make<TextWebSocketFrame>(fin, rsv, std::move(payload)));
        break;
      case kOpBinary:
        out.emplace_back(Message::make<BinaryWebSocketFrame>(fin, rsv, std::move(payload)));
        break;
      default:
        out.emplace_back(Message::make<ContinuationWebSocketFrame>(fin, rsv, std::move(payload)));
        break;
    }
  }
}

void WebSocket13FrameDecoder::onCloseReceived(ChannelHandlerContext& ctx, const ByteBuf& payload) {
  // The peer's close frame: unless it answers ours (whose code the frame encoder recorded),
  // the peer closes. RFC 6455 7.1.5: a close frame without a status code is reported as 1005.
  const int status = detail::closeStatusCode(payload);
  const int code = status < 0 ? WebSocketCloseStatus::kEmpty.code() : status;
  detail::countCloseCodeReceived(code);
  CloseReason& closeReason = ctx.channel().closeReason();
  if (closeReason.codeSent == 0) {
    closeReason.record(CloseInitiator::Peer, "close frame");
  }
  closeReason.recordReceived(code, detail::closeReasonText(payload));
}

// Out of line and cold: frames that arrive whole, the common case, never come here.
[[gnu::noinline, gnu::cold]] bool WebSocket13FrameDecoder::validateReceivedText(
    std::span<const std::uint8_t> received, bool masked, std::uint32_t maskingKey,
    bool firstFrame) noexcept {
  if (received.size() <= validatedPayload_) {
    return true;  // nothing new since the last read
  }
  if (validatedPayload_ == 0 && firstFrame) {
    utf8_.reset();
  }
  std::span<const std::uint8_t> fresh = received.subspan(validatedPayload_);
  bool valid = true;
  if (!masked) {
    valid = utf8_.update(fresh);
  } else {
    // The received bytes stay masked where they are: the cumulation may be shared (the
    // transport's buffer, a duplicate someone holds), a frame completed later is unmasked
    // from it in one pass (sliced or copied) that would otherwise have to know which
    // prefix was already done, and bytes handed on when this decoder is removed must be
    // the bytes received. So the new bytes are unmasked into a scratch block for the
    // validator, the key rotated to the first one's position in the payload (RFC 6455
    // 5.3: payload byte i is XORed with key byte i % 4).
    std::uint8_t key[4];
    std::memcpy(key, &maskingKey, 4);
    std::uint8_t rotated[4];
    for (std::size_t i = 0; i < 4; ++i) {
      rotated[i] = key[(validatedPayload_ + i) % 4];
    }
    std::uint32_t shiftedKey;
    std::memcpy(&shiftedKey, rotated, 4);
    // A multiple of 4, so that the key lines up with every block unchanged.
    std::array<std::uint8_t, kUtf8ScratchSize> scratch;
    while (valid && !fresh.empty()) {
      const std::size_t n = std::min(fresh.size(), scratch.size());
      WebSocketUtil::maskCopy(scratch.data(), fresh.first(n), shiftedKey);
      valid = utf8_.update(std::span<const std::uint8_t>(scratch.data(), n));
      fresh = fresh.subspan(n);
    }
  }
  validatedPayload_ = received.size();
  return valid;
}

void WebSocket13FrameDecoder::protocolViolation(ChannelHandlerContext& ctx, ByteBuf& in, Out& out,
                                                WebSocketErrc errc, std::string_view detail) {
  state_ = State::Corrupt;
  in.skipBytes(in.readableBytes());
  // The frames decoded before the bad one reach the application before the close does.
  for (Message& m : out) {
    ctx.fireChannelRead(std::move(m));
  }
  out.clear();
  const std::error_code code = errc;
  ChannelFuture closeWritten;
  const bool sendClose = config_.closeOnProtocolViolation && ctx.channel().isActive();
  if (sendClose) {
    // Recorded first: the close frame and the close that follow are this failure's.
    std::string rule;
    if (errc == WebSocketErrc::FrameTooLarge) {
      rule = fmt::format("maxFramePayloadLength {}", config_.maxFramePayloadLength);
    } else if (errc == WebSocketErrc::MessageTooLarge) {
      rule = fmt::format("maxMessageLength {}", config_.maxMessageLength);
    } else {
      rule = detail::violatedRule(errc, config_.expectMaskedFrames);
    }
    detail::recordFailure(ctx.channel(), errc, rule);
    // RFC 6455 7.1.7: to fail the connection, an endpoint sends a close frame with the
    // status (7.4.1: 1002 protocol error, 1007 inconsistent data, 1009 too big), then closes.
    closeWritten = ctx.writeAndFlush(CloseWebSocketFrame(closeStatusOf(errc), code.message()));
  }
  // The error is fired before the channel closes, while the pipeline is whole; the close
  // frame is already on its way, so a handler that closes the channel here cannot stop it.
  ctx.fireExceptionCaught(
      Error(code, detail.empty() ? code.message() : fmt::format("{}: {}", code.message(), detail)));
  if (sendClose) {
    closeWritten.addListener(ChannelFutureListener::kClose);
  }
}

}  // namespace sluice::websocket
