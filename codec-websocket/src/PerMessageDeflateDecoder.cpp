#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/CodecError.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketExtension.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <algorithm>
#include <utility>

#include "WebSocketDataFrame.h"
#include "WebSocketFailure.h"

namespace sluice::websocket {
namespace {

using detail::makeDataFrame;

constexpr int kRsv1 = WebSocketExtension::kRsv1;
constexpr std::size_t kDefaultMaxMessageLength = std::size_t{1} << 20;

}  // namespace

PerMessageDeflateDecoder::PerMessageDeflateDecoder(PerMessageDeflateDecoderConfig config)
    : config_(config) {}

PerMessageDeflateDecoder::~PerMessageDeflateDecoder() = default;

void PerMessageDeflateDecoder::handlerAdded(ChannelHandlerContext& ctx) {
  // One limit for a message, compressed or not: the frame decoder's, unless set here.
  MessageInflaterConfig c = config_.inflater;
  if (auto* decoder = ctx.pipeline().get<WebSocket13FrameDecoder>()) {
    if (c.maxMessageLength == 0) {
      c.maxMessageLength = decoder->config().maxMessageLength;
    }
    validateUtf8_ = decoder->config().withUTF8Validator;
    closeOnProtocolViolation_ = decoder->config().closeOnProtocolViolation;
  }
  if (c.maxMessageLength == 0) {
    c.maxMessageLength = kDefaultMaxMessageLength;
  }
  config_.inflater = c;
  inflater_ = newMessageInflater(c, config_.engine);
}

std::size_t PerMessageDeflateDecoder::retainedBytes() const noexcept {
  return inflater_ ? inflater_->retainedBytes() : 0;
}

void PerMessageDeflateDecoder::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (state_ == State::Failed) {
    return;  // RFC 6455 7.1.7: nothing more is processed once the connection has failed
  }
  WebSocketFrame* frame = msg.getIf<WebSocketFrame>();
  if (frame == nullptr) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  const bool compressedBit = (frame->rsv() & kRsv1) != 0;
  if (frame->isControlFrame()) {
    // RFC 7692 6.1: a control frame with the "Per-Message Compressed" bit MUST fail the
    // connection.
    if (compressedBit) {
      return fail(ctx, WebSocketErrc::CompressedControlFrame, {});
    }
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  const WebSocketOpcode opcode = frame->opcode();
  const bool fin = frame->isFinalFragment();
  if (opcode == WebSocketOpcode::Continuation) {
    // RFC 7692 6.1: nor may a non-first fragment carry it.
    if (compressedBit) {
      return fail(ctx, WebSocketErrc::CompressedContinuationFrame, {});
    }
    if (state_ != State::Inflating) {
      if (fin) {
        state_ = State::Idle;
      }
      ctx.fireChannelRead(std::move(msg));
      return;
    }
  } else if (!compressedBit) {
    state_ = fin ? State::Idle : State::PassingThrough;
    ctx.fireChannelRead(std::move(msg));
    return;
  } else {
    state_ = State::Inflating;
    validatingText_ = validateUtf8_ && opcode == WebSocketOpcode::Text;
    utf8_.reset();
  }

  const ByteBuf& content = frame->content();
  const std::size_t limit = config_.inflater.maxMessageLength;
  // Header headroom, so that an echoed frame's header is written in place.
  ByteBuf out = ctx.alloc().bufferWithHeadroom(
      WebSocketFrame::kMaxHeaderSize,
      std::min(limit, std::max<std::size_t>(256, content.readableBytes() * 3)));
  if (Error error = inflater_->inflate(content.readableSpan(), out, fin)) {
    const bool tooLarge = error.code() == make_error_code(CodecErrc::DecompressionLimitExceeded);
    return fail(ctx,
                tooLarge ? WebSocketErrc::MessageTooLarge : WebSocketErrc::InvalidCompressedData,
                error.message());
  }
  // RFC 6455 8.1 applies to the inflated text (RFC 7692 6: "subject to the constraints for
  // the original data type again").
  if (validatingText_ && (!utf8_.update(out.readableSpan()) || (fin && !utf8_.finish()))) {
    return fail(ctx, WebSocketErrc::InvalidUtf8, "in compressed text message");
  }
  const int rsv = frame->rsv() & ~kRsv1;
  if (fin) {
    state_ = State::Idle;
    validatingText_ = false;
  }
  ctx.fireChannelRead(makeDataFrame(opcode, fin, rsv, std::move(out)));
}

void PerMessageDeflateDecoder::fail(ChannelHandlerContext& ctx, WebSocketErrc errc,
                                    std::string_view detail) {
  state_ = State::Failed;
  const std::error_code code = errc;
  ChannelFuture closeWritten;
  const bool sendClose = closeOnProtocolViolation_ && ctx.channel().isActive();
  if (sendClose) {
    // Recorded first: the close frame and the close that follow are this failure's.
    detail::recordFailure(
        ctx.channel(), errc,
        errc == WebSocketErrc::MessageTooLarge
            ? fmt::format("maxMessageLength {}", config_.inflater.maxMessageLength)
            : detail::violatedRule(errc, true));
    // RFC 6455 7.1.7: fail the connection with a close frame carrying the status, then close.
    closeWritten = ctx.writeAndFlush(CloseWebSocketFrame(closeStatusOf(errc), code.message()));
  }
  ctx.fireExceptionCaught(
      Error(code, detail.empty() ? code.message() : fmt::format("{}: {}", code.message(), detail)));
  if (sendClose) {
    closeWritten.addListener(ChannelFutureListener::kClose);
  }
}

}  // namespace sluice::websocket
