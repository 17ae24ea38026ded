#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelOutboundHandler.h>

namespace sluice {

/// A handler of both directions (Netty's ChannelDuplexHandler): codecs, timeouts, loggers.
class ChannelDuplexHandler : public ChannelInboundHandler, public ChannelOutboundHandler {};

}  // namespace sluice
