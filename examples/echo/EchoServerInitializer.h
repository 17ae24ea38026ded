#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/codec/LineBasedFrameDecoder.h>

#include "EchoServerHandler.h"

// [docs:echo-initializer]
/// Each connection: split the bytes into lines (keeping the '\n'), echo each line.
class EchoServerInitializer : public sluice::ChannelInitializer {
 public:
  static constexpr std::size_t kMaxLineLength = 8192;

 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast<sluice::LineBasedFrameDecoder>(
        sluice::LineBasedFrameDecoderConfig{.maxLength = kMaxLineLength, .stripDelimiter = false});
    ch.pipeline().addLast<EchoServerHandler>();
  }
};
// [docs:end]
