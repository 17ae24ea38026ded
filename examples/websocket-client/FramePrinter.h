#pragma once

// Prints every frame the server sends, one line each, as websocket-client shows them:
//
//   < hello                      a text message
//   < [binary 4 bytes] 01020304  a binary message (the first 64 bytes in hex)
//   < [pong] abc                 a pong (only with --show-pongs)
//   < [close 1001 going away]    the server's close frame (with handleCloseFrames off)
//
// Fragmented messages arrive whole: a WebSocketFrameAggregator sits before it.

#include <fmt/format.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <algorithm>
#include <cstdio>
#include <string>

class FramePrinter : public sluice::SimpleChannelInboundHandler<sluice::websocket::WebSocketFrame> {
 protected:
  void channelRead0(sluice::ChannelHandlerContext& /*ctx*/,
                    sluice::websocket::WebSocketFrame& frame) override {
    using sluice::websocket::WebSocketOpcode;
    const sluice::ByteBuf& content = frame.content();
    switch (frame.opcode()) {
      case WebSocketOpcode::Text:
        print(fmt::format("< {}", content.toString()));
        break;
      case WebSocketOpcode::Binary:
        print(fmt::format("< [binary {} bytes] {}", content.readableBytes(), hex(content)));
        break;
      case WebSocketOpcode::Pong:
        print(fmt::format("< [pong] {}", content.toString()));
        break;
      case WebSocketOpcode::Close: {
        auto& close = static_cast<sluice::websocket::CloseWebSocketFrame&>(frame);
        print(fmt::format("< [close {} {}]", close.statusCode(), close.reasonText()));
        break;
      }
      default:
        break;
    }
  }

 private:
  static std::string hex(const sluice::ByteBuf& content) {
    std::string out;
    std::size_t n = std::min<std::size_t>(content.readableBytes(), 64);
    for (std::size_t i = 0; i < n; ++i) {
      out += fmt::format("{:02x}", content.getUnsignedByte(content.readerIndex() + i));
    }
    return n < content.readableBytes() ? out + "..." : out;
  }

  static void print(const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  }
};
