#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpServerExpectContinueHandler.h>

#include "HttpHelloServerHandler.h"

// [docs:http-hello-initializer]
/// Each connection: bytes <-> HTTP objects, "100 Continue" for requests that ask for it,
/// then the application.
class HttpHelloServerInitializer : public sluice::ChannelInitializer {
 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast<sluice::http::HttpServerCodec>();
    ch.pipeline().addLast<sluice::http::HttpServerExpectContinueHandler>();
    ch.pipeline().addLast<HttpHelloServerHandler>();
  }
};
// [docs:end]
