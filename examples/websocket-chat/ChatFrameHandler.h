#pragma once

#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/QueryStringDecoder.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketCloseStatus.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "ChatProtocol.h"
#include "ChatRooms.h"

// [docs:chat-handler]
/// One chat client, once its WebSocket handshake is done. It joins the room the URL names
/// (/ws?room=lobby&name=Ada; the room defaults to "lobby"), takes its first text frame as its
/// nickname unless the URL gave one, and sends every later text frame to the whole room as
/// {"type":"message","name":..,"text":..}. Each event is encoded once per room and setting
/// (WebSocketBroadcast): members that negotiated the same compression share the same bytes.
///
/// Thread: the channel's loop. One per channel (it holds the client's name and room).
class ChatFrameHandler
    : public sluice::SimpleChannelInboundHandler<sluice::websocket::TextWebSocketFrame> {
 public:
  /// The longest text frame a client may send (bytes). The initializer gives it to the frame
  /// decoder, which refuses a longer frame with close code 1009 before buffering it.
  static constexpr std::size_t kMaxMessageLength = 4096;

  explicit ChatFrameHandler(std::shared_ptr<ChatRooms> rooms) : rooms_(std::move(rooms)) {}

  // The handshake is done: the room and maybe the name are in the request's query string.
  void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
    using HandshakeComplete = sluice::websocket::WebSocketServerProtocolHandler::HandshakeComplete;
    if (event.is<sluice::DrainEvent>()) {
      // The server is draining: the protocol handler has sent this client close 1001, and
      // every other member is going too. Leave without a "leave" event, which the members
      // that were sent their close frame would refuse (one failed write per member each).
      leave(ctx, /*announce=*/false);
      ctx.fireUserEventTriggered(std::move(event));
      return;
    }
    const auto* handshake = event.getIf<HandshakeComplete>();
    if (handshake == nullptr) {
      ctx.fireUserEventTriggered(std::move(event));
      return;
    }
    const sluice::http::QueryStringDecoder query(handshake->requestUri());
    roomName_ = query.parameters().getFirst("room").value_or("lobby");
    if (!chat::isValidName(roomName_)) {
      refuse(ctx, sluice::websocket::WebSocketCloseStatus::kPolicyViolation, "bad room name");
      return;
    }
    if (const auto name = query.parameters().getFirst("name")) {
      join(ctx, *name);
    }
  }

  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)
    if (msg.is<sluice::http::FullHttpRequest>()) {
      // An upgrade request for a path other than /ws: neither the files nor the protocol
      // handler took it.
      sluice::http::FullHttpResponse response(sluice::http::HttpVersion::kHttp11,
                                              sluice::http::HttpResponseStatus::kNotFound);
      response.headers().set(sluice::http::HttpHeaderNames::kContentLength, 0);
      response.headers().set(sluice::http::HttpHeaderNames::kConnection, "close");
      ctx.writeAndFlush(std::move(response)).addListener(sluice::ChannelFutureListener::kClose);
    } else if (msg.is<BinaryWebSocketFrame>()) {
      refuse(ctx, WebSocketCloseStatus::kInvalidMessageType, "text frames only");
    } else if (msg.is<ContinuationWebSocketFrame>()) {
      refuse(ctx, WebSocketCloseStatus::kPolicyViolation, "one frame per message");
    } else {
      SimpleChannelInboundHandler::channelRead(ctx, std::move(msg));
    }
  }

  void channelInactive(sluice::ChannelHandlerContext& ctx) override {
    leave(ctx);
    ctx.fireChannelInactive();
  }

  void exceptionCaught(sluice::ChannelHandlerContext& ctx, const sluice::Error& error) override {
    sluice::Log::log(sluice::LogLevel::Debug, "chat", "{}: {}", ctx.channel().toString(),
                     error.toString());
    ctx.close();
  }

 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx,
                    sluice::websocket::TextWebSocketFrame& frame) override {
    if (refused_) {
      return;  // our close frame is on its way; what the client sent meanwhile is dropped
    }
    if (!frame.isFinalFragment()) {
      refuse(ctx, sluice::websocket::WebSocketCloseStatus::kPolicyViolation,
             "one frame per message");
    } else if (!room_) {
      join(ctx, frame.text());
    } else if (!frame.text().empty()) {
      broadcast(chat::chatEvent("message", name_, frame.text()));
    }
  }

 private:
  void join(sluice::ChannelHandlerContext& ctx, std::string_view name) {
    name = chat::trim(name);
    if (!chat::isValidName(name)) {
      ctx.writeAndFlush(sluice::websocket::TextWebSocketFrame(
          chat::chatEvent("error", {}, "a name is 1 to 32 bytes without control characters")));
      return;
    }
    name_ = name;
    room_ = rooms_->join(roomName_, ctx.channel().shared());
    broadcast(chat::chatEvent("join", name_));  // the newcomer gets it too: it has joined
  }

  void leave(sluice::ChannelHandlerContext& ctx, bool announce = true) {
    if (room_) {
      rooms_->leave(roomName_, ctx.channel());
      if (announce) {
        broadcast(chat::chatEvent("leave", name_));
      }
      room_.reset();
    }
  }

  // Encoded once per way the members need it, whatever the size of the room: one plain
  // frame, and one compressed frame per permessage-deflate setting without context takeover
  // (members that keep their window compress for themselves). With void promises a broadcast
  // allocates nothing per member; a write that fails reaches that member's exceptionCaught.
  void broadcast(const std::string& json) {
    sluice::websocket::WebSocketBroadcast::writeAndFlushText(*room_, json, {.voidPromise = true});
  }

  // Closing handshake: the protocol handler closes the connection once the client answers
  // (or after its timeout). The client leaves its room now, so no broadcast follows the
  // close frame (RFC 6455 5.5.1: no data frame after a close frame).
  void refuse(sluice::ChannelHandlerContext& ctx,
              const sluice::websocket::WebSocketCloseStatus& status, std::string_view reason) {
    if (refused_) {
      return;
    }
    refused_ = true;
    leave(ctx);
    ctx.writeAndFlush(sluice::websocket::CloseWebSocketFrame(status, reason));
  }

  std::shared_ptr<ChatRooms> rooms_;
  std::string roomName_;
  std::string name_;
  std::shared_ptr<sluice::ChannelGroup> room_;  // null until the client has a name
  bool refused_ = false;
};
// [docs:end]
