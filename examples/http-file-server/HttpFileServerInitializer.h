#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/http/HttpContentCompressor.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpStaticFileHandler.h>

#include <memory>
#include <utility>

#include "GreetingHandler.h"

// [docs:http-file-server-initializer]
/// Each connection: bytes <-> HTTP objects, gzip or deflate as the client accepts, whole
/// requests, large files written chunk by chunk as the socket drains, a small API, and the
/// files of one directory. The file handler is shared by every connection, and so is its
/// cache of small files.
class HttpFileServerInitializer : public sluice::ChannelInitializer {
 public:
  explicit HttpFileServerInitializer(std::shared_ptr<sluice::http::HttpStaticFileHandler> files)
      : files_(std::move(files)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    p.addLast<sluice::http::HttpServerCodec>();
    p.addLast<sluice::http::HttpContentCompressor>();
    p.addLast<sluice::http::HttpObjectAggregator>(65536);
    p.addLast<sluice::ChunkedWriteHandler>();
    p.addLast<GreetingHandler>();
    p.addLast(files_);
  }

 private:
  std::shared_ptr<sluice::http::HttpStaticFileHandler> files_;
};
// [docs:end]
