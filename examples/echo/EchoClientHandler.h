#pragma once

#include <fmt/format.h>
#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>

#include <cstdio>

/// Prints each echoed line.
class EchoClientHandler : public sluice::SimpleChannelInboundHandler<sluice::ByteBuf> {
 protected:
  void channelRead0(sluice::ChannelHandlerContext&, sluice::ByteBuf& line) override {
    fmt::print("echo: {}", line.toStringView());
    std::fflush(stdout);
  }
};
